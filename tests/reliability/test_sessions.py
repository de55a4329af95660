"""Sessions and credentials under a hostile server, over real sockets against the simulator: one
failed login per run, headers read when a request goes out, rotating tokens, a server that changes
its login mode under a running poller."""

from __future__ import annotations

from typing import Any

import pytest
from support.clock import FakeClock
from support.sim import MakeClient, StartLoopSim
from support.sim import start_loop_sim as start_loop_sim  # the in-loop simulator fixture

from slv_tui.commands.status import fetch_each
from slv_tui.sim import SimServer
from slv_tui.slv import errors
from slv_tui.slv.auth import Secret
from slv_tui.watch.poller import Poller

from .hostilecases import record

CURRENT_USER = "/reports/api/userprofile/getCurrentUser"
SECURITY_CHECK = "/reports/j_security_check"
BATCH = "/reports/api/batch/getBatchResult"


from integration import conftest as _integration  # noqa: E402

make_client = _integration.make_client  # the one client fixture, shared with the integration tests


def count(sim: SimServer, path: str) -> int:
    return sum(1 for _, p in sim.requests if p == path)


LOGIN_PATH = {"csrf": CURRENT_USER, "form": SECURITY_CHECK, "basic": CURRENT_USER}


@pytest.mark.parametrize(
    ("server", "mode"),
    [("csrf", "auto"), ("csrf", "csrf"), ("form", "form"), ("form", "auto"), ("basic", "auto")],
)
async def test_a_wrong_password_is_tried_once_per_run(
    start_loop_sim: StartLoopSim, make_client: MakeClient, server: str, mode: str
) -> None:
    sim = await start_loop_sim(scenario="static", auth=server)
    ids = [sim.start_batch("commission_ok") for _ in range(16)]
    client = make_client(sim.url, password="wrong", mode=mode, concurrency=4)
    results = await fetch_each(client, ids)  # what `status` of 16 IDs does
    assert all(isinstance(error, errors.AuthError) for _, error in results), results
    attempts = count(sim, LOGIN_PATH[server])  # the probe is the login on a basic or csrf server
    assert len(sim.requests) <= 4  # at most: probe, auth.json, j_security_check, auth.json
    record(13, "`status` of 16 IDs, wrong password, login attempts (was 16 each)")
    record(13, f"{mode} on a {server} server: {attempts}")
    assert attempts == 1, f"{attempts} failed logins for one run"


async def test_forced_basic_sends_a_wrong_password_at_most_once_per_connection(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    """Forced basic: every request is a login; the first refusal stops every request still waiting."""
    sim = await start_loop_sim(scenario="static", auth="basic")
    ids = [sim.start_batch("commission_ok") for _ in range(16)]
    client = make_client(sim.url, password="wrong", mode="basic", concurrency=4)
    results = await fetch_each(client, ids)
    assert all(isinstance(error, errors.AuthError) for _, error in results)
    attempts = count(sim, BATCH)
    record(13, f"basic forced: {attempts} (at most the concurrency, 4)")
    assert attempts <= 4


async def test_the_poller_tries_a_refused_password_again_only_when_its_backoff_allows(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", auth="csrf")
    ids = [sim.start_batch("running_known") for _ in range(16)]
    client = make_client(sim.url, mode="auto", concurrency=4)
    clock = FakeClock()
    poller = Poller(client.get_batch, interval=1.0, concurrency=4, clock=clock)
    poller.watch(ids)
    first = await poller.poll_due()
    assert first is not None and all(u.snapshot.error is None for u in first.updates)
    sim.change_password("changed-by-an-operator")  # every session ends; the old password is refused
    before = count(sim, CURRENT_USER)
    clock.advance(1.0)
    await poller.poll_due()
    assert count(sim, CURRENT_USER) - before == 1  # one failed login, not one per batch
    assert poller.server.ok is False and poller.server.auth_problem
    assert await poller.poll_due() is None and count(sim, CURRENT_USER) - before == 1
    due = poller.next_attempt(ids[0])
    assert due is not None
    clock.advance(due - clock())
    await poller.poll_due()
    assert count(sim, CURRENT_USER) - before == 2  # the backoff allowed one more try
    client.set_password(Secret("changed-by-an-operator"))  # the operator gives the new password
    poller.refresh()
    while not poller.server.ok:
        assert await poller.poll_due() is not None
    await poller.poll_due()
    assert all(s.error is None for s in poller.snapshots())
    assert count(sim, CURRENT_USER) - before == 3
    record(13, "poller, 16 batches, password changed on the server: 1 failed login, 1 more per backoff try")


async def test_requests_queued_behind_the_gate_read_the_session_when_they_go_out(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", auth="csrf", session_max_uses=7)
    ids = [sim.start_batch("commission_ok") for _ in range(30)]
    client = make_client(sim.url, mode="auto", concurrency=16)
    results = await fetch_each(client, ids)
    fetched = sum(1 for batch, _ in results if batch is not None)
    record(14, f"{fetched} of 30 fetched (was 16 of 30) with {sim.handshakes} handshakes")
    assert fetched == 30, [str(e) for _, e in results if e is not None][:3]
    assert sim.handshakes <= 8


async def test_a_new_token_on_every_call(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static", auth="csrf", token_rotation=True)
    ids = [sim.start_batch("commission_ok") for _ in range(16)]
    client = make_client(sim.url, mode="auto")
    results = await fetch_each(client, ids)
    fetched = sum(1 for batch, _ in results if batch is not None)
    record(15, f"`status` of 16 IDs: {fetched} of 16 fetched (was 2 of 16), {sim.handshakes} handshake")
    assert fetched == 16, [str(e) for _, e in results if e is not None][:3]
    assert sim.handshakes <= 2


async def _restart_as(sim: SimServer, start_loop_sim: StartLoopSim, **kwargs: Any) -> SimServer:
    """The same port, another login mode (the CMS was upgraded and restarted)."""
    port = sim.port
    await sim.stop()
    other = SimServer(scenario="static", **kwargs)
    await other.start(port=port)
    return other


async def test_a_server_that_changes_its_login_mode_is_probed_again_once(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", auth="basic")
    batch = sim.start_batch("running_known")
    client = make_client(sim.url, mode="auto")
    await client.get_batch(batch)
    assert client.auth_label == "basic"
    csrf = await _restart_as(sim, start_loop_sim, auth="csrf")
    try:
        csrf.start_batch("running_known", batch_id=batch)
        outcomes: list[str] = []
        for _ in range(3):  # the poller's tries, each allowed by its backoff
            try:
                await client.get_batch(batch)
                outcomes.append("ok")
            except errors.AuthError:
                outcomes.append("refused")
        tries = ", ".join(outcomes)
        record(16, f"basic, then csrf on the same port: tries {tries} (was refused forever), 1 probe")
        assert outcomes[-1] == "ok" and client.auth_label == "csrf session"
        assert count(csrf, CURRENT_USER) == 1  # probed again once
    finally:
        await csrf.stop()


async def test_a_wrong_password_on_the_new_mode_is_probed_once_then_a_new_password_recovers(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", auth="basic")
    batch = sim.start_batch("running_known")
    client = make_client(sim.url, mode="auto")
    await client.get_batch(batch)
    csrf = await _restart_as(sim, start_loop_sim, auth="csrf", password="the-new-one")
    try:
        csrf.start_batch("running_known", batch_id=batch)
        for _ in range(4):  # the poller's tries, each allowed by its backoff
            with pytest.raises(errors.AuthError):
                await client.get_batch(batch)
        # the first try in basic mode, then the probe: one login attempt per try, never more
        assert count(csrf, CURRENT_USER) == 3
        assert len(csrf.requests) == 5
        client.set_password(Secret("the-new-one"))
        assert (await client.get_batch(batch)).batch_id == batch
        assert client.mode == "csrf"
    finally:
        await csrf.stop()
