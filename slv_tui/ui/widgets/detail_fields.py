"""The detail pane's field list: every documented attribute of a batch, and why a batch failed."""

from __future__ import annotations

from collections.abc import Callable

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


def fields_table(snapshot: Snapshot, now: float, style: Callable[[str], Style]) -> Table:
    """Every documented attribute of the batch, name beside value; a batch not fetched yet gets two."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style=style("detail--name"), no_wrap=True)
    grid.add_column(overflow="fold")
    batch = snapshot.batch
    updated = None if snapshot.fetched_at is None else now - snapshot.fetched_at
    if batch is None:
        grid.add_row("batchId", Text(snapshot.batch_id))
        fetched = "not yet" if snapshot.error is None else "not found" if not_found(snapshot) else "failed"
        grid.add_row("fetched", Text(fetched))
        return grid
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
    for name, value in rows:
        grid.add_row(name, value)
    return grid
