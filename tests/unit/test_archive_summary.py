"""Archived batches keep a summary, are not polled, and are fetched whole only when opened.

Counted: fetches and the messages kept (never seconds). A fake clock, a fake fetch.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from support.clock import FakeClock

from slv_tui.slv.model import Batch, Counts, Severity, Step, StepMessage
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import summarized

MESSAGES = tuple(StepMessage(Severity.INFO, f"Lamp-{i:05d} configured", 0, "OK") for i in range(4000))
BIG = Batch(
    "0",
    progress=100,
    counts=Counts(4000),
    steps=(Step("commissioning", "Commissioning", 0, infos=MESSAGES, counts=Counts(4000)),),
)


class FakeServer:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def fetch(self, batch_id: str) -> Batch:
        self.calls.append(batch_id)
        return BIG


def kept_messages(p: Poller) -> int:
    return sum(len(s.in_server_order) for snap in p.snapshots() if snap.batch for s in snap.batch.steps)


def make(server: FakeServer, clock: FakeClock) -> Poller:
    return Poller(server.fetch, clock=clock, rng=random.Random(7))


def test_a_summary_is_the_batch_without_its_messages() -> None:
    """Catches: a summary that reads differently in the table (state, counts, steps, progress)."""
    summary = summarized(BIG)
    assert summary.state is BIG.state and summary.counts == BIG.counts and summary.progress == 100
    assert [(s.name, s.title, s.counts) for s in summary.steps] == [
        (s.name, s.title, s.counts) for s in BIG.steps
    ]
    assert summary.current_step is not None and summary.current_step.in_server_order == ()


async def test_archiving_lets_go_of_the_messages_and_polls_nothing(clock: FakeClock) -> None:
    """Catches: an archived batch keeping its parsed answer (memory never given back)."""
    server = FakeServer()
    p = make(server, clock)
    p.watch(["1", "2", "3"])
    await p.poll_due()
    assert server.calls == ["1", "2", "3"] and kept_messages(p) == 12_000
    p.shelve(["1", "2"])
    assert kept_messages(p) == 4000
    snap = p.snapshot("1")
    assert snap is not None and snap.summary and snap.batch == summarized(BIG)
    assert not p.snapshot("3").summary  # type: ignore[union-attr]
    clock.advance(3600)
    assert await p.poll_due() is None and len(server.calls) == 3  # no archived batch is polled


async def test_a_fresh_start_keeps_only_summaries_of_archived_batches(clock: FakeClock) -> None:
    """Catches: a fresh start keeping every archived batch's parsed answer."""
    server = FakeServer()
    p = make(server, clock)
    p.watch(["1", "2"])
    p.shelve(["1", "2"])
    await p.poll_due()
    assert len(server.calls) == 2 and kept_messages(p) == 0
    assert all(s.summary for s in p.snapshots())


async def test_opening_an_archived_batch_fetches_it_once(clock: FakeClock) -> None:
    """Catches: the archive view fetching every archived batch, or the opened one again and again,
    or keeping every batch ever opened whole."""
    server = FakeServer()
    p = make(server, clock)
    p.watch(["1", "2"])
    p.shelve(["1", "2"])
    await p.poll_due()
    server.calls.clear()
    p.open_detail("1")
    await p.poll_due()
    assert server.calls == ["1"] and kept_messages(p) == 4000
    snap = p.snapshot("1")
    assert snap is not None and not snap.summary and snap.batch is BIG
    p.open_detail("1")  # the same batch, still open: nothing more
    clock.advance(60)
    assert await p.poll_due() is None and server.calls == ["1"]
    p.open_detail("2")  # another: it is fetched, the first goes back to its summary
    await p.poll_due()
    assert server.calls == ["1", "2"] and kept_messages(p) == 4000
    assert p.snapshot("1").summary  # type: ignore[union-attr]
    p.open_detail(None)  # the view closed
    assert kept_messages(p) == 0 and all(s.summary for s in p.snapshots())


async def test_a_batch_brought_back_is_fetched_whole(clock: FakeClock) -> None:
    server = FakeServer()
    p = make(server, clock)
    p.watch(["1"])
    p.shelve(["1"])
    await p.poll_due()
    p.shelve(["1"], shelved=False)
    await p.poll_due()
    assert len(server.calls) == 2 and kept_messages(p) == 4000 and not p.snapshot("1").summary  # type: ignore[union-attr]


def test_a_kept_summary_reads_back_as_the_summary() -> None:
    """Catches: a summary kept in the watchlist that reads back differently (state, counts, steps)."""
    from slv_tui.watch.snapshot import summary_of, summary_text

    failed = Batch("7", progress=None, status="ERROR", error_code="605", error_code_label="gone",
                   login="ops", counts=Counts(3, 1, 2), steps=BIG.steps)  # fmt: skip
    for batch in (BIG, failed):
        kept = summary_of(summary_text(batch, 1_700_000_000.5), batch.batch_id)
        assert kept == (summarized(batch), 1_700_000_000.5)
    assert summary_of("not json", "7") is None and summary_of('{"batchId": "7"}', "7") is None


async def test_a_fresh_start_with_kept_summaries_fetches_no_archived_batch(
    clock: FakeClock, tmp_path: Path
) -> None:
    """Catches: a fresh start fetching (and parsing) every archived batch again."""
    from slv_tui.store.watchlist import Watchlist
    from slv_tui.watch.board import Board

    server = FakeServer()
    watchlist = Watchlist(tmp_path / "watchlist.json")
    watchlist.load()
    watchlist.add(["1", "2", "3"])
    board = Board("s", make(server, clock), watchlist)
    await board.poller.poll_due()
    await board.archive(["1", "2"])
    assert kept_messages(board.poller) == 4000 and len(server.calls) == 3
    again = Watchlist(tmp_path / "watchlist.json")
    again.load()
    fresh_server = FakeServer()
    fresh = Board("s", make(fresh_server, clock), again)
    await fresh.poller.poll_due()
    assert fresh_server.calls == ["3"]  # the archived ones show their kept summaries
    for batch_id in ("1", "2"):
        snap = fresh.poller.snapshot(batch_id)
        assert snap is not None and snap.summary and not snap.polling
        assert snap.batch == replace(summarized(BIG), batch_id=batch_id)
        assert snap.fetched_at is not None and snap.fetched_at <= clock()
    fresh.open_detail("1")
    await fresh.poller.poll_due()
    assert fresh_server.calls == ["3", "1"]
    await fresh.archive(["1"], archived=False)  # brought back: no summary kept any more
    assert [e.summary for e in again.entries if e.batch_id == "1"] == [""]
