"""The masked password prompt; the text is handed on as a Secret and never shown or stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label

from slv_tui.common.sanitize import clean
from slv_tui.slv.auth import Secret
from slv_tui.slv.client import SlvClient


class PasswordScreen(ModalScreen[Secret | None]):
    """Asks for the password (or bearer token) of `username`; Enter uses it, Escape cancels."""

    BINDINGS = [
        Binding("enter", "noop", "Use", id="password-use"),  # shown in the footer; the input submits
        Binding("escape", "cancel", "Cancel", id="password-cancel"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(
        self, username: str, reason: str | None = None, what: str = "password", server: str = ""
    ) -> None:
        super().__init__()
        self.username = username
        self.server = server
        """The server it is for, named in the title when several are watched."""
        self.reason = reason
        self.what = what

    def compose(self) -> ComposeResult:
        """A title, the reason, one masked input."""
        with Vertical(classes="dialog"):
            # a bearer token stands for its user alone: the configured user name is not asked for
            title = "Bearer token" if self.what == "token" else f"Password for {clean(self.username)}"
            if self.server:
                title += f" on {clean(self.server)}"
            yield Label(title, classes="dialog-title", markup=False)
            if self.reason:
                yield Label(clean(self.reason), classes="dialog-error", markup=False)
            yield Input(password=True, placeholder=self.what, id="password-input")
            yield Label("enter uses it for this session (never saved) · esc cancels", classes="dialog-hint")
        yield Footer(compact=True, show_command_palette=False)

    def action_noop(self) -> None:
        """Enter is handled by the input (it submits); the binding only names the key in the footer."""

    @on(Input.Submitted)
    def _use(self, event: Input.Submitted) -> None:
        typed = event.value
        event.input.value = ""
        self.dismiss(Secret(typed) if typed else None)

    def action_cancel(self) -> None:
        """Close without changing the password."""
        self.dismiss(None)


def ask_first(app: App[Any], client: SlvClient, then: Callable[[], None], server: str = "") -> None:
    """No password (or token) source: ask at once; `then` (start polling) once the dialog is closed;
    `server` names the server in the title (several watched)."""
    creds = client.settings.credentials

    def done(secret: Secret | None) -> None:
        if secret is not None:
            client.set_password(secret)
        then()

    app.push_screen(PasswordScreen(creds.username, None, creds.secret_name, server), done)
