"""The detail pane's field list: every documented attribute of a batch, and why a batch failed."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import Batch
from slv_tui.ui.format import age, state_label
from slv_tui.ui.progress_bar import progress_bar
from slv_tui.ui.rows import not_found
from slv_tui.ui.widgets.batch_table import STATE_CLASS
from slv_tui.watch.snapshot import Snapshot


def _flag(value: bool | None) -> str:
    return "—" if value is None else "yes" if value else "no"


def _opt(value: object) -> str:
    return "—" if value is None or value == "" else clean(value)


def failure_reason(batch: Batch) -> str:
    """Why a batch failed, from its error code, label and message (whichever the server gave)."""
    code = batch.error_code if batch.error_code not in (None, "", "0") else None
    head = " ".join(clean(part, max_length=120) for part in (code, batch.error_code_label) if part)
    message = clean(batch.message, max_length=300) if batch.message else ""
    if head and message and message != head:
        return f"{head}: {message}"
    return head or message or f"status {clean(batch.status or 'ERROR')} (the server gave no reason)"


FieldRows = list[tuple[str, Text]]
"""The field list: (name, value) per line of the grid."""
COLUMN_ROOM = 8
"""Columns the grid may take beside the two columns' text (its padding is 2 on each side of the gap):
kept on the safe side, so a value said to fit on one line always does."""


RowLines = dict[tuple[object, ...], list[Segment]]
"""Rendered grid rows by what they show and the column widths (`FieldGrid`'s cache)."""
KEPT_ROWS = 256
"""Rendered rows a cache keeps (a screen's grid has ~20; it is emptied when full)."""


def fields_table(
    snapshot: Snapshot, now: float, style: Callable[[str], Style], kept: RowLines | None = None
) -> FieldGrid:
    """Every documented attribute of the batch, name beside value; a batch not fetched yet gets two."""
    return fields_grid(field_rows(snapshot, now, style), style, kept)


def fields_grid(rows: FieldRows, style: Callable[[str], Style], kept: RowLines | None = None) -> FieldGrid:
    """The rows as a grid: names in one column (never wrapped), values beside them (wrapped).

    `kept` (the pane's, across redraws) keeps each rendered row: the age moves every second and a
    poll changes a few values, so a redraw renders those rows only, not the whole grid."""
    return FieldGrid(rows, style("detail--name"), {} if kept is None else kept)


def _grid(rows: FieldRows, name_style: Style, widths: tuple[int, int] | None = None) -> Table:
    grid = Table.grid(padding=(0, 2))
    name_width, value_width = widths or (None, None)
    grid.add_column(style=name_style, no_wrap=True, width=name_width)
    grid.add_column(overflow="fold", width=value_width)
    for name, value in rows:
        grid.add_row(name, value)
    return grid


class FieldGrid:
    """A two-column grid (as `Table.grid(padding=(0, 2))` draws it) rendered row by row: the column
    widths are the whole grid's (the longest name; the widest value, within the room left), each
    row is the same lines as in the whole grid, and a row already rendered at these widths is
    taken from `kept` instead of being rendered again."""

    def __init__(self, rows: FieldRows, name_style: Style, kept: RowLines) -> None:
        self.rows = rows
        self.name_style = name_style
        self.kept = kept

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rows = self.rows
        if not rows:
            return
        name_width = max(cell_len(name) for name, _ in rows)
        widest = max(Measurement.get(console, options, value).maximum for _, value in rows)
        value_width = min(widest, options.max_width - name_width - 2)
        if value_width < 1:  # no room beside the names: the grid as rich fits it, not kept
            yield _grid(rows, self.name_style)
            return
        kept = self.kept
        look = (name_width, value_width, self.name_style, options.ascii_only)
        for row in rows:
            name, value = row
            key = (name, value.plain, tuple(value.spans), value.style, value.justify, value.overflow,
                   value.no_wrap, look)  # fmt: skip
            lines = kept.get(key)
            if lines is None:
                if len(kept) >= KEPT_ROWS:
                    kept.clear()
                grid = _grid([row], self.name_style, (name_width, value_width))
                lines = kept[key] = list(console.render(grid, options))
            yield from lines


def fields_shape(rows: FieldRows, width: int) -> tuple[object, ...] | None:
    """What the grid's height depends on at `width`: the names and every value that might wrap (a
    value shorter than the room beside the names is one line, whatever it says). Two grids of one
    shape are equally high; None when the room is too small to tell without rendering."""
    room = width - max((cell_len(name) for name, _ in rows), default=0) - COLUMN_ROOM
    if room <= 0:
        return None
    values = tuple(
        None if (plain := value.plain) and cell_len(plain) <= room and "\n" not in plain else plain
        for _, value in rows
    )
    return width, tuple(name for name, _ in rows), values


def field_rows(snapshot: Snapshot, now: float, style: Callable[[str], Style]) -> FieldRows:
    """The (name, value) lines of `fields_table`."""
    batch = snapshot.batch
    updated = None if snapshot.fetched_at is None else now - snapshot.fetched_at
    if batch is None:
        fetched = "not yet" if snapshot.error is None else "not found" if not_found(snapshot) else "failed"
        return [("batchId", Text(snapshot.batch_id)), ("fetched", Text(fetched))]
    bar = progress_bar(
        batch.progress,
        width=12,
        bar_style=style("detail--bar"),
        empty_style=style("detail--bar-empty"),
    )
    warn, err = style("detail--warning"), style("detail--error")
    counts = batch.counts
    code_bad = batch.error_code not in (None, "", "0")
    count_text = Text.assemble(
        f"info {counts.info}  ",
        (f"warning {counts.warning}", warn if counts.warning else ""),
        "  ",
        (f"error {counts.error}", err if counts.error else ""),
    )
    if batch.progress is None:
        bar.append("  (-1: unknown)")
    rows: list[tuple[str, Text]] = [
        ("batchId", Text(batch.batch_id)),
        ("state", Text(state_label(batch.state), style(STATE_CLASS[batch.state]))),
        ("batchProgressValue", bar),
        ("batchProgressMessage", Text(_opt(batch.progress_message))),
        ("batchRunning", Text(_flag(batch.running))),
        ("cancelRequested", Text(_flag(batch.cancel_requested), warn if batch.cancel_requested else "")),
        ("cancelled", Text(_flag(batch.cancelled), err if batch.cancelled else "")),
        ("status", Text(_opt(batch.status), err if (batch.status or "").upper() == "ERROR" else "")),
        ("statusOk", Text(_flag(batch.status_ok))),
        ("statusError", Text(_flag(batch.status_error), err if batch.status_error else "")),
        ("errorCode", Text(_opt(batch.error_code), err if code_bad else "")),
        ("errorCodeLabel", Text(_opt(batch.error_code_label))),
        ("message", Text(_opt(batch.message))),
        ("login (started by)", Text(_opt(batch.login))),
        ("value status", Text(_opt(batch.value_status))),
        ("counts", count_text),
        ("steps", Text(str(len(batch.steps)))),
        ("updated", Text(age(updated))),
    ]
    if batch.raw_value is not None:
        rows.append(("value", Text("not a commissioning result — shown as JSON →", warn)))
    return rows
