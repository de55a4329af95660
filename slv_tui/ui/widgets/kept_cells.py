"""The one place the product reaches into Textual's private API: DataTable's per-cell rendering.

DataTable renders every visible cell again after any `update_cell` (its cell cache is keyed by
the table's update count). `KeptCellsTable` keeps each position's last rendering and reuses it
while the cell's value (the very object) and look are unchanged; the gain is measured in
`benchmarks/RESULTS.md` ("Kept cell renderings"). It overrides `DataTable._render_cell`, so it is
tied to the Textual minor version pinned in `pyproject.toml`: `TESTED_TEXTUAL` names it, and
`tests/ui/test_kept_cells.py` fails loudly when the installed Textual differs or when the kept
renderings stop matching DataTable's own. It also bounds DataTable's own caches of cells (10,000
entries), lines and rows (1,000 each): all keyed by the table's update count, so an entry is not
read again after the next change, yet every cell, line or row rendered after a change adds one. A
console filled them for half an hour and more (several MB), which read as growth per message and
in soaks. Everything else it reads is public API.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

TESTED_TEXTUAL = "8.2"
"""The Textual minor version this override was written and tested against."""

CELL_CACHE = 64
"""Entries of DataTable's own cell cache (10,000 in DataTable): renderings are kept by position here."""

LINE_CACHE = 256
"""Entries of DataTable's line and row caches (1,000 each in DataTable): more than a screen holds."""

SegmentLines: TypeAlias = list[list[Segment]]
"""A rendered cell: one list of segments per line (as DataTable renders it)."""

Look: TypeAlias = tuple[Style, int, bool, bool, bool, bool]
"""What a cell's drawing depends on besides its value: style, width, cursor, focus, disabled, cursor shown."""


class KeptCellsTable(DataTable[Text]):
    """A DataTable that draws a cell whose value and look did not change as it drew it last time.

    One rendering per position is kept, so the memory is bounded by the table's size; `forget`
    drops them (rows removed, theme changed, columns rebuilt).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cell_render_cache.maxsize = CELL_CACHE
        self._line_cache.maxsize = LINE_CACHE
        self._row_render_cache.maxsize = LINE_CACHE
        self._kept: dict[tuple[int, int], tuple[Text, Look, SegmentLines]] = {}

    def forget_renderings(self) -> None:
        """Render every cell afresh on the next draw."""
        self._kept.clear()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """The kept rendering when value and look are unchanged, else DataTable's own."""
        if row_index < 0 or column_index < 0 or hover:  # header, row labels, the hover row: as is
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        value = self.get_cell_at(Coordinate(row_index, column_index))
        look: Look = (base_style, width, cursor, self.has_focus, self.disabled, self.show_cursor)
        kept = self._kept.get((row_index, column_index))
        if kept is not None and kept[0] is value and kept[1] == look:
            return kept[2]
        lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._kept[row_index, column_index] = (value, look, lines)
        return lines
