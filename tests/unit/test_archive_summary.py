"""Archived batches keep a summary, are not polled, and are fetched whole only when opened.

Counted: fetches and the messages kept (never seconds). A fake clock, a fake fetch.
"""

from __future__ import annotations

import random

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
