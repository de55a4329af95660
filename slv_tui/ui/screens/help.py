"""The help screen, generated from the declared bindings (the same ones the footer and palette use)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from slv_tui.ui.format import STALLED_MARK, STATE_LABELS

HelpRow = tuple[str, str, str]
"""(key as displayed, short description, longer help)."""

EXTRA: tuple[HelpRow, ...] = (
    ("j k  ↑ ↓", "Move", "Move in the table, the tree or this help"),
    ("ctrl+d ctrl+u", "Page", "A page down or up (also pgdn pgup)"),
    ("g G", "First / last", "Go to the first or last row (also ctrl+home ctrl+end)"),
    ("enter (tree)", "Open / close", "Open or close the node; opens the next page of messages"),
    ("ctrl+p", "Palette", "Every command, plus themes (the choice is remembered)"),
)


class HelpScreen(ModalScreen[None]):
    """Lists every key with what it does; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help-close"),
        Binding("q", "dismiss", "Close", show=False),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("j,down", "scroll('down')", "Down", show=False),
        Binding("k,up", "scroll('up')", "Up", show=False),
        Binding("ctrl+d,pagedown", "scroll('page_down')", "Page down", show=False),
        Binding("ctrl+u,pageup", "scroll('page_up')", "Page up", show=False),
        Binding("g", "scroll('home')", "Top", show=False),
        Binding("G", "scroll('end')", "Bottom", show=False),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

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
                "Fetch: ● fresh · ↻ retrying · ↻ probing (not found) · ⌛ STALE (no answer for 3 intervals)"
                " · ■ final · ◌ pending",
                classes="dialog-hint",
            )
            yield Label(
                "? not found: the server does not know the ID (probed again every 30 s, never counted as "
                "failed). ? unknown ✖ error: never fetched because fetching fails.",
                classes="dialog-hint",
            )
            yield Label("esc closes", classes="dialog-hint")
        yield Footer(compact=True, show_command_palette=False)

    def action_scroll(self, where: str) -> None:
        """Scroll the key list (j k, ctrl+d ctrl+u, g G)."""
        box = self.query_one("#help-dialog", VerticalScroll)
        {
            "down": box.scroll_down,
            "up": box.scroll_up,
            "page_down": box.scroll_page_down,
            "page_up": box.scroll_page_up,
            "home": box.scroll_home,
            "end": box.scroll_end,
        }[where]()


def state_legend() -> str:
    """Every state's symbol and word, from the one table the rows use, and the stalled condition."""
    states = " · ".join(f"{symbol} {word}" for symbol, word in STATE_LABELS.values())
    return f"States: {states} · {STALLED_MARK} (running, no change for stall_after)"


def help_rows(bindings: Sequence[Binding], key_display: dict[str, str]) -> list[HelpRow]:
    """One row per shown binding, in declaration order, keys displayed as in the footer."""
    rows: list[HelpRow] = []
    seen: dict[str, int] = {}
    for binding in bindings:
        if not binding.description:
            continue
        key = key_display.get(binding.key, binding.key)
        if key in seen:  # one key, two actions (p: pause / resume): one row naming both
            shown, description, details = rows[seen[key]]
            if binding.description not in description:
                rows[seen[key]] = (
                    shown,
                    f"{description} / {binding.description}",
                    f"{details}; {binding.tooltip}",
                )
            continue
        seen[key] = len(rows)
        rows.append((key, binding.description, binding.tooltip))
    return rows
