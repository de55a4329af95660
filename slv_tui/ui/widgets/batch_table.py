"""The watchlist table: one row per batch keyed by (server, ID), cells updated in place."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import BatchState
from slv_tui.ui.format import NOT_FOUND, STALLED_MARK, STATE_LABELS, ago, duration, since, state_label
from slv_tui.ui.key_order import keys_in_order, opening_keys
from slv_tui.ui.progress_bar import progress_bar
from slv_tui.ui.rows import BatchKey, BatchRow
from slv_tui.ui.screens.dashboard_keys import DASHBOARD_KEYS
from slv_tui.ui.styles import colour_style, component_style
from slv_tui.ui.widgets.columns import COLUMNS, Layout, fit_columns, sort_arrow
from slv_tui.ui.widgets.kept_cells import KeptCellsTable
from slv_tui.watch.snapshot import Condition

ID_COLUMN = [c.key for c in COLUMNS].index("id")

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


class BatchTable(KeptCellsTable):
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
        *opening_keys(DASHBOARD_KEYS),  # a, l, /: run before the next key of a burst is read
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
        self._sort: tuple[str, bool] = ("state", False)
        self._titled: tuple[str, bool] | None = None
        """The sort the column titles show."""
        """The column the rows are sorted by and whether reversed (its title shows the arrow)."""
        self._watched: tuple[bool, int] | None = None
        """(any label, longest ID) over every batch the table could show, filter aside: the layout
        does not jump as the filter narrows the rows (None: from the rows shown)."""
        self.multi = False
        """Several servers: a Server column, and row keys that hold the server (`row_token`)."""
        self.server_colors: dict[str, str] = {}
        """Each server's colour (a profile's `color`), for its Server cells."""
        self._auto_row: int | None = 0
        """Where sync left the cursor while nobody has picked a row (it stays on the top row, however
        the rows reorder as they arrive); None once a row was picked."""

    _changed_rows: set[str] | None = None
    """While `sync` rewrites cells in place: the rows it touched. DataTable's `update_cell` repaints
    the whole table (every visible line rendered again, each second on a busy console); only these
    rows' lines are repainted instead. (A class default: DataTable refreshes in its `__init__`.)"""

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> BatchTable:  # fmt: skip
        """As DataTable's, except the whole-table repaint of an `update_cell` made by `sync` (which
        repaints the rows it changed, alone, when it is done)."""
        if self._changed_rows is not None and not (regions or layout or recompose):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

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

    def row_token(self, key: BatchKey) -> str:
        """The DataTable row key of a batch: its ID with one server, "server\tID" with several."""
        return f"{key.server}\t{key.batch_id}" if self.multi else key.batch_id

    @property
    def selected_token(self) -> str | None:
        """The DataTable row key under the cursor, if any."""
        if self.row_count == 0:
            return None
        row = min(max(self.cursor_row, 0), self.row_count - 1)
        return self.ordered_rows[row].key.value

    @property
    def selected_id(self) -> str | None:
        """The batch ID under the cursor, if any."""
        key = self.selected_key
        return None if key is None else key.batch_id

    @property
    def sort_key(self) -> tuple[str, bool]:
        """The column the rows are sorted by, and whether the order is reversed."""
        return self._sort

    @property
    def selected_key(self) -> BatchKey | None:
        """The (server, batch ID) under the cursor, if any."""
        token = self.selected_token
        row = None if token is None else self._rows.get(token)
        return None if row is None else row.key

    def sync(
        self,
        rows: Sequence[BatchRow],
        *,
        select: BatchKey | None = None,
        sort: tuple[str, bool] | None = None,
        watched: Iterable[tuple[str, str]] | None = None,
    ) -> None:
        """Make the table show exactly these rows in this order, touching only what changed.

        `sort` is the column the rows come sorted by and whether reversed (its title gets the arrow,
        it is never dropped); `watched` is (batch ID, label) of every batch the table could show,
        filter aside, so the columns chosen do not change as the filter narrows the rows.
        """
        if sort is not None:
            self._sort = sort
        if watched is not None:
            pairs = list(watched)
            self._watched = (
                any(map(_shows_text, (label for _, label in pairs))),
                max((len(batch_id) for batch_id, _ in pairs), default=2),
            )
        if self._auto_row is not None and (select is not None or self.cursor_row != self._auto_row):
            self._auto_row = None  # a row was picked: from now on the cursor follows that batch
        keep = self.row_token(select) if select else (self.selected_token if self._auto_row is None else None)
        token = self.row_token
        wanted = {token(row.key) for row in rows}
        if self._cells.keys() - wanted:
            self.forget_renderings()  # fewer rows: forget the positions past the end
        for batch_id in [k for k in self._cells if k not in wanted]:
            self.remove_row(batch_id)
            del self._cells[batch_id]
            self._shown.pop(batch_id, None)
        self._rows = {token(row.key): row for row in rows}
        self._order = list(self._rows)
        if not self._relayout():
            shown = set(self.shown_columns)
            self._changed_rows = changed = set()
            added = False
            try:
                for batch_id, row in self._rows.items():
                    content = _content(row)
                    old = self._cells.get(batch_id)
                    if old is None:
                        self._cells[batch_id] = cells = self._render_row(row)
                        self._shown[batch_id] = content
                        self.add_row(*self._visible(cells), key=batch_id)
                        added = True
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
                                changed.add(batch_id)
                    self._cells[batch_id] = tuple(new)
                    self._shown[batch_id] = content
            finally:
                self._changed_rows = None
            if [r.key.value for r in self.ordered_rows] != self._order:
                at = ID_COLUMN  # the ID cell object of each row is its own (the same ID on two servers too)
                rank = {id(self._cells[t][at]): i for i, t in enumerate(self._order)}
                self.sort("id", key=lambda cell: rank[id(cell)])
            elif added:
                self.refresh()
            else:
                for batch_id in changed:
                    self.refresh_row(self.get_row_index(batch_id))
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
        self.forget_renderings()

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
        id_width = max((len(row.batch_id) for row in rows.values()), default=2)
        server_width = max((len(row.server) for row in rows.values()), default=6) if self.multi else 0
        labelled = any(map(_shows_text, (row.label for row in rows.values())))
        if self._watched is not None:
            labelled, id_width = self._watched[0] or labelled, max(self._watched[1], id_width)
        column, reverse = self._sort
        layout = fit_columns(
            available, id_width=id_width, labelled=labelled, padding=self.cell_padding, keep=column,
            server_width=server_width,
        )  # fmt: skip
        if layout == self._layout and self._titled == self._sort:
            return False
        self._titled = self._sort
        self._layout = layout
        self._bar_width = dict(layout)["progress"] - 5
        keep = self.selected_token
        titles = {c.key: f"{c.title} {sort_arrow(reverse)}" if c.key == column else c.title for c in COLUMNS}
        self._cells = {batch_id: self._render_row(row) for batch_id, row in rows.items()}
        self._shown = {batch_id: _content(row) for batch_id, row in rows.items()}
        self.forget_renderings()
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
        if key == "server":
            cell = _cell(clean(row.server), overflow=True)
            cell.stylize(colour_style(self.server_colors.get(row.server, "")))
            return cell
        if key == "label":
            return _cell(clean(row.label), overflow=True)
        if key == "state":
            state = None if batch is None else batch.state
            style = self._style("batch-table--muted" if state is None else STATE_CLASS[state])
            if row.stalled_since is not None and state is not None:  # the state's symbol, then the mark
                mark = f"{STATE_LABELS[state][0]} {STALLED_MARK}"
                return Text(mark, style=self._style("batch-table--stale"))
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


@functools.lru_cache(maxsize=4096)
def _shows_text(label: str) -> bool:
    """Whether a label shows anything once cleaned. Asked for every watched label at every draw
    (does the label column fit?); labels rarely change, so each is cleaned once, not once a second."""
    return bool(clean(label))


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
        row.server,
        snap.batch_id,
        row.label,
        (state, row.condition, row.not_found, row.stalled_since is not None),
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
