"""The help screen, generated from the declared bindings (the same ones the footer and palette use)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from slv_tui.ui.format import STATE_LABELS

HelpRow = tuple[str, str, str]
"""(key as displayed, short description, longer help)."""

EXTRA: tuple[HelpRow, ...] = (
    ("↑ ↓ / pgup pgdn", "Move", "Move in the table or tree"),
    ("enter (tree)", "Open / close", "Open or close the node; opens the next page of messages"),
    ("ctrl+p", "Palette", "Every command, plus themes (the choice is remembered)"),
)


class HelpScreen(ModalScreen[None]):
    """Lists every key with what it does; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help-close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def __init__(self, rows: Sequence[HelpRow]) -> None:
        super().__init__(id="help")
        self.rows = list(rows) + list(EXTRA)

    def compose(self) -> ComposeResult:
        """A title and the key table."""
        table = Table(box=None, expand=True, show_header=True, header_style="bold", pad_edge=False)
        table.add_column("Key", no_wrap=True, style="bold")
        table.add_column("Does")
        table.add_column("Details")
        for key, description, details in self.rows:
            table.add_row(Text(key), Text(description), Text(details))
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Label("slv-tui — keys", classes="dialog-title")
            yield Static(table)
            yield Label(state_legend(), classes="dialog-hint", markup=False)
            yield Label(
                "Fetch: ● fresh · ↻ retrying · ⌛ STALE (no answer for 3 intervals) · ■ final · ◌ pending",
                classes="dialog-hint",
            )
            yield Label(
                "A batch never fetched because fetching fails shows ? unknown and ✖ error.",
                classes="dialog-hint",
            )
            yield Label("esc closes", classes="dialog-hint")


def state_legend() -> str:
    """Every state's symbol and word, from the one table the rows use."""
    return "States: " + " · ".join(f"{symbol} {word}" for symbol, word in STATE_LABELS.values())


def help_rows(bindings: Sequence[Binding], key_display: dict[str, str]) -> list[HelpRow]:
    """One row per shown binding, in declaration order, keys displayed as in the footer."""
    rows = []
    for binding in bindings:
        if not binding.description:
            continue
        rows.append((key_display.get(binding.key, binding.key), binding.description, binding.tooltip))
    return rows
