"""Plain-text rendering of batches for terminals and pipes: sanitized, colour only when asked."""

from __future__ import annotations

from collections.abc import Sequence

from slv_tui.common.sanitize import clean
from slv_tui.common.width import display_width, pad
from slv_tui.slv.errors import ServerError, SlvError
from slv_tui.slv.model import Batch, BatchState
from slv_tui.slv.vocabulary import NOT_FOUND, UNKNOWN, state_label

_COLORS = {
    BatchState.RUNNING: "36",
    BatchState.CANCELLING: "33",
    BatchState.CANCELLED: "2",
    BatchState.FAILED: "1;31",
    BatchState.COMPLETED_WITH_ERRORS: "1;31",
    BatchState.SUCCEEDED: "32",
}
"""The dashboard's palette: what needs attention in the alarm colour (red), cancelling as a warning
(yellow), cancelled neutral (dim), running cyan, succeeded green; not found is neutral too."""
_HEADERS = ("BATCH ID", "STATE", "PROGRESS", "INFO/WARN/ERR", "STEP", "MESSAGE")


def _paint(text: str, code: str | None, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text


def progress_text(batch: Batch) -> str:
    """`45%`, or `?` while the server does not know."""
    return "?" if batch.progress is None else f"{batch.progress:.0f}%"


def _row(batch_id: str, batch: Batch | None, error: SlvError | None) -> list[str]:
    if batch is None:
        state = NOT_FOUND if isinstance(error, ServerError) and error.not_found else UNKNOWN
        return [batch_id, state, "", "", "", clean(error, max_length=200)]
    counts = batch.counts
    step = batch.current_step
    message = batch.error_code_label or batch.progress_message or batch.message or ""
    if batch.state is BatchState.FAILED:  # why it failed comes first
        message = batch.error_code_label or batch.message or batch.progress_message or ""
    return [
        batch_id,
        state_label(batch.state),  # the dashboard's words and symbols; JSON keeps the state names
        progress_text(batch),
        f"{counts.info}/{counts.warning}/{counts.error}",
        clean(step.title if step else "", max_length=40),
        clean(message, max_length=300 if batch.state is BatchState.FAILED else 120),
    ]


def render_table(rows: Sequence[tuple[str, tuple[Batch | None, SlvError | None]]], *, color: bool) -> str:
    """An aligned table, one batch a line, with a header: columns aligned by display width (a CJK
    letter or an emoji takes two columns)."""
    cells = [list(_HEADERS)] + [_row(b, batch, err) for b, (batch, err) in rows]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(_HEADERS))]
    lines = []
    for index, row in enumerate(cells):
        padded = [pad(cell, widths[i]) for i, cell in enumerate(row)]
        if index == 0:
            padded = [_paint(p, "1", color) for p in padded]
        else:
            batch, error = rows[index - 1][1]
            code = (
                _COLORS.get(batch.state)
                if batch
                else "2"
                if isinstance(error, ServerError) and error.not_found
                else "33"
            )
            padded[1] = _paint(padded[1], code, color)
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines) + "\n"


def render_line(batch_id: str, batch: Batch, *, color: bool) -> str:
    """One line for `follow`: id, state, progress, step and message."""
    _, state, progress, counts, step, message = _row(batch_id, batch, None)
    state = _paint(state, _COLORS.get(batch.state), color)
    info, warn, err = counts.split("/")
    parts = [batch_id, state, progress, f"(info {info} · warn {warn} · err {err})", step]
    if message:
        parts.append("— " + message)
    return " ".join(p for p in parts if p)
