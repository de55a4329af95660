"""The stall rule: a running batch whose progress, step and message counts stay the same too long."""

from __future__ import annotations

from dataclasses import replace

from slv_tui.slv.model import Batch, Counts
from slv_tui.watch.stall import stalled_since, track

RUNNING = Batch("1", progress=40.0, running=True, counts=Counts(3, 0, 0))


def test_stalled_after_stall_after_and_clears_when_moving() -> None:
    mark = track(None, RUNNING, 100.0)
    mark = track(mark, RUNNING, 200.0)
    assert stalled_since(mark, RUNNING, 200.0, 900) is None
    mark = track(mark, RUNNING, 1000.0)
    assert stalled_since(mark, RUNNING, 1000.0, 900) == 100.0
    moved = replace(RUNNING, counts=Counts(4, 0, 0))
    mark = track(mark, moved, 1001.0)
    assert stalled_since(mark, moved, 1001.0, 900) is None and mark.since == 1001.0


def test_disabled_and_finished_never_stalled() -> None:
    mark = track(None, RUNNING, 0.0)
    assert stalled_since(mark, RUNNING, 10_000.0, 0) is None
    done = replace(RUNNING, running=False, progress=100.0)
    assert stalled_since(track(mark, done, 1.0), done, 10_000.0, 900) is None
