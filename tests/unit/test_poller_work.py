"""Work the poller does per fetch, counted (not timed): a first round over hundreds of IDs must not
walk every watched batch for each answer (it made the dashboard's first round over 500 IDs slower
than a bare script doing the same requests)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Any

from support.clock import FakeClock

from slv_tui.slv.errors import ServerError
from slv_tui.slv.model import Batch
from slv_tui.watch.poller import Poller


class CountingEntries(dict[str, Any]):
    """The poller's table of watched batches, counting the walks over all of them."""

    walks = 0

    def values(self) -> Any:
        CountingEntries.walks += 1
        return super().values()


async def test_a_first_round_walks_the_watchlist_a_fixed_number_of_times(clock: FakeClock) -> None:
    async def fetch(batch_id: str) -> Batch:
        if int(batch_id) % 2:
            raise ServerError("605", "Batch not found")  # an answer too: the server is up
        return Batch(batch_id, progress=100)

    poller = Poller(fetch, clock=clock, rng=random.Random(7), concurrency=16)
    poller._entries = CountingEntries()
    poller.watch(str(1000 + i) for i in range(200))
    CountingEntries.walks = 0
    poll_round = await poller.poll_due()
    assert poll_round is not None and len(poll_round.updates) == 200
    # choosing what is due, once; the round's snapshots, once; not one walk per answer (200)
    assert CountingEntries.walks <= 4, CountingEntries.walks


class CountingTask(asyncio.Task[Any]):
    """A task counting the times it is cancelled (an `asyncio.timeout` ending cancels its task)."""

    cancels = 0

    def cancel(self, msg: Any = None) -> bool:
        CountingTask.cancels += 1
        return super().cancel(msg)


async def test_the_loop_sleeps_between_fetches_without_cancelling_itself() -> None:
    """Waiting for the next fetch ends by a timer setting the wake-up, not by a timeout cancelling
    the loop's task: with 50 batches running at 2 s that was 25 cancellations (each raised through
    the task) a second."""
    loop = asyncio.get_running_loop()
    loop.set_task_factory(lambda loop, coro: CountingTask(coro, loop=loop))
    try:
        rounds = 0
        enough = asyncio.Event()

        def counted(_: object) -> None:
            nonlocal rounds
            rounds += 1
            if rounds == 20:
                enough.set()

        async def fetch(batch_id: str) -> Batch:
            return Batch(batch_id, running=True, progress=10)

        # a real clock and a tiny interval: each of the 20 fetches is due after a real sleep
        poller = Poller(fetch, interval=0.001, on_round=counted)
        poller.watch(["1"])
        CountingTask.cancels = 0
        task = asyncio.create_task(poller.run())
        await enough.wait()
        assert CountingTask.cancels == 0
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        loop.set_task_factory(None)
