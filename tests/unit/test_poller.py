"""The poll scheduler driven by a fake clock and a fake fetch: no sleeps, no sockets."""

from __future__ import annotations

import asyncio
import random

import pytest
from support.clock import FakeClock

from slv_tui.slv.errors import AuthError, ConnectionFailed, HttpStatusError, SlvError
from slv_tui.slv.model import Batch
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import Condition, PollRound

RUNNING = Batch("0", running=True, progress=10)
DONE = Batch("0", progress=100)


class FakeServer:
    """The poller's injection point: an async fetch whose answers the test decides."""

    def __init__(self) -> None:
        self.answers: dict[str, Batch | SlvError] = {}
        self.down: SlvError | None = None
        self.calls: list[str] = []

    async def fetch(self, batch_id: str) -> Batch:
        self.calls.append(batch_id)
        answer = self.down or self.answers.get(batch_id, RUNNING)
        if isinstance(answer, SlvError):
            raise answer
        return answer

    def take(self) -> list[str]:
        calls, self.calls = self.calls, []
        return calls


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


def make(server: FakeServer, clock: FakeClock, **kwargs: object) -> Poller:
    return Poller(server.fetch, clock=clock, rng=random.Random(7), **kwargs)  # type: ignore[arg-type]


async def test_interval_scheduling(server: FakeServer, clock: FakeClock) -> None:
    p = make(server, clock, interval=2.0)
    p.watch(["1", "2"])
    r = await p.poll_due()
    assert r is not None and [u.snapshot.batch_id for u in r.updates] == ["1", "2"]
    assert server.take() == ["1", "2"]
    assert await p.poll_due() is None  # nothing due yet
    clock.advance(1.9)
    assert await p.poll_due() is None
    assert server.take() == []
    assert p.next_wake() == pytest.approx(1002.0)
    clock.advance(0.1)
    await p.poll_due()
    assert server.take() == ["1", "2"]
    snap = p.snapshot("1")
    assert snap is not None and snap.batch == RUNNING and snap.fetched_at == 1002.0
    assert snap.condition(clock(), 2.0) is Condition.FRESH
    assert snap.condition(clock() + 6.5, 2.0) is Condition.STALE


async def test_watch_keeps_how_long_an_id_was_already_watched(server: FakeServer, clock: FakeClock) -> None:
    p = make(server, clock, interval=2.0)
    clock.now = 500.0
    p.watch(["1", "2"], seen_for={"1": 7200.0})
    p.watch(["1"], seen_for={"1": 10.0})  # already watched: left alone
    firsts = {s.batch_id: s.first_seen for s in p.snapshots()}
    assert firsts == {"1": 500.0 - 7200.0, "2": 500.0}


async def test_pending_before_first_fetch(server: FakeServer, clock: FakeClock) -> None:
    p = make(server, clock)
    p.watch(["1"])
    snap = p.snapshot("1")
    assert snap is not None and snap.condition(clock(), 2.0) is Condition.PENDING


async def test_finished_batch_fetched_once_more_then_never(server: FakeServer, clock: FakeClock) -> None:
    server.answers["1"] = DONE
    p = make(server, clock, interval=1.0, confirmations=2)
    p.watch(["1"])
    await p.poll_due()
    assert server.take() == ["1"]
    snap = p.snapshot("1")
    assert snap is not None and snap.polling
    assert not p.all_final
    clock.advance(1.0)
    await p.poll_due()
    assert server.take() == ["1"]  # the confirmation
    assert p.all_final
    assert p.next_attempt("1") is None
    for _ in range(5):
        clock.advance(100.0)
        assert await p.poll_due() is None
    assert server.take() == []
    snap = p.snapshot("1")
    assert snap is not None and not snap.polling
    assert snap.condition(clock(), 1.0) is Condition.FRESH  # finished data never goes stale


async def test_running_to_finished_resets_confirmations(server: FakeServer, clock: FakeClock) -> None:
    p = make(server, clock, interval=1.0)
    p.watch(["1"])
    await p.poll_due()
    server.answers["1"] = DONE
    clock.advance(1.0)
    r = await p.poll_due()
    assert r is not None and r.updates[0].finished_now is not None
    clock.advance(1.0)
    assert await p.poll_due() is None  # the answer that shows it finished is the last request
    assert server.take() == ["1", "1"]
    p.refresh(["1"])
    r = await p.poll_due()
    assert r is not None and r.updates[0].finished_now is None  # already finished before


async def test_refresh_refetches_finished_and_running(server: FakeServer, clock: FakeClock) -> None:
    server.answers["1"] = DONE
    p = make(server, clock, interval=5.0, confirmations=1)
    p.watch(["1", "2"])
    await p.poll_due()
    server.take()
    assert p.next_attempt("1") is None
    p.refresh(["1"])
    await p.poll_due()
    assert server.take() == ["1"]
    p.refresh()
    await p.poll_due()
    assert server.take() == ["1", "2"]
    clock.advance(100.0)
    await p.poll_due()
    assert server.take() == ["2"]  # refreshed finished batch is not polled again


async def test_backoff_with_jitter(server: FakeServer, clock: FakeClock) -> None:
    server.answers["bad"] = HttpStatusError(500, "boom")
    p = make(server, clock, interval=2.0, max_backoff=20.0)
    p.watch(["ok", "bad"])  # "ok" keeps the server judged up
    delays = []
    for _ in range(6):
        await p.poll_due()
        due = p.next_attempt("bad")
        assert due is not None
        delays.append(due - clock())
        clock.now = due
    bases = [2.0, 4.0, 8.0, 16.0, 20.0, 20.0]
    for delay, base in zip(delays, bases, strict=True):
        assert 0.8 * base <= delay <= 1.2 * base
    assert len({round(d / b, 6) for d, b in zip(delays, bases, strict=True)}) > 1  # jittered
    snap = p.snapshot("bad")
    assert snap is not None and snap.failures == 6 and snap.error_text == "HTTP error: boom"
    assert p.server.ok is True


async def test_backoff_jitter_differs_between_pollers(clock: FakeClock) -> None:
    seen = set()
    for seed in range(5):
        server = FakeServer()
        server.answers["bad"] = HttpStatusError(500, "boom")
        p = Poller(server.fetch, clock=clock, interval=2.0, rng=random.Random(seed))
        p.watch(["ok", "bad"])
        await p.poll_due()
        seen.add(p.next_attempt("bad"))
    assert len(seen) == 5


async def test_error_keeps_last_good_batch(server: FakeServer, clock: FakeClock) -> None:
    p = make(server, clock, interval=1.0)
    p.watch(["1", "2"])
    await p.poll_due()
    server.answers["1"] = ConnectionFailed("refused")
    clock.advance(1.0)
    await p.poll_due()
    snap = p.snapshot("1")
    assert snap is not None and snap.batch == RUNNING and snap.error is not None
    clock.advance(3.5)
    assert snap.condition(clock(), 1.0) is Condition.STALE


async def test_server_down_one_probe_per_round(server: FakeServer, clock: FakeClock) -> None:
    ids = [str(i) for i in range(1, 6)]
    p = make(server, clock, interval=1.0)
    p.watch(ids)
    await p.poll_due()
    assert server.take() == ids
    server.down = ConnectionFailed("refused")
    clock.advance(1.0)
    await p.poll_due()
    assert len(server.take()) == 5  # the round that finds out
    assert p.server.ok is False and p.server.reason == "connection failed: refused"
    assert not p.server.auth_problem
    probed = []
    for _ in range(8):
        clock.now = p.next_wake()
        await p.poll_due()
        calls = server.take()
        assert len(calls) == 1, calls  # only ONE request per round while down
        probed += calls
        assert await p.poll_due() is None  # nothing more until the next probe time
        assert server.take() == []
    assert len(set(probed)) > 1  # probes rotate over the batches
    server.down = None
    clock.now = p.next_wake()
    await p.poll_due()
    assert len(server.take()) == 1
    assert p.server.ok is True
    await p.poll_due()  # every batch that failed is due at once, no waiting for backoffs
    assert len(server.take()) == 4
    assert all(s.error is None for s in p.snapshots())


async def test_server_back_fetches_all_failed_at_once(server: FakeServer, clock: FakeClock) -> None:
    ids = ["1", "2", "3"]
    p = make(server, clock, interval=1.0)
    p.watch(ids)
    server.down = ConnectionFailed("refused")
    await p.poll_due()
    server.take()
    clock.now = p.next_wake()
    await p.poll_due()
    assert len(server.take()) == 1
    server.down = None
    clock.now = p.next_wake()
    await p.poll_due()
    (first,) = server.take()
    await p.poll_due()  # same clock time: no waiting for backoffs
    assert sorted(server.take()) == sorted(set(ids) - {first})
    assert all(s.error is None and s.batch is not None for s in p.snapshots())


async def test_auth_failure_backs_off_longer(server: FakeServer, clock: FakeClock) -> None:
    p = make(server, clock, interval=1.0, auth_backoff=30.0)
    p.watch(["1"])
    server.down = AuthError("refused")
    waits = []
    for _ in range(6):
        await p.poll_due()
        waits.append(p.next_wake() - clock())
        clock.now = p.next_wake()
    assert p.server.auth_problem
    assert waits[-1] > 20  # grows up to the 30 s cap (with jitter)
    assert waits == sorted(waits[:5]) + waits[5:]


async def test_html_page_instead_of_json_probes_at_the_interval(server: FakeServer, clock: FakeClock) -> None:
    """Only a *probable* login problem (a maintenance or proxy page): no lockout risk, so no long backoff."""
    p = make(server, clock, interval=1.0, auth_backoff=30.0)
    p.watch(["1"])
    server.down = AuthError("the server answered with an HTML page, not JSON", probable=True)
    waits = []
    for _ in range(6):
        await p.poll_due()
        waits.append(p.next_wake() - clock())
        clock.now = p.next_wake()
    assert p.server.auth_problem  # the header still offers the password dialog
    assert all(0.8 <= w <= 1.2 for w in waits)


async def test_pause_and_resume(server: FakeServer, clock: FakeClock) -> None:
    p = make(server, clock, interval=1.0)
    p.watch(["1"])
    p.pause()
    assert await p.poll_due() is None
    clock.advance(10.0)
    assert await p.poll_due() is None
    assert server.take() == []
    p.resume()
    await p.poll_due()
    assert server.take() == ["1"]


async def test_unwatch_forgets(server: FakeServer, clock: FakeClock) -> None:
    p = make(server, clock)
    p.watch(["1", "2"])
    p.unwatch(["1"])
    await p.poll_due()
    assert server.take() == ["2"]
    assert p.snapshot("1") is None
    assert [s.batch_id for s in p.snapshots()] == ["2"]


async def test_concurrency_bound(clock: FakeClock) -> None:
    active = 0
    peak = 0

    async def fetch(batch_id: str) -> Batch:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        for _ in range(10):
            await asyncio.sleep(0)
        active -= 1
        return RUNNING

    p = Poller(fetch, clock=clock, concurrency=3)
    p.watch([str(i) for i in range(12)])
    r = await p.poll_due()
    assert r is not None and len(r.updates) == 12
    assert peak == 3


async def test_on_round_is_called_with_every_round(server: FakeServer, clock: FakeClock) -> None:
    rounds: list[PollRound] = []
    p = make(server, clock, interval=1.0, on_round=rounds.append)
    p.watch(["1"])
    await p.poll_due()
    clock.advance(1.0)
    await p.poll_due()
    assert len(rounds) == 2 and rounds[1].at == clock()


async def test_concurrent_poll_due_calls_do_not_overlap(clock: FakeClock) -> None:
    release = asyncio.Event()
    calls: list[str] = []
    in_flight = 0
    peak = 0

    async def fetch(batch_id: str) -> Batch:
        nonlocal in_flight, peak
        calls.append(batch_id)
        in_flight += 1
        peak = max(peak, in_flight)
        await release.wait()
        in_flight -= 1
        return RUNNING

    entered = asyncio.Event()

    async def fetch_and_signal(batch_id: str) -> Batch:
        entered.set()
        return await fetch(batch_id)

    p = Poller(fetch_and_signal, clock=clock, interval=1.0)
    p.watch(["1"])
    first = asyncio.create_task(p.poll_due())
    await asyncio.wait_for(entered.wait(), 5)
    p.refresh()
    second = asyncio.create_task(p.poll_due())
    for _ in range(20):
        await asyncio.sleep(0)
    assert calls == ["1"]  # the second round waits for the first
    release.set()
    await asyncio.gather(first, second)
    assert peak == 1


async def test_run_loop_never_overlaps_rounds(clock: FakeClock) -> None:
    release = asyncio.Event()
    entered = asyncio.Event()
    round_done = asyncio.Event()
    calls = 0
    in_flight = 0
    peak = 0

    async def fetch(batch_id: str) -> Batch:
        nonlocal calls, in_flight, peak
        calls += 1
        in_flight += 1
        peak = max(peak, in_flight)
        entered.set()
        await release.wait()
        in_flight -= 1
        return RUNNING

    p = Poller(fetch, clock=clock, interval=1.0, on_round=lambda r: round_done.set())
    p.watch(["1"])
    task = asyncio.create_task(p.run())
    try:
        await asyncio.wait_for(entered.wait(), 5)
        for _ in range(3):  # time passes and the user hammers refresh while a round is in flight
            clock.advance(5.0)
            p.refresh()
            for _ in range(10):
                await asyncio.sleep(0)
        assert calls == 1 and peak == 1
        entered.clear()
        release.set()
        await asyncio.wait_for(round_done.wait(), 5)
        # the refreshes asked during the round are honoured once, only after it ended
        await asyncio.wait_for(entered.wait(), 5)
        assert calls == 2 and peak == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_failed_refresh_of_a_finished_batch_is_reported_not_retried(clock: FakeClock) -> None:
    from slv_tui.slv.errors import ConnectionFailed
    from slv_tui.slv.model import Batch as B

    answers: list[B | Exception] = [B("7", status="OK"), ConnectionFailed("down")]

    async def fetch(batch_id: str) -> B:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    p = Poller(fetch, clock=clock, interval=1.0)
    p.watch(["7"])
    await p.poll_due()
    assert p.snapshot("7").polling is False  # type: ignore[union-attr]
    p.refresh(["7"])
    await p.poll_due()
    snap = p.snapshot("7")
    assert snap is not None and snap.error is not None and snap.polling is False
    assert p.next_attempt("7") is None
    assert snap.condition(clock() + 100, 1.0).value == "fresh"


async def test_each_fetch_is_delivered_as_it_ends(clock: FakeClock) -> None:
    """A slow batch never holds back the others: the fast answer reaches `on_round` while it waits."""
    release = asyncio.Event()
    delivered: list[str] = []
    fast_seen = asyncio.Event()

    async def fetch(batch_id: str) -> Batch:
        if batch_id == "slow":
            await release.wait()
        return RUNNING

    def on_round(r: PollRound) -> None:
        delivered.extend(u.snapshot.batch_id for u in r.updates)
        if "fast" in delivered:
            fast_seen.set()

    p = Poller(fetch, clock=clock, interval=2.0, on_round=on_round)
    p.watch(["slow", "fast"])
    whole = asyncio.create_task(p.poll_due())
    await asyncio.wait_for(fast_seen.wait(), 5)
    assert delivered == ["fast"] and not whole.done()
    release.set()
    r = await whole
    assert delivered == ["fast", "slow"]
    assert r is not None and [u.snapshot.batch_id for u in r.updates] == ["slow", "fast"]


async def test_a_batch_in_flight_is_not_fetched_again_and_others_go_on(clock: FakeClock) -> None:
    release = asyncio.Event()
    calls: list[str] = []

    async def fetch(batch_id: str) -> Batch:
        calls.append(batch_id)
        if batch_id == "slow":
            await release.wait()
        return RUNNING

    p = Poller(fetch, clock=clock, interval=2.0)
    p.watch(["slow", "fast"])
    first = asyncio.create_task(p.poll_due())
    for _ in range(10):
        await asyncio.sleep(0)
    clock.advance(2.0)
    await p.poll_due()  # "fast" is due again; "slow" is still in flight
    assert calls == ["slow", "fast", "fast"]
    assert p.next_wake() == pytest.approx(clock() + 2.0)
    release.set()
    await first


async def test_next_poll_is_scheduled_from_the_start_of_the_previous_one(clock: FakeClock) -> None:
    async def fetch(batch_id: str) -> Batch:
        clock.advance(0.7)  # the answer takes 0.7 s
        return RUNNING

    p = Poller(fetch, clock=clock, interval=2.0)
    p.watch(["1"])
    await p.poll_due()
    assert p.next_attempt("1") == pytest.approx(1002.0)  # started at 1000, not ended at 1000.7


async def test_request_economy_fifty_running_batches(clock: FakeClock) -> None:
    """50 batches running 60 s at 2 s: one request per interval and one for the finished answer, then none."""
    finish_at = clock() + 60.0
    counts: dict[str, int] = {}

    async def fetch(batch_id: str) -> Batch:
        counts[batch_id] = counts.get(batch_id, 0) + 1
        await asyncio.sleep(0)
        return DONE if clock() >= finish_at else RUNNING

    ids = [str(i) for i in range(50)]
    p = Poller(fetch, clock=clock, interval=2.0, concurrency=16)
    p.watch(ids)
    while not p.all_final:
        clock.now = max(clock(), p.next_wake())
        await p.poll_due()
    minimum = 50 * (60 // 2 + 1)  # polls at 0, 2, ..., 58 see it running; the next one sees it finished
    assert sum(counts.values()) <= 1.05 * minimum, sum(counts.values())
    assert set(counts.values()) == {31}  # no confirmation request after the finished answer
    for _ in range(10):
        clock.advance(60.0)
        assert await p.poll_due() is None
    assert sum(counts.values()) <= 1.05 * minimum


async def test_rounds_merge_for_a_consumer_that_fell_behind(server: FakeServer, clock: FakeClock) -> None:
    from slv_tui.watch.snapshot import merged

    rounds: list[PollRound] = []
    p = make(server, clock, on_round=rounds.append)
    p.watch(["1", "2", "3"])
    await p.poll_due()
    assert [len(r.updates) for r in rounds] == [1, 1, 1]  # one per fetch, as each ends
    both = merged(rounds)
    assert sorted(u.snapshot.batch_id for u in both.updates) == ["1", "2", "3"]
    assert both.server == rounds[-1].server and both.snapshots == rounds[-1].snapshots
    assert merged(rounds[:1]) is rounds[0]
