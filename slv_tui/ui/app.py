"""The Textual app and its one factory, `make_app`, used by the cli and by every test."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

from rich.console import RenderableType
from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from slv_tui import paths
from slv_tui.files import private_dir, read_regular, write_atomic
from slv_tui.sanitize import clean
from slv_tui.slv.auth import Secret
from slv_tui.slv.client import SlvClient
from slv_tui.slv.model import Batch, BatchState
from slv_tui.ui.format import STATE_LABELS, plural
from slv_tui.ui.messages import BatchesPolled
from slv_tui.ui.rows import SORTS
from slv_tui.ui.screens.dashboard import DashboardScreen
from slv_tui.ui.screens.help import HelpScreen, help_rows
from slv_tui.ui.screens.password import PasswordScreen
from slv_tui.ui.widgets.batch_table import BatchTable
from slv_tui.ui.widgets.header_bar import HeaderBar
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import PollRound, merged
from slv_tui.watch.watchlist import Watchlist

log = logging.getLogger(__name__)
MAX_STATE_BYTES = 64 * 1024
"""The UI state file holds one theme name; anything larger is not ours and is ignored."""

FINISH_TOAST: dict[BatchState, tuple[str, SeverityLevel, float]] = {
    BatchState.SUCCEEDED: ("Batch succeeded", "information", 10),
    BatchState.COMPLETED_WITH_ERRORS: ("Batch finished with errors", "warning", 60),
    BatchState.CANCELLED: ("Batch cancelled", "warning", 60),
    BatchState.FAILED: ("Batch failed", "error", 60),
}
"""Title, severity and seconds on screen per final state: trouble stays long enough to be seen."""


def finish_text(batch: Batch, label: str) -> str:
    """The body of a batch-finished toast: which batch, its counts, and the failure reason if any."""
    name = f"{batch.batch_id} ({clean(label)})" if label else batch.batch_id
    counts = batch.counts
    text = f"{name}\n{plural(counts.error, 'error')}, {plural(counts.warning, 'warning')}"
    reason = batch.error_code_label or batch.message
    if batch.state is BatchState.FAILED and reason:
        text += f"\n{clean(reason, max_length=200)}"
    return text


class SlvApp(App[None]):
    """Watches SLV batches; one background worker runs the poller, handlers render what it reports."""

    TITLE = "slv-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Show every key", id="help"),
        Binding(
            "q", "back_or_quit", "Quit", tooltip="Back one level; from the table, leave slv-tui", id="quit"
        ),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, tooltip="Leave slv-tui from anywhere"),
    ]

    def __init__(
        self,
        *,
        client: SlvClient,
        watchlist: Watchlist,
        poller: Poller,
        server_label: str,
        warnings: Sequence[str] = (),
        bell: bool = False,
        clock: Callable[[], float] | None = None,
        state_file: Path | None = None,
        ask_password: bool = False,
        export_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.client = client
        self.watchlist = watchlist
        self.poller = poller
        self.clock = clock or poller.clock
        self.ring_bell = bell
        self.state_file = state_file or paths.ui_state_file()
        self.ask_password = ask_password
        """No password (or token) source: the masked dialog opens at once, before the first fetch."""
        self.finished: list[tuple[str, BatchState]] = []
        """Every batch seen finishing, in order (what the toasts announced)."""
        self.dashboard = DashboardScreen(watchlist, poller, self.clock, server_label, warnings)
        self.dashboard.export_dir = export_dir
        self._ui_state = self._load_state()
        self._saved_theme = self._load_theme()
        view = self._ui_state
        if isinstance(view.get("sort"), str) and view["sort"] in SORTS:
            self.dashboard.sort_column = view["sort"]
        self.dashboard.sort_reverse = view.get("sort_reverse") is True
        self.dashboard.attention_only = view.get("attention") is True
        self._auth_warned = False
        self._pending_rounds: list[PollRound] = []

    # -- start-up ---------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        """The dashboard is the bottom screen."""
        return self.dashboard

    def on_mount(self) -> None:
        """Restore the theme, start the poller worker, tell about a moved-aside watchlist."""
        if self._saved_theme in self.available_themes:
            self.theme = self._saved_theme
        self.poller.on_round = self._on_round
        self.poller.watch(self.watchlist.ids(), seen_for=self.watchlist.watched_for())
        if self.ask_password and self.client.settings.credentials.password is None:
            self.call_after_refresh(self._ask_password_first)
        else:
            self.call_after_refresh(self._start_poller)  # the first frame is drawn before any request
        if self.watchlist.problem:
            self.notify(clean(self.watchlist.problem), title="Watchlist", severity="warning", markup=False)

    def exit(self, result: None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        """Quit: stop listening to the poller first, so no round is drawn into a screen being torn down."""
        self.poller.on_round = None
        super().exit(result, return_code, message)

    async def on_unmount(self) -> None:
        """Stop listening to the poller and close the client's connections while this loop still runs."""
        self.poller.on_round = None
        await self.client.aclose()

    def _on_round(self, poll_round: PollRound) -> None:
        """The poller's callback (once per fetch): only posts a message (handlers render).

        Fetches that end before the message is handled ride along with it: one redraw for all of them.
        """
        self._pending_rounds.append(poll_round)
        if len(self._pending_rounds) == 1:
            self.post_message(BatchesPolled(poll_round))

    def _ask_password_first(self) -> None:
        """Open the password (or token) dialog; polling starts once it is closed, either way."""
        creds = self.client.settings.credentials

        def done(secret: Secret | None) -> None:
            self._use_password(secret)
            self._start_poller()

        self.push_screen(PasswordScreen(creds.username, None, creds.secret_name), done)

    def _start_poller(self) -> None:
        self.run_worker(self.poller.run(), name="poller", group="poller", exclusive=True, exit_on_error=False)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Errors go through one door: the poller never takes the app down; it is restarted."""
        if event.worker.group == "poller" and event.state is WorkerState.ERROR:
            log.error("poller crashed: %r", event.worker.error)
            self.notify(
                f"Polling stopped unexpectedly ({type(event.worker.error).__name__}); restarting",
                severity="error",
                markup=False,
            )
            self.set_timer(2.0, self._start_poller)

    # -- poll results -----------------------------------------------------------------------------

    @on(BatchesPolled)
    def _polled(self, message: BatchesPolled) -> None:
        """Render the round, announce finished batches, offer the password on auth trouble."""
        rounds, self._pending_rounds = self._pending_rounds, []
        poll_round = merged(rounds or [message.round])
        for snapshot, state in self.dashboard.apply_round(poll_round):
            self.finished.append((snapshot.batch_id, state))
            label = next((e.label for e in self.watchlist.entries if e.batch_id == snapshot.batch_id), "")
            title, severity, timeout = FINISH_TOAST[state]
            if snapshot.batch is None:  # cannot happen: finishing is seen in a fetched batch
                continue
            symbol = STATE_LABELS[state][0]
            self.notify(
                finish_text(snapshot.batch, label),
                title=f"{symbol} {title}",
                severity=severity,
                timeout=timeout,
                markup=False,
            )
            if self.ring_bell:
                self.bell()
        server = poll_round.server
        what = self.client.settings.credentials.secret_name
        for header in self.dashboard.query(HeaderBar):  # none until the dashboard is mounted
            header.set_auth(self.client.auth_label, what)
        if server.auth_problem and not self._auth_warned:
            self.notify(
                f"{clean(server.reason or 'authentication failed')} — press P to enter the {what}",
                title="Authentication",
                severity="error",
                timeout=15,
                markup=False,
            )
        self._auth_warned = server.auth_problem

    # -- actions ------------------------------------------------------------------------------

    def _key_targets(self) -> list[tuple[Binding, Widget | App[None]]]:
        """Every declared key with the node that runs its action: table, dashboard, then app."""
        layers: list[tuple[Iterable[object], Widget | App[None]]] = [
            (BatchTable.BINDINGS, self.dashboard.table),
            (DashboardScreen.BINDINGS, self.dashboard),
            (self.BINDINGS, self),
        ]
        return [(b, node) for bindings, node in layers for b in bindings if isinstance(b, Binding)]

    def action_back_or_quit(self) -> None:
        """q: close a dialog, leave the tree or the filter; only from the table does it quit."""
        screen = self.screen
        if screen is not self.dashboard:
            screen.dismiss(None)
        elif self.dashboard.at_top:
            self.exit()
        else:
            self.dashboard.action_back()

    def action_help(self) -> None:
        """Show the keys, generated from the bindings."""
        shown = [binding for binding, _ in self._key_targets()]
        keys = {b.key: self.get_key_display(b) for b in shown}
        self.push_screen(HelpScreen(help_rows(shown, keys)))

    def action_password(self) -> None:
        """Ask for the password; a new one is used at once and every batch is fetched again."""
        server = self.poller.server
        reason = server.reason if server.auth_problem else None
        creds = self.client.settings.credentials
        self.push_screen(PasswordScreen(creds.username, reason, creds.secret_name), self._use_password)

    def _use_password(self, secret: Secret | None) -> None:
        if secret is None:
            return
        self.client.set_password(secret)
        self._auth_warned = False  # a wrong password typed here is announced again
        self.poller.refresh()
        what = self.client.settings.credentials.secret_name.capitalize()
        self.notify(f"{what} set for this session; fetching again…", timeout=4)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers every declared key (same actions, hidden ones too) besides the built-ins."""
        yield from super().get_system_commands(screen)
        for binding, target in self._key_targets():
            if binding.description and binding.id:  # "Back" (esc) has no id: it only leaves things
                yield SystemCommand(
                    f"{binding.description} ({self.get_key_display(binding)})",
                    binding.tooltip or binding.description,
                    partial(target.run_action, binding.action),
                )

    # -- theme memory ---------------------------------------------------------------------------

    def _load_state(self) -> dict[str, object]:
        """The UI state file's one JSON object: theme, sort column and order, attention view."""
        try:
            raw = read_regular(self.state_file, MAX_STATE_BYTES)
            data = json.loads(raw.decode("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, RecursionError) as exc:  # a FIFO, a device, a huge or broken file
            log.warning("ignoring the UI state: %s", exc)
            return {}
        return data if isinstance(data, dict) else {}

    def _load_theme(self) -> str | None:
        theme = self._ui_state.get("theme")
        return theme if isinstance(theme, str) else None

    def action_save_ui_state(self) -> None:
        """Remember theme, sort and view for the next run."""
        board = self.dashboard
        state: dict[str, object] = {
            "theme": self._saved_theme,
            "sort": board.sort_column,
            "sort_reverse": board.sort_reverse,
            "attention": board.attention_only,
        }
        if state == self._ui_state:
            return
        self._ui_state = state
        try:
            private_dir(self.state_file.parent)
            write_atomic(self.state_file, json.dumps(state).encode("utf-8"))
        except OSError as exc:
            log.warning("cannot save the UI state to %s: %s", self.state_file, exc)

    def watch_theme(self, theme: str) -> None:
        """Remember the theme for the next run, and redraw the rich-text parts in its colours."""
        if self.is_mounted(self.dashboard):
            self.call_after_refresh(self.dashboard.restyle)
        if theme == self._saved_theme or not self.is_running:
            return
        self._saved_theme = theme
        self.action_save_ui_state()


make_app = SlvApp
"""The one factory: cli.py and every test build the app through it (it is SlvApp's constructor)."""
