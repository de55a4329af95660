"""The watchlist table: one row per batch keyed by its ID, cells updated in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from slv_tui.sanitize import clean
from slv_tui.slv.model import BatchState
from slv_tui.ui.format import age, duration, state_label
from slv_tui.ui.widgets.progress import progress_bar
from slv_tui.watch.snapshot import Condition, Snapshot

COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("id", "ID", None),
    ("label", "Label", 14),
    ("state", "State", 16),
    ("progress", "Progress", 15),
    ("step", "Step", 24),
    ("info", "Info", 5),
    ("warn", "Warn", 4),
    ("err", "Err", 4),
    ("elapsed", "Elapsed", 8),
    ("eta", "ETA", 7),
    ("updated", "Updated", 10),
    ("fetch", "Fetch", 12),
)

STATE_CSS = """
{w} > .batch-table--running {{ color: $text-accent; text-style: bold; }}
{w} > .batch-table--cancelling {{ color: $text-warning; text-style: bold; }}
{w} > .batch-table--failed {{ color: $text-error; text-style: bold; }}
{w} > .batch-table--errors {{ color: $text-warning; }}
{w} > .batch-table--cancelled {{ color: $text-error; }}
{w} > .batch-table--succeeded {{ color: $text-success; }}
"""
"""Colours of the state words, for any widget that shows them (format with w=the widget's type)."""

STATE_CLASS: dict[BatchState, str] = {
    BatchState.RUNNING: "batch-table--running",
    BatchState.CANCELLING: "batch-table--cancelling",
    BatchState.FAILED: "batch-table--failed",
    BatchState.COMPLETED_WITH_ERRORS: "batch-table--errors",
    BatchState.CANCELLED: "batch-table--cancelled",
    BatchState.SUCCEEDED: "batch-table--succeeded",
}


@dataclass(frozen=True, slots=True)
class BatchRow:
    """Everything one table row shows, computed by the dashboard from a snapshot."""

    snapshot: Snapshot
    label: str
    condition: Condition
    elapsed: float | None
    eta: float | None
    updated: float | None

    @property
    def batch_id(self) -> str:
        """The row key."""
        return self.snapshot.batch_id


class BatchTable(DataTable[Text]):
    """Watched batches; `sync` adds, removes, reorders and updates only the cells that changed."""

    BINDINGS = [Binding("enter", "select_cursor", "Details", id="details")]

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

    def on_mount(self) -> None:
        """Declare the columns, keyed so cells can be addressed by name."""
        for key, title, width in COLUMNS:
            self.add_column(title, key=key, width=width)

    @property
    def selected_id(self) -> str | None:
        """The batch ID under the cursor, if any."""
        if self.row_count == 0:
            return None
        row = min(max(self.cursor_row, 0), self.row_count - 1)
        return self.ordered_rows[row].key.value

    def sync(self, rows: Sequence[BatchRow], *, select: str | None = None) -> None:
        """Make the table show exactly these rows in this order, touching only what changed."""
        keep = select or self.selected_id
        if select is None and all(cells[2].plain == "… pending" for cells in self._cells.values()):
            keep = None  # first load: the cursor stays on the top row as rows arrive
        wanted = {row.batch_id for row in rows}
        for batch_id in [k for k in self._cells if k not in wanted]:
            self.remove_row(batch_id)
            del self._cells[batch_id]
        for row in rows:
            cells = self._render_row(row)
            old = self._cells.get(row.batch_id)
            if old is None:
                self.add_row(*cells, key=row.batch_id)
            else:
                for (key, _, _), before, after in zip(COLUMNS, old, cells, strict=True):
                    if before != after:
                        self.update_cell(row.batch_id, key, after, update_width=key == "id")
            self._cells[row.batch_id] = cells
        order = [row.batch_id for row in rows]
        if [r.key.value for r in self.ordered_rows] != order:
            rank = {batch_id: i for i, batch_id in enumerate(order)}
            self.sort("id", key=lambda cell: rank[cell.plain])
        if keep is not None and keep in wanted:
            index = self.get_row_index(keep)
            if index != self.cursor_row:
                self.move_cursor(row=index)

    def restyle(self) -> None:
        """Render every cell again (the theme changed)."""
        self._cells = {k: tuple(Text() for _ in COLUMNS) for k in self._cells}

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True, default=Style())

    def _render_row(self, row: BatchRow) -> tuple[Text, ...]:
        snap = row.snapshot
        batch = snap.batch
        muted = self._style("batch-table--muted")
        state = None if batch is None else batch.state
        state_style = muted if state is None else self._style(STATE_CLASS[state])
        bar = progress_bar(
            None if batch is None else batch.progress,
            bar_style=self._style("batch-table--bar"),
            empty_style=self._style("batch-table--bar-empty"),
        )
        if batch is None:
            bar = Text("")
        step = batch.current_step if batch is not None else None
        counts = batch.counts if batch is not None else None
        return (
            Text(snap.batch_id),
            _cell(clean(row.label), overflow=True),
            Text(state_label(state), style=state_style),
            bar,
            _cell("" if step is None else clean(step.title), overflow=True),
            self._count(None if counts is None else counts.info, ""),
            self._count(None if counts is None else counts.warning, "batch-table--errors"),
            self._count(None if counts is None else counts.error, "batch-table--failed"),
            Text(duration(row.elapsed), justify="right"),
            Text("" if row.eta is None else f"~{duration(row.eta)}", justify="right"),
            Text(age(row.updated), justify="right"),
            self._fetch(row),
        )

    def _count(self, n: int | None, alert: str) -> Text:
        if n is None:
            return Text("")
        style = self._style(alert) if alert and n > 0 else self._style("batch-table--muted") if n == 0 else ""
        return Text(str(n), style=style, justify="right")

    def _fetch(self, row: BatchRow) -> Text:
        snap = row.snapshot
        if row.condition is Condition.PENDING:
            return Text("◌ pending", style=self._style("batch-table--muted"))
        if row.condition is Condition.ERROR:
            return Text("✖ error", style=self._style("batch-table--error"))
        if row.condition is Condition.STALE:
            return Text("⌛ STALE", style=self._style("batch-table--stale"))
        if snap.error is not None:
            return Text("↻ retrying", style=self._style("batch-table--stale"))
        if not snap.polling:
            return Text("■ final", style=self._style("batch-table--muted"))
        return Text("● fresh", style=self._style("batch-table--succeeded"))


def _cell(text: str, *, overflow: bool = False) -> Text:
    return Text(text, no_wrap=True, overflow="ellipsis") if overflow else Text(text)
