"""The dashboard's keys, declared once: the footer, help and the palette are generated from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding, BindingType
from textual.screen import Screen

if TYPE_CHECKING:
    from slv_tui.ui.rows import BatchKey
    from slv_tui.ui.screens.outputs import Outputs

TWIN = "_quietly"
"""The action suffix of a detail key's copy for narrow screens (`narrow_twin`)."""


def narrow_twin(binding: Binding) -> Binding:
    """The copy of a detail key (y, o, F) that acts below 100 columns, where the footer has no room
    for it: same key and id, so a `[keymap]` entry moves both; help and the palette list the original
    (see `is_narrow_twin`)."""
    return Binding(
        binding.key,
        f"{binding.action}{TWIN}",
        binding.description,
        show=False,
        id=binding.id,
        tooltip=binding.tooltip,
        key_display=binding.key_display,
    )


def is_narrow_twin(binding: Binding) -> bool:
    """One of `narrow_twin`'s copies (left out of help and the palette, which list the original)."""
    return binding.action.endswith(TWIN)


YANK = Binding(
    "y",
    "yank",
    "Yank",
    tooltip="In the detail: copy the highlighted message, else the IDs of the devices with errors",
    id="yank",
)
PAGER = Binding("o", "open_report", "Pager", tooltip="In the detail: the batch report in $PAGER", id="pager")

DASHBOARD_KEYS: list[BindingType] = [
    Binding("a", "add", "Add", tooltip="Add batch IDs to the watchlist", id="add"),
    Binding("d", "remove", "Remove", tooltip="Remove the selected batch (undo with u)", id="remove"),
    Binding(
        "u",
        "undo",
        "Undo",
        show=False,  # the removal toast names it; the footer keeps its room at 60 columns
        tooltip="Put back the last removed batch (again: the one before)",
        id="undo",
    ),
    Binding("u", "nothing_to_undo", "Undo", show=False, tooltip="Says there is nothing to undo"),
    Binding("l", "label", "Label", show=False, tooltip="Edit the selected batch's label", id="label"),
    Binding("r", "refresh", "Refresh", show=False, tooltip="Fetch the selected batch now", id="refresh"),
    Binding("R", "refresh_all", "Refresh all", show=False, tooltip="Fetch every batch now", id="refresh-all"),
    Binding("slash", "filter", "Filter", tooltip="Filter rows by ID, label or state", id="filter"),
    Binding(
        "e",
        "export",
        "Export",
        show=False,
        tooltip="Write the selected batch as JSON (export dir)",
        id="export",
    ),
    Binding(
        "E",
        "export_all",
        "Export all",
        show=False,
        tooltip="Write the batches shown as JSON",
        id="export-all",
    ),
    Binding("c", "copy_id", "Copy", show=False, tooltip="Copy the selected batch ID", id="copy"),
    Binding(
        "m",
        "report",
        "Report",
        show=False,
        tooltip="Write the selected batch's Markdown report",
        id="report",
    ),
    YANK,
    PAGER,
    narrow_twin(YANK),  # the twins below 100 columns: not in the footer
    narrow_twin(PAGER),
    Binding(
        "w",
        "scope",
        "Server",
        tooltip="Several servers: show one server's batches, the next one's, or all again",
        id="scope",
    ),
    Binding("p", "pause", "Pause", tooltip="Pause auto refresh (data then ages into stale)", id="pause"),
    Binding("p", "resume", "Resume", tooltip="Resume auto refresh", id="resume"),
    Binding("P", "password", "Password", show=False, tooltip="Enter the server password", id="password"),
    Binding(
        "x",
        "archive",
        "Archive",
        show=False,
        tooltip="Archive the selected finished batch (history kept); in the archive: bring it back",
        id="archive",
    ),
    Binding(
        "X",
        "toggle_archive",
        "Archived",
        show=False,
        tooltip="Show the archived batches (toggle)",
        id="archived",
    ),
    Binding(
        "s",
        "sort",
        "Sort",
        show=False,
        tooltip="Sort by the next column (or click a column header)",
        id="sort",
    ),
    Binding("S", "sort_reverse", "Reverse", show=False, tooltip="Reverse the sort", id="sort-reverse"),
    Binding(
        "exclamation_mark",
        "attention",
        "Attention",
        tooltip="Show only what needs attention "
        "(failed, with errors, cancelling, stale, not found); again shows all",
        id="attention",
    ),
    Binding("exclamation_mark", "show_all", "Show all", tooltip="Show every batch again", id="show-all"),
    Binding(
        "plus",
        "zoom",
        "View",
        show=False,
        tooltip="Table and detail / table only / detail only",
        id="zoom",
    ),
    Binding("escape", "back", "Back", show=False, tooltip="Close the filter / back to the table"),
]
"""The footer shows the everyday keys, so that all of them, help and quit included, fit at 60 columns;
the rest (enter, undo — the removal toast names it —, sort, …) are in help and the palette."""

TABLE_ONLY = frozenset({"add", "remove", "filter", "attention", "show_all", "sort", "sort_reverse"})
"""Keys that act on the table: off while the step tree has the focus (esc or q goes back first)."""

PER_BATCH = frozenset({"remove", "label", "refresh", "export", "copy_id", "details", "report", "archive"})
"""Keys that act on the selected batch: greyed out while no row is selected."""

DETAIL_SHOWN = frozenset({"yank", "open_report", "commission_failed"})
"""Keys that act on the batch's detail: on only while the step tree has the focus; in its footer
from 100 columns on (narrower, their `_quietly` twins, listed in help and the palette, do the same)."""
DETAIL_ONLY = DETAIL_SHOWN | {f"{action}{TWIN}" for action in DETAIL_SHOWN}


def key_off(action: str, reading: bool, wide: bool) -> bool:
    """This table or detail key is off now (the step tree has the focus or not; the screen is wide or not)."""
    if action in TABLE_ONLY:
        return reading
    if action in DETAIL_ONLY:
        return not reading or (action in DETAIL_SHOWN) is not wide
    return False


class DetailKeys(Screen[None]):
    """The actions of the detail's keys (y, o), handed to the screen's `Outputs`."""

    outputs: Outputs

    @property
    def selected_key(self) -> BatchKey | None:
        """The selected row's key (the dashboard's)."""
        raise NotImplementedError

    def action_yank(self) -> None:
        """Copy the highlighted message, else the IDs of the devices that reported errors."""
        if (key := self.selected_key) is not None:
            self.outputs.yank(key)

    def action_open_report(self) -> None:
        """Read the selected batch's Markdown report in `$PAGER` (the app suspended meanwhile)."""
        if (key := self.selected_key) is not None:
            self.outputs.page(key)

    def action_yank_quietly(self) -> None:
        """y where the footer has no room for it."""
        self.action_yank()

    def action_open_report_quietly(self) -> None:
        """o where the footer has no room for it."""
        self.action_open_report()
