"""The client's same-answer cache: it saves parsing, never memory."""

from __future__ import annotations

import gc
import weakref

import httpx
import pytest
from support.sim import MakeClient, StartLoopSim
from support.spy import spy

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


async def test_a_batch_fetched_again_parses_no_url(
    start_loop_sim: StartLoopSim, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: the request URL built from text at every fetch (httpx parsed it and encoded and
    merged the query again: 25 times a second on a busy console). The URL of a batch is built
    once; the request asks for the same URL as before."""
    sim = await start_loop_sim(scenario="static")
    client = make_client(sim.url)
    parsed = spy(monkeypatch, httpx._urls, "urlparse", lambda url="", **kwargs: url)
    sent = spy(monkeypatch, httpx.AsyncClient, "send", lambda self, request, **kwargs: str(request.url))
    await client.get_batch(OK_ID)
    first = len(parsed)
    for _ in range(3):
        await client.get_batch(OK_ID)
    assert len(parsed) == first, f"URLs parsed for 3 fetches again: {parsed[first:]}"
    assert sent == [f"{sim.url.rstrip('/')}/api/batch/getBatchResult?batchId={OK_ID}&ser=json"] * 4
