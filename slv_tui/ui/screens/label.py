"""A small modal to edit one batch's label."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label

from slv_tui.common.sanitize import clean
from slv_tui.ui.safe_input import SafeInput


class LabelScreen(ModalScreen[str | None]):
    """Asks for a label; Enter saves (empty clears), Escape cancels."""

    BINDINGS = [
        Binding("enter", "noop", "Save", id="label-save"),  # shown in the footer; the input submits
        Binding("escape", "cancel", "Cancel", id="label-cancel"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self, batch_id: str, current: str) -> None:
        super().__init__()
        self.batch_id = batch_id
        self.current = clean(current)
        """The label as stored may hold anything (the file is data): shown and edited cleaned."""

    def compose(self) -> ComposeResult:
        """A title and one input."""
        with Vertical(classes="dialog"):
            yield Label(f"Label for batch {self.batch_id}", classes="dialog-title")
            yield SafeInput(value=self.current, placeholder="e.g. Main street, phase 2", id="label-input")
            yield Label("enter saves · empty clears · esc cancels", classes="dialog-hint")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Type at once (the focus is set now: keys typed right after `l` land here)."""
        box = self.query_one("#label-input", Input)
        self.set_focus(box)
        box.select_all()  # typing replaces the old label (selected now, before any key is read)

    def action_noop(self) -> None:
        """Enter is handled by the input (it submits); the binding only names the key in the footer."""

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        self.dismiss(clean(event.value).strip())

    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)
