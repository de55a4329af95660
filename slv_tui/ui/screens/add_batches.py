"""The add dialog: one or many batch IDs (spaces, commas or new lines) and an optional label."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from slv_tui.common.sanitize import clean
from slv_tui.slv.ids import split_ids
from slv_tui.ui.key_order import keys_in_order
from slv_tui.ui.safe_input import SafeInput

AddResult = tuple[list[str], str, int, str]
"""The valid IDs, the label, how many tokens were ignored, and the server to add them on ("" when
only one is watched)."""


class IdsArea(TextArea):
    """The IDs box, keys in the order typed: Tab moves to the label at once (a label typed right
    after it lands there, not here), Enter adds what was typed before it (no new line)."""

    class Entered(Message):
        """Enter in the IDs box: add."""

    async def on_key(self, event: events.Key) -> None:
        """Keys read after Tab go where the focus is now; Tab, shift+Tab and Enter act at once."""
        if await keys_in_order(self, event) or event.key not in ("tab", "shift+tab", "enter"):
            return
        event.stop()
        event.prevent_default()
        if event.key == "enter":
            self.post_message(self.Entered())
        elif event.key == "tab":
            self.screen.focus_next()
        else:
            self.screen.focus_previous()


class AddBatchesScreen(ModalScreen[AddResult | None]):
    """Validates every token with `split_ids` as it is typed ("3 valid · 1 ignored"); adds the valid
    IDs and ignores the rest (a pasted "batch 1481016600181" adds the ID)."""

    BINDINGS = [
        Binding("enter", "submit", "Add", id="add-submit"),  # each field submits in the order typed
        Binding("escape", "cancel", "Cancel", id="add-cancel"),
        Binding("tab", "app.focus_next", "Next field", id="add-next"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(self, watched: Mapping[str, Collection[str]] | None = None, server: str = "") -> None:
        super().__init__()
        self.watched = {name: frozenset(ids) for name, ids in (watched or {}).items()}
        """Each server's IDs already in its watchlist: counted apart (adding them again changes
        nothing). More than one server: the dialog asks which (`server` chosen at first)."""
        self.servers = list(self.watched) if len(self.watched) > 1 else []
        self.server = server

    def compose(self) -> ComposeResult:
        """IDs area, live count, label input, error lines, buttons; the footer names this dialog's keys."""
        with Vertical(classes="dialog", id="add-dialog"):
            yield Label("Add batches to the watchlist", classes="dialog-title")
            yield Label("Batch IDs (spaces, commas or new lines; paste works):")
            yield IdsArea(id="add-ids", soft_wrap=True, show_line_numbers=False)
            yield Static(_count_text([], []), id="add-count", classes="dialog-hint")
            yield Label("Label (optional, for every ID added):")
            yield SafeInput(placeholder="e.g. Main street, phase 2", id="add-label")
            if len(self.servers) > 1:
                yield Label("On server:")
                choices = [(clean(name), name) for name in self.servers]
                yield Select(
                    choices, value=self.server or self.servers[0], allow_blank=False, id="add-server"
                )
            yield Static(id="add-errors", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add", variant="primary", id="add-ok")
                yield Button("Cancel", id="add-cancel-button")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Start typing IDs at once (the focus is set now: keys typed right after `a` land here)."""
        self.set_focus(self.query_one("#add-ids", TextArea))

    @on(IdsArea.Entered)
    @on(Input.Submitted, "#add-label")
    def _entered(self) -> None:
        self.action_submit()

    @on(TextArea.Changed, "#add-ids")
    @on(Select.Changed, "#add-server")
    def _count(self) -> None:
        """Count valid, already watched (on the server chosen) and ignored tokens as they are typed."""
        ids, problems = split_ids(self.query_one("#add-ids", TextArea).text)
        watched = self.watched.get(self._chosen(), frozenset())
        self.query_one("#add-count", Static).update(_count_text(ids, problems, watched))
        self.query_one("#add-errors", Static).remove_class("-shown")

    def _chosen(self) -> str:
        """The server the IDs go to (the only one when one is watched)."""
        if not self.servers:
            return next(iter(self.watched), "")
        chosen = self.query_one("#add-server", Select).value
        return chosen if isinstance(chosen, str) else self.server

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
        if not ids:
            shown = problems[:3] + ([f"… and {len(problems) - 3} more"] if len(problems) > 3 else [])
            errors.update(Text("\n".join(f"✖ {clean(p)}" for p in shown)))
            errors.add_class("-shown")
            return
        label = self.query_one("#add-label", Input).value.strip()
        self.dismiss((ids, label, len(problems), self._chosen() if self.servers else ""))

    def action_cancel(self) -> None:
        """Close without adding."""
        self.dismiss(None)

    @on(Button.Pressed, "#add-ok")
    def _ok(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#add-cancel-button")
    def _cancel(self) -> None:
        self.dismiss(None)


def _count_text(ids: list[str], problems: list[str], watched: frozenset[str] = frozenset()) -> Text:
    """`3 valid · 1 already watched · 1 ignored (batch: not a batch ID …)`: what enter will add."""
    already = sum(1 for batch_id in set(ids) if batch_id in watched)
    text = Text(f"{len(set(ids)) - already} valid")
    if already:
        text.append(f" · {already} already watched")
    if problems:
        text.append(f" · {len(problems)} ignored ({clean(problems[0], max_length=60)})")
    return text
