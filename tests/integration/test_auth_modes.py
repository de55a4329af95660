"""Every SLV login generation against the simulator over real sockets: detection, the CSRF session
shared by concurrent requests, dying sessions, wrong passwords and tokens."""

from __future__ import annotations

import asyncio

import pytest
from support.sim import MakeClient, StartLoopSim

from slv_tui.slv import errors
from slv_tui.watch.poller import Poller

OK_ID = "1481016600181"
RUNNING_ID = "1481019204417"


@pytest.mark.parametrize(
    ("server_mode", "label"),
    [("basic", "basic"), ("form", "form session"), ("csrf", "csrf session")],
)
async def test_auto_detects_each_mode_with_one_probe(
    start_loop_sim: StartLoopSim, make_client: MakeClient, server_mode: str, label: str
) -> None:
    sim = await start_loop_sim(scenario="static", auth=server_mode)
    client = make_client(sim.url, mode="auto")
    assert client.mode is None and client.auth_label is None
    batches = await asyncio.gather(*(client.get_batch(OK_ID) for _ in range(6)))
    assert {b.state.value for b in batches} == {"succeeded"}
    assert client.mode == server_mode and client.auth_label == label and client.mode_note is None
    paths = [path for _, path in sim.requests]
    assert paths.count("/reports/api/userprofile/getCurrentUser") == 1  # one probe for six requests
    user = await client.current_user()
    assert user is not None and user["login"] == "admin"


async def test_csrf_probe_is_the_handshake_and_later_calls_send_no_basic(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", auth="csrf")
    client = make_client(sim.url, mode="auto")
    for _ in range(5):
        await client.get_batch(OK_ID)
    assert sim.handshakes == 1
    assert sim.basic_in_session == 0


async def test_forced_csrf_without_auto(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static", auth="csrf")
    client = make_client(sim.url, mode="csrf")
    assert (await client.get_batch(OK_ID)).state.value == "succeeded"
    assert sim.handshakes == 1 and client.auth_label == "csrf session"


@pytest.mark.parametrize(
    ("server", "mode", "match"),
    [
        # what slv-tui did before: a 7.8-style server refuses Basic alone with a 403
        ("csrf", "basic", "HTTP 403"),
        # auto-detection on a bearer server says to use a token
        ("bearer", "auto", r"bearer token \(--auth bearer"),
    ],
    ids=["basic-on-csrf", "auto-on-bearer"],
)
async def test_the_wrong_login_is_refused_with_a_hint(
    start_loop_sim: StartLoopSim, make_client: MakeClient, server: str, mode: str, match: str
) -> None:
    sim = await start_loop_sim(scenario="static", auth=server)
    with pytest.raises(errors.AuthError, match=match):
        await make_client(sim.url, mode=mode).get_batch(OK_ID)


async def test_a_session_dying_mid_round_with_16_in_flight_costs_one_handshake(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", auth="csrf")
    ids = [sim.start_batch("commission_ok") for _ in range(16)]
    client = make_client(sim.url, mode="auto", concurrency=16)
    poller = Poller(client.get_batch, interval=1.0, concurrency=16)
    poller.watch(ids)
    first = await poller.poll_due()
    assert first is not None and all(u.snapshot.error is None for u in first.updates)
    assert sim.handshakes == 1
    sim.hold_batches(16)  # the next 16 calls are provably in flight together ...
    sim.expire_sessions_after(6)  # ... and the session dies after 6 of them were let through
    poller.refresh()
    second = await poller.poll_due()
    assert second is not None and len(second.updates) == 16
    assert sim.held_together == 16
    assert [u.snapshot.error for u in second.updates] == [None] * 16
    assert sim.handshakes == 2  # one fresh handshake for the 10 refused calls, not ten
    assert sim.request_count == 16 + 16 + 10  # the 10 refused ones were retried once each


async def test_sessions_dying_every_few_requests(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", auth="csrf", session_max_uses=3)
    client = make_client(sim.url, mode="auto")
    for _ in range(12):
        assert (await client.get_batch(OK_ID)).state.value == "succeeded"
    assert sim.handshakes == 4  # 12 calls, 3 per session: one handshake per dead session


async def test_form_session_expiry_is_one_relogin(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", auth="form")
    client = make_client(sim.url, mode="auto")
    await client.get_batch(OK_ID)
    sim.expire_sessions()
    await asyncio.gather(*(client.get_batch(OK_ID) for _ in range(4)))
    posts = [path for method, path in sim.requests if method == "POST"]
    assert posts == ["/reports/j_security_check"] * 2


async def test_csrf_wrong_password(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static", auth="csrf")
    for mode in ("auto", "csrf"):
        client = make_client(sim.url, password="Wr0ng-Pa55-x", mode=mode)
        with pytest.raises(errors.AuthError, match="refused") as caught:
            await client.get_batch(OK_ID)
        assert "Wr0ng-Pa55-x" not in str(caught.value)
    assert sim.handshakes == 0


async def test_bearer_token(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static", auth="bearer", token="t0ken-ABC-123")
    client = make_client(sim.url, password="t0ken-ABC-123", mode="bearer")
    assert (await client.get_batch(OK_ID)).state.value == "succeeded"
    assert client.auth_label == "bearer token"
    user = await client.current_user()
    assert user is not None and user["login"] == "admin"


async def test_wrong_bearer_token(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static", auth="bearer", token="t0ken-ABC-123")
    with pytest.raises(errors.AuthError, match="HTTP 401") as caught:
        await make_client(sim.url, password="t0ken-WRONG", mode="bearer").get_batch(OK_ID)
    assert "t0ken" not in str(caught.value)


async def test_a_new_password_after_a_refused_probe_probes_again(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    from slv_tui.slv.auth import Secret

    sim = await start_loop_sim(scenario="static", auth="csrf", password="R1ght-Pa55")
    client = make_client(sim.url, password="not-it-123", mode="auto")
    with pytest.raises(errors.AuthError):
        await client.get_batch(OK_ID)
    assert client.mode is None
    client.set_password(Secret("R1ght-Pa55"))
    assert (await client.get_batch(OK_ID)).state.value == "succeeded"
    assert client.mode == "csrf" and sim.handshakes == 1


@pytest.mark.parametrize("fault", ["login_redirect", "html"])
async def test_a_session_answer_that_stays_a_login_page_is_one_fresh_handshake_then_an_error(
    start_loop_sim: StartLoopSim, make_client: MakeClient, fault: str
) -> None:
    """A redirect is never followed (the cookie and token go nowhere else), and an HTML page where
    JSON was expected gets one fresh handshake and one retry, then it is an authentication failure."""
    sim = await start_loop_sim(scenario="static", auth="csrf")
    client = make_client(sim.url, mode="auto")
    await client.get_batch(OK_ID)
    sim.set_fault(fault)
    with pytest.raises(errors.AuthError):
        await client.get_batch(OK_ID)
    assert sim.handshakes == 2
    assert ("GET", "/reports/login.jsp") not in sim.requests
    sim.set_fault(None)
    assert (await client.get_batch(OK_ID)).state.value == "succeeded"
    assert sim.handshakes == 2  # the fresh session still serves
