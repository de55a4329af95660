"""The words and symbols of batch states, shared by the dashboard, the CLI's human output and the docs."""

from __future__ import annotations

from slv_tui.slv.model import BatchState

STATE_LABELS: dict[BatchState, tuple[str, str]] = {
    BatchState.RUNNING: ("▶", "running"),
    BatchState.CANCELLING: ("⊝", "cancelling"),
    BatchState.FAILED: ("✖", "failed"),
    BatchState.COMPLETED_WITH_ERRORS: ("⚠", "done w/ errors"),
    BatchState.CANCELLED: ("⊘", "cancelled"),
    BatchState.SUCCEEDED: ("✔", "succeeded"),
}
"""Symbol and word per state, so a state reads without colour; ⊝ (not ⏸, which reads as "pause")
marks a cancel in progress. JSON keeps the state names (`completed_with_errors`)."""

NOT_FOUND = "? not found"
"""A batch the server does not know (an SLV error object such as `605 Batch not found`): a fetch
problem, shown in a neutral colour and never counted as failed."""


UNKNOWN = "? unknown"
"""A batch never fetched because fetching fails (connection, login, protocol): its state is not
known; the error is shown beside it, never as the failed symbol."""


def state_label(state: BatchState | None) -> str:
    """The state as symbol and word, e.g. "▶ running"; "… pending" when not fetched yet."""
    if state is None:
        return "… pending"
    symbol, word = STATE_LABELS[state]
    return f"{symbol} {word}"
