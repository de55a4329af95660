"""The add dialog: one or many batch IDs (spaces, commas or new lines) and an optional label."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from slv_tui.common.sanitize import clean
from slv_tui.slv.ids import split_ids
from slv_tui.ui.safe_input import SafeInput

AddResult = tuple[list[str], str]


class AddBatchesScreen(ModalScreen[AddResult | None]):
    """Validates every token with `split_ids`; stays open with a per-token message until all are valid."""

    BINDINGS = [
        Binding("enter", "submit", "Add", priority=True, id="add-submit"),
        Binding("escape", "cancel", "Cancel", id="add-cancel"),
    ]

    def compose(self) -> ComposeResult:
        """IDs area, label input, error lines, buttons."""
        with Vertical(classes="dialog", id="add-dialog"):
            yield Label("Add batches to the watchlist", classes="dialog-title")
            yield Label("Batch IDs — separate with spaces, commas or new lines (paste works):")
            yield TextArea(id="add-ids", soft_wrap=True, show_line_numbers=False)
            yield Label("Label (optional, applies to every ID added):")
            yield SafeInput(placeholder="e.g. Main street, phase 2", id="add-label")
            yield Static(id="add-errors", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add", variant="primary", id="add-ok")
                yield Button("Cancel", id="add-cancel-button")

    def on_mount(self) -> None:
        """Start typing IDs at once."""
        self.query_one("#add-ids", TextArea).focus()

    def action_submit(self) -> None:
        """Validate and close with the IDs, or show what is wrong."""
        if isinstance(self.focused, Button) and self.focused.id == "add-cancel-button":
            self.dismiss(None)
            return
        text = self.query_one("#add-ids", TextArea).text
        ids, problems = split_ids(text)
        if not ids and not problems:
            problems = ["enter at least one batch ID (1 to 19 digits)"]
        errors = self.query_one("#add-errors", Static)
        if problems:
            errors.update(Text("\n".join(f"✖ {clean(p)}" for p in problems)))
            errors.add_class("-shown")
            return
        label = self.query_one("#add-label", Input).value.strip()
        self.dismiss((ids, label))

    def action_cancel(self) -> None:
        """Close without adding."""
        self.dismiss(None)

    @on(Button.Pressed, "#add-ok")
    def _ok(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#add-cancel-button")
    def _cancel(self) -> None:
        self.dismiss(None)
