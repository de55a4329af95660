"""10,000 consecutive failures on the fake clock never overflow the backoff."""

from __future__ import annotations

import random

from support.clock import FakeClock

from slv_tui.slv.errors import AuthError, HttpStatusError
from slv_tui.slv.model import Batch
from slv_tui.watch.poller import Poller

RUNNING = Batch("0", running=True, progress=10)
FAILURES = 10_000


async def test_ten_thousand_failures_stay_at_the_cap() -> None:
    clock = FakeClock()
    calls: list[str] = []

    async def fetch(batch_id: str) -> Batch:
        calls.append(batch_id)
        if batch_id == "bad":
            raise HttpStatusError(503, "down")
        return RUNNING

    p = Poller(fetch, clock=clock, interval=0.5, max_backoff=60.0, rng=random.Random(3))
    p.watch(["ok", "bad"])  # "ok" answers: the failures are "bad"'s own (per-batch backoff)
    for _ in range(FAILURES):
        due = p.next_attempt("bad")
        assert due is not None
        clock.now = max(clock.now, due)
        await p.poll_due()
    snap = p.snapshot("bad")
    assert snap is not None and snap.failures >= FAILURES - 1
    delay = p.next_attempt("bad")
    assert delay is not None and 0.8 * 60.0 <= delay - clock() <= 1.2 * 60.0


async def test_ten_thousand_auth_probes_stay_at_the_cap() -> None:
    clock = FakeClock()

    async def fetch(batch_id: str) -> Batch:
        raise AuthError("wrong password")

    p = Poller(fetch, clock=clock, interval=0.5, auth_backoff=30.0, rng=random.Random(5))
    p.watch(["a"])
    for _ in range(FAILURES):
        clock.advance(40.0)
        await p.poll_due()
    assert p.server.ok is False
