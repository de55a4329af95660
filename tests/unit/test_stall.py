"""The stall rule: a running batch whose progress, step and message counts stay the same too long."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from slv_tui.slv.model import Batch, Counts
from slv_tui.watch.stall import recorded_stall, stalled_since, track

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


def _recorded(batch: Batch, at: datetime, **changes: object) -> dict[str, object]:
    return {"at": at.isoformat().replace("+00:00", "Z"), "kind": "progress", "state": batch.state.value,
            "progress": batch.progress, "cancelRequested": False, "warnings": batch.counts.warning,
            "errors": batch.counts.error, **changes}  # fmt: skip


def test_recorded_stall_is_the_last_event_when_nothing_changed_since() -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    hour_ago = now - timedelta(hours=1)
    events = [_recorded(RUNNING, hour_ago - timedelta(hours=1), progress=1.0), _recorded(RUNNING, hour_ago)]
    assert recorded_stall(events, RUNNING, now, 900) == hour_ago
    assert recorded_stall(events, RUNNING, now, 7200) is None  # not long enough
    assert recorded_stall(events, RUNNING, now, 0) is None  # disabled
    assert recorded_stall([], RUNNING, now, 900) is None  # nothing recorded: nothing known
    assert recorded_stall(events[:1], RUNNING, now, 900) is None  # it moved after the last event
    assert recorded_stall([_recorded(RUNNING, hour_ago, errors=9)], RUNNING, now, 900) is None
    assert recorded_stall([{"at": "junk"}], RUNNING, now, 900) is None


def test_the_tracker_keeps_no_batch_alive() -> None:
    """Catches: the tracker holding each batch it saw (an archived batch's whole answer was never
    given back: the snapshot kept a summary, the tracker the 4,000 messages)."""
    import gc
    import weakref

    from slv_tui.watch.stall import StallTracker

    tracker = StallTracker(900)
    batch = replace(RUNNING, counts=Counts(5, 0, 0))
    seen = weakref.ref(batch)
    assert tracker.observe("1", batch, 100.0) is None
    assert tracker.observe("1", batch, 200.0) is None  # the same object again: nothing learnt
    del batch
    gc.collect()
    assert seen() is None
    assert tracker.moved_at("1") == 100.0
