"""The watchlist table: one row per batch keyed by its ID, cells updated in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rich.style import Style
from rich.text import Text
from textual import events
from textual._types import SegmentLines
from textual.binding import Binding
from textual.cache import LRUCache
from textual.widgets import DataTable

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import BatchState
from slv_tui.ui.format import NOT_FOUND, ago, duration, since, state_label
from slv_tui.ui.key_order import keys_in_order
from slv_tui.ui.progress_bar import progress_bar
from slv_tui.ui.rows import BatchKey, BatchRow
from slv_tui.ui.styles import component_style
from slv_tui.watch.snapshot import Condition


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: its width and how readily it gives way on a narrow screen (see GROWTH)."""

    key: str
    title: str
    width: int
    drop: int = 0
    """0: always shown; otherwise columns with higher numbers are left out first when space is short."""


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", 2),
    Column("label", "Label", 12, drop=1),
    Column("state", "State", 16),
    Column("progress", "Progress", 15),
    Column("fetch", "Fetch", 10),
    Column("warn", "Warn", 4, drop=3),
    Column("err", "Err", 4, drop=2),
    Column("message", "Message", 16, drop=4),
    Column("step", "Step", 12, drop=9),
    Column("info", "Info", 5, drop=8),
    Column("elapsed", "Watched", 8, drop=6),
    Column("eta", "ETA", 8, drop=5),
    Column("updated", "Updated", 10, drop=7),
)
"""Declaration order is display order; ID is widened to the longest ID. State, progress and Fetch
(fresh or STALE) never give way: a narrow screen must not hide that data is old. Label goes last of
the others, then the trouble counts, then the message (the progress message or the failure reason).
"Watched" is the time since the batch was added to the watchlist (its start time is not known)."""

GROWTH: tuple[tuple[str, int], ...] = (("message", 14), ("label", 14), ("message", 46), ("step", 10))
"""How the room left over is shared out, in this order: the message first, then the label."""

UNLABELLED_DROP = 10
"""With no labels at all, the Label column is the first to go."""

COMPACT_PROGRESS = 10
"""Width of the Progress column when the full one does not fit: a 5-cell bar and the percent."""

Layout = tuple[tuple[str, int], ...]
"""The shown columns as (key, width), in display order."""


def fit_columns(available: int, *, id_width: int, labelled: bool, padding: int = 1) -> Layout:
    """Pick the columns that fit in `available` cells and share out what is left to Step and Label.

    The columns that are always shown come first; when even they do not fit, the progress bar
    gets shorter (the percentage stays).
    """
    columns = [replace(c, width=max(c.width, id_width)) if c.key == "id" else c for c in COLUMNS]

    def drop(column: Column) -> int:
        return UNLABELLED_DROP if column.key == "label" and not labelled else column.drop

    shown = {c.key for c in columns if not drop(c)}
    used = sum(c.width + 2 * padding for c in columns if c.key in shown)
    if used > available:
        columns = [replace(c, width=COMPACT_PROGRESS) if c.key == "progress" else c for c in columns]
        used = sum(c.width + 2 * padding for c in columns if c.key in shown)
    for column in sorted((c for c in columns if drop(c)), key=drop):
        cost = column.width + 2 * padding
        if used + cost <= available:
            shown.add(column.key)
            used += cost
    widths = {c.key: c.width for c in columns if c.key in shown}
    spare = max(0, available - used)
    for key, grow in GROWTH:
        if key not in widths or (key == "label" and not labelled):
            continue
        extra = min(spare, grow)
        widths[key] += extra
        spare -= extra
    return tuple((c.key, widths[c.key]) for c in columns if c.key in shown)


STATE_CSS = """
{w} > .batch-table--running {{ color: $text-accent; text-style: bold; }}
{w} > .batch-table--cancelling {{ color: $text-warning; text-style: bold; }}
{w} > .batch-table--failed {{ color: $text-error; text-style: bold; }}
{w} > .batch-table--errors {{ color: $text-error; text-style: bold; }}
{w} > .batch-table--cancelled {{ color: $foreground-muted; }}
{w} > .batch-table--succeeded {{ color: $text-success; }}
"""
"""Colours of the state words, for any widget that shows them (format with w=the widget's type):
what needs attention (failed, with errors) in the alarm colour, cancelling as a warning, cancelled
neutral. The CLI uses the same colours (`human.py`)."""

STATE_CLASS: dict[BatchState, str] = {
    BatchState.RUNNING: "batch-table--running",
    BatchState.CANCELLING: "batch-table--cancelling",
    BatchState.FAILED: "batch-table--failed",
    BatchState.COMPLETED_WITH_ERRORS: "batch-table--errors",
    BatchState.CANCELLED: "batch-table--cancelled",
    BatchState.SUCCEEDED: "batch-table--succeeded",
}


VIM_KEYS = (
    Binding("j", "cursor_down", "", show=False),
    Binding("k", "cursor_up", "", show=False),
    Binding("ctrl+d", "page_down", "", show=False),
    Binding("ctrl+u", "page_up", "", show=False),
)
"""Movement as in k9s and lazygit, for the table and the step tree (g and G per widget); no
description, so help lists them once, in its movement rows."""


class BatchTable(DataTable[Text]):
    """Watched batches; `sync` adds, removes, reorders and updates only the cells that changed."""

    BINDINGS = [
        Binding(
            "enter",
            "select_cursor",
            "Details",
            show=False,
            tooltip="Go into the selected batch's step tree",
            id="details",
        ),
        *VIM_KEYS,
        Binding("g", "scroll_top", "", show=False),
        Binding("G", "scroll_bottom", "", show=False),
    ]

    DEFAULT_CSS = (
        STATE_CSS.format(w="BatchTable")
        + """
    BatchTable {
        height: 1fr;
        min-height: 5;
    }
    BatchTable > .batch-table--muted { color: $foreground-muted; }
    BatchTable > .batch-table--stale { color: $text-warning; text-style: bold; }
    BatchTable > .batch-table--error { color: $text-error; text-style: bold; }
    BatchTable > .batch-table--bar { color: $accent; }
    BatchTable > .batch-table--bar-empty { color: $foreground-muted; }
    """
    )

    COMPONENT_CLASSES = {
        *STATE_CLASS.values(),
        "batch-table--muted",
        "batch-table--stale",
        "batch-table--error",
        "batch-table--bar",
        "batch-table--bar-empty",
    }

    def __init__(self) -> None:
        super().__init__(id="batch-table", cursor_type="row", zebra_stripes=True)
        self._cells: dict[str, tuple[Text, ...]] = {}
        self._shown: dict[str, tuple[object, ...]] = {}
        """Per row, what its cells were last rendered from (`_content`): equal content, no rendering."""
        self._rows: dict[str, BatchRow] = {}
        self._order: list[str] = []
        self._layout: Layout = ()
        self._bar_width = 10
        self._rendered: dict[tuple[int, int], tuple[Text, tuple[object, ...], SegmentLines]] = {}
        """The last rendering of each cell position: its value, its look and its lines."""
        self._cell_render_cache = LRUCache(64)
        """DataTable's own cell cache (10,000 renderings keyed by its update count, so never hit
        again after a change) is only needed for the column titles now: kept small."""
        self._auto_row: int | None = 0
        """Where sync left the cursor while nobody has picked a row (it stays on the top row, however
        the rows reorder as they arrive); None once a row was picked."""

    async def on_key(self, event: events.Key) -> None:
        """/ (and the other keys that open an input) at once; later keys to the input it focused."""
        await keys_in_order(self, event)

    def on_mount(self) -> None:
        """Declare the columns that fit, keyed so cells can be addressed by name."""
        self._relayout()

    def on_resize(self) -> None:
        """Show more or fewer columns as the terminal grows or shrinks."""
        self._relayout()

    @property
    def shown_columns(self) -> tuple[str, ...]:
        """The keys of the columns on screen, in order."""
        return tuple(key for key, _ in self._layout)

    @property
    def selected_id(self) -> str | None:
        """The batch ID under the cursor, if any."""
        if self.row_count == 0:
            return None
        row = min(max(self.cursor_row, 0), self.row_count - 1)
        return self.ordered_rows[row].key.value

    @property
    def selected_key(self) -> BatchKey | None:
        """The (server, batch ID) under the cursor, if any (one server per table today: the
        DataTable's own row key is the batch ID)."""
        batch_id = self.selected_id
        row = None if batch_id is None else self._rows.get(batch_id)
        return None if row is None else row.key

    def sync(self, rows: Sequence[BatchRow], *, select: BatchKey | None = None) -> None:
        """Make the table show exactly these rows in this order, touching only what changed."""
        if self._auto_row is not None and (select is not None or self.cursor_row != self._auto_row):
            self._auto_row = None  # a row was picked: from now on the cursor follows that batch
        keep = select.batch_id if select else (self.selected_id if self._auto_row is None else None)
        wanted = {row.batch_id for row in rows}
        if self._cells.keys() - wanted:
            self._rendered.clear()  # fewer rows: forget the positions past the end
        for batch_id in [k for k in self._cells if k not in wanted]:
            self.remove_row(batch_id)
            del self._cells[batch_id]
            self._shown.pop(batch_id, None)
        self._rows = {row.batch_id: row for row in rows}
        self._order = [row.batch_id for row in rows]
        if not self._relayout():
            shown = set(self.shown_columns)
            for row in rows:
                batch_id = row.batch_id
                content = _content(row)
                old = self._cells.get(batch_id)
                if old is None:
                    self._cells[batch_id] = cells = self._render_row(row)
                    self._shown[batch_id] = content
                    self.add_row(*self._visible(cells), key=batch_id)
                    continue
                before = self._shown.get(batch_id)  # None after a restyle: every cell again
                if before == content:
                    continue
                new = list(old)
                for i, column in enumerate(COLUMNS):
                    if before is None or before[i] != content[i]:
                        new[i] = self._cell_text(column.key, row)
                        if column.key in shown and new[i] != old[i]:
                            self.update_cell(batch_id, column.key, new[i])
                self._cells[batch_id] = tuple(new)
                self._shown[batch_id] = content
            if [r.key.value for r in self.ordered_rows] != self._order:
                rank = {batch_id: i for i, batch_id in enumerate(self._order)}
                self.sort("id", key=lambda cell: rank[cell.plain])
        if keep is not None and keep in wanted:
            index = self.get_row_index(keep)
            if index != self.cursor_row:
                self.move_cursor(row=index)
        if self._auto_row is not None:
            self._auto_row = self.cursor_row

    def restyle(self) -> None:
        """Render every cell again (the theme changed)."""
        self._cells = {k: tuple(Text() for _ in COLUMNS) for k in self._cells}
        self._shown = {}
        self._rendered.clear()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """DataTable renders every visible cell again after any `update_cell`; a cell whose value
        (the very Text object), place and look are unchanged is drawn as last time instead.
        One rendering per position is kept, so the memory is bounded by the table's size."""
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        if row_key is None or column_key is None:  # the header row or a row label
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        value = self._data[row_key][column_key]
        look = (base_style, width, cursor, hover, self._show_hover_cursor, self._pseudo_class_state)
        kept = self._rendered.get((row_index, column_index))
        if kept is not None and kept[0] is value and kept[1] == look:
            return kept[2]
        lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        self._rendered[row_index, column_index] = (value, look, lines)
        return lines

    # -- columns ----------------------------------------------------------------------------------

    def _visible(self, cells: tuple[Text, ...]) -> list[Text]:
        shown = set(self.shown_columns)
        return [cell for column, cell in zip(COLUMNS, cells, strict=True) if column.key in shown]

    def _relayout(self) -> bool:
        """Rebuild the columns when what fits changed (resize, first label, longer ID); True if rebuilt.

        Only a resize or a new kind of row can change the layout, so polls never rebuild the table.
        """
        rows = self._rows
        available = self.size.width - self.styles.scrollbar_size_vertical
        layout = fit_columns(
            available,
            id_width=max((len(batch_id) for batch_id in rows), default=2),
            labelled=any(clean(row.label) for row in rows.values()),
            padding=self.cell_padding,
        )
        if layout == self._layout:
            return False
        self._layout = layout
        self._bar_width = dict(layout)["progress"] - 5
        keep = self.selected_id
        titles = {column.key: column.title for column in COLUMNS}
        self._cells = {batch_id: self._render_row(row) for batch_id, row in rows.items()}
        self._shown = {batch_id: _content(row) for batch_id, row in rows.items()}
        self._rendered.clear()
        self.clear(columns=True)
        for key, width in layout:
            self.add_column(titles[key], key=key, width=width)
        for batch_id in self._order:
            if batch_id in self._cells:
                self.add_row(*self._visible(self._cells[batch_id]), key=batch_id)
        if keep is not None and keep in self._cells:
            self.move_cursor(row=self.get_row_index(keep), animate=False)
        return True

    _style = component_style

    def _render_row(self, row: BatchRow) -> tuple[Text, ...]:
        return tuple(self._cell_text(column.key, row) for column in COLUMNS)

    def _cell_text(self, key: str, row: BatchRow) -> Text:
        """One cell of a row (what it shows is `_content`'s entry for the same column)."""
        snap = row.snapshot
        batch = snap.batch
        counts = None if batch is None else batch.counts
        if key == "id":
            return Text(snap.batch_id)
        if key == "label":
            return _cell(clean(row.label), overflow=True)
        if key == "state":
            state = None if batch is None else batch.state
            style = self._style("batch-table--muted" if state is None else STATE_CLASS[state])
            word = NOT_FOUND if row.not_found else _state_word(state, row.condition)
            return Text(word, style=style)
        if key == "progress":
            if batch is None:
                return Text("")
            bar_style, empty_style = self._style("batch-table--bar"), self._style("batch-table--bar-empty")
            return progress_bar(batch.progress, self._bar_width, bar_style=bar_style, empty_style=empty_style)
        if key == "message":
            return _cell(clean(row.message, max_length=200), overflow=True)
        if key == "step":
            step = None if batch is None else batch.current_step
            return _cell("" if step is None else clean(step.title), overflow=True)
        if key == "info":
            return self._count(None if counts is None else counts.info, "")
        if key == "warn":
            return self._count(None if counts is None else counts.warning, "batch-table--errors")
        if key == "err":
            return self._count(None if counts is None else counts.error, "batch-table--failed")
        if key == "elapsed":
            return Text(since(row.elapsed), justify="right")
        if key == "eta":
            return Text("" if row.eta is None else f"~{duration(row.eta)}", justify="right")
        if key == "updated":
            return Text(ago(row.updated), justify="right")
        return self._fetch(row)

    def _count(self, n: int | None, alert: str) -> Text:
        if n is None:
            return Text("")
        style = self._style(alert) if alert and n > 0 else self._style("batch-table--muted") if n == 0 else ""
        return Text(str(n), style=style, justify="right")

    def _fetch(self, row: BatchRow) -> Text:
        snap = row.snapshot
        if row.condition is Condition.PENDING:
            return Text("◌ pending", style=self._style("batch-table--muted"))
        if row.not_found:  # probed again slowly: a batch may appear a moment after it was started
            return Text("↻ probing", style=self._style("batch-table--muted"))
        if row.condition is Condition.ERROR:
            return Text("✖ error", style=self._style("batch-table--error"))
        if row.condition is Condition.STALE:
            return Text("⌛ STALE", style=self._style("batch-table--stale"))
        if not snap.polling:  # finished and confirmed: a failed manual refresh is not retried
            return Text("■ final", style=self._style("batch-table--muted"))
        if snap.error is not None:
            return Text("↻ retrying", style=self._style("batch-table--stale"))
        return Text("● fresh", style=self._style("batch-table--succeeded"))


def _content(row: BatchRow) -> tuple[object, ...]:
    """What each cell of a row shows, column by column as in COLUMNS, as plain values (times as
    the text shown): a cell is rendered again only when its entry changed."""
    snap = row.snapshot
    batch = snap.batch
    state = step = counts = None
    if batch is not None:
        state, counts = batch.state, batch.counts
        current = batch.current_step
        step = None if current is None else current.title
    return (
        snap.batch_id,
        row.label,
        (state, row.condition, row.not_found),
        None if batch is None else (batch.progress,),  # unknown progress draws a bar, no batch nothing
        (row.condition, snap.error is not None, snap.polling, row.not_found),
        None if counts is None else counts.warning,
        None if counts is None else counts.error,
        row.message,
        step,
        None if counts is None else counts.info,
        since(row.elapsed),
        None if row.eta is None else duration(row.eta),
        ago(row.updated),
    )


def _state_word(state: BatchState | None, condition: Condition) -> str:
    """The state as shown; a batch never fetched because fetching fails is unknown, not pending."""
    if state is None and condition is Condition.ERROR:
        return "? unknown"
    return state_label(state)


def _cell(text: str, *, overflow: bool = False) -> Text:
    return Text(text, no_wrap=True, overflow="ellipsis") if overflow else Text(text)
