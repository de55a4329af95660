"""The client's same-answer cache: it saves parsing, never memory."""

from __future__ import annotations

import gc
import weakref

from support.sim import MakeClient, StartLoopSim

from slv_tui.slv.model import Batch

OK_ID = "1481016600181"  # finished in the static scenario: the same bytes every time


async def test_the_answer_cache_keeps_no_batch_alive(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    """Catches: the cache holding every batch it ever parsed (an archived batch's memory was never
    given back while the client lived)."""
    sim = await start_loop_sim(scenario="static")
    client = make_client(sim.url)
    first = await client.get_batch(OK_ID)
    again = await client.get_batch(OK_ID)
    same = again is first  # the same bytes: not parsed again, the same object
    del again
    gone: weakref.ref[Batch] = weakref.ref(first)
    del first
    gc.collect()
    held = gone() is not None
    refetched = await client.get_batch(OK_ID)  # parsed again, as new
    assert same and not held and refetched.batch_id == OK_ID
