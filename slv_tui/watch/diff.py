"""What changed between two snapshots of a batch: the facts that drive notifications and redraws."""

from __future__ import annotations

from slv_tui.slv.model import Batch, BatchState


def finished_now(previous: Batch | None, current: Batch | None) -> BatchState | None:
    """The final state if this poll saw the batch finish (not if it was already finished when added)."""
    if previous is None or current is None:
        return None
    if not previous.state.finished and current.state.finished:
        return current.state
    return None
