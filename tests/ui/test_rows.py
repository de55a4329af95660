"""The table's row model, without Textual: order, filter, elapsed and ETA from snapshots."""

from __future__ import annotations

import pytest

from slv_tui.slv.model import Batch, BatchState
from slv_tui.ui.format import ProgressTrend
from slv_tui.ui.rows import RowBuilder
from slv_tui.watch.snapshot import Condition, Snapshot

RUNNING = Batch("1", running=True, progress=10)
DONE = Batch("2", progress=100)
FAILED = Batch("3", status="ERROR", status_error=True)


def snap(batch_id: str, batch: Batch | None, *, first_seen: float = 0.0, fetched_at: float = 0.0) -> Snapshot:
    """A snapshot as the poller keeps it: a finished batch is no longer polled."""
    if batch is None:
        return Snapshot(batch_id, first_seen=first_seen)
    polling = not batch.state.finished
    return Snapshot(batch_id, first_seen=first_seen, batch=batch, fetched_at=fetched_at, polling=polling)


def test_running_first_then_watchlist_order_and_unknown_last() -> None:
    snaps = [snap("9", None), snap("2", DONE), snap("1", RUNNING), snap("3", FAILED)]
    rows = RowBuilder().rows(snaps, {}, now=1.0, interval=2.0)
    assert [r.batch_id for r in rows] == ["1", "3", "2", "9"]
    assert rows[-1].condition is Condition.PENDING


def test_filter_searches_id_label_state_and_condition() -> None:
    snaps = [snap("11", RUNNING), snap("22", DONE), snap("33", FAILED)]
    labels = {"22": "Depot North"}
    builder = RowBuilder()
    assert [r.batch_id for r in builder.rows(snaps, labels, now=0, interval=2, needle=" depot ")] == ["22"]
    assert [r.batch_id for r in builder.rows(snaps, labels, now=0, interval=2, needle="FAIL")] == ["33"]
    assert [r.batch_id for r in builder.rows(snaps, labels, now=100, interval=2, needle="stale")] == ["11"]


def test_elapsed_runs_while_running_and_stops_when_seen_finishing() -> None:
    builder = RowBuilder()
    (row,) = builder.rows([snap("1", RUNNING, first_seen=100.0)], {}, now=160.0, interval=2.0)
    assert row.elapsed == 60.0
    (row,) = builder.rows([snap("2", DONE, first_seen=100.0)], {}, now=500.0, interval=2.0)
    assert row.elapsed is None  # already finished when first seen: its run time is unknown
    builder.finished("2", 250.0)
    (row,) = builder.rows([snap("2", DONE, first_seen=100.0)], {}, now=500.0, interval=2.0)
    assert row.elapsed == 150.0


def test_eta_only_for_a_fresh_running_batch_and_trends_are_forgotten() -> None:
    builder = RowBuilder()
    etas = []
    for t, progress in ((0.0, 10.0), (30.0, 40.0), (60.0, 70.0)):
        batch = Batch("1", running=True, progress=progress)
        snaps = [snap("1", batch, fetched_at=t)]
        builder.observe(snaps)
        (row,) = builder.rows(snaps, {}, now=t, interval=2.0)
        etas.append(row.eta)
    # how long it sat at 10 % is unknown, so the first change only anchors; then 30 % per 30 s
    assert etas == [None, None, 30.0]
    assert row.snapshot.state is BatchState.RUNNING
    (row,) = builder.rows([snap("1", Batch("1", running=True, progress=70), fetched_at=60.0)], {}, now=90.0,
                          interval=2.0)  # fmt: skip
    assert row.condition is Condition.STALE and row.eta is None
    assert builder.trends  # building rows learns nothing
    builder.observe([])
    assert builder.trends == {}


def test_observe_reads_only_the_changed_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting, not timing: a round that brings one fetch of 200 watched batches feeds one trend.
    Catches the builder walking every watched snapshot each round (200 trend updates a round, ~25
    rounds a second on a busy console)."""
    added: list[str] = []
    real_add = ProgressTrend.add

    def counting_add(self: ProgressTrend, at: float, progress: float) -> None:
        added.append("add")
        real_add(self, at, progress)

    monkeypatch.setattr(ProgressTrend, "add", counting_add)
    ids = [str(1000 + i) for i in range(200)]
    snaps = {b: snap(b, Batch(b, running=True, progress=10), fetched_at=0.0) for b in ids}
    builder = RowBuilder()
    builder.observe(list(snaps.values()))
    assert len(added) == 200 and len(builder.trends) == 200
    watched = set(ids)
    for i in range(1, 11):  # ten rounds, one fetch each
        one = snap(ids[i], Batch(ids[i], running=True, progress=10 + i), fetched_at=float(i))
        snaps[one.batch_id] = one
        added.clear()
        builder.observe([one], watched=watched)
        assert len(added) == 1
    added.clear()
    builder.observe(list(snaps.values()))  # the old call: every snapshot, nothing new in them
    assert added == []
    assert builder.trends["1001"].changes[-1] == (1.0, 11.0)


def test_observe_with_watched_forgets_removed_batches() -> None:
    builder = RowBuilder()
    builder.observe([snap("1", RUNNING, fetched_at=1.0), snap("2", RUNNING, fetched_at=1.0)])
    builder.observe([snap("1", Batch("1", running=True, progress=20), fetched_at=2.0)], watched=["1"])
    assert set(builder.trends) == {"1"}
    builder.observe([], watched=frozenset())
    assert builder.trends == {}
    builder.observe([snap("2", RUNNING, fetched_at=1.0)], watched={"2"})  # watched again: read again
    assert set(builder.trends) == {"2"}


def test_ages_turning_close_together_are_drawn_together() -> None:
    """Catches: one redraw a second while the "updated … ago" cells of rows fetched a moment apart
    turn their minute one by one (a console of finished batches woke two or three times a minute)."""
    builder = RowBuilder()
    close = [snap("1", DONE, fetched_at=0.0), snap("2", DONE, fetched_at=1.5)]
    builder.rows(close, {}, now=3600.0 + 10, interval=2.0)
    assert builder.next_change == 3600.0 + 61.5  # both turn by then: one redraw
    apart = [snap("1", DONE, fetched_at=0.0), snap("2", DONE, fetched_at=30.0)]
    builder.rows(apart, {}, now=3600.0 + 10, interval=2.0)
    assert builder.next_change == 3600.0 + 30.0  # the first; the other turns half a minute later
