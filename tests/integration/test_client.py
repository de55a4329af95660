"""SlvClient against the simulator over loopback: both auth modes, sessions, prefixes, every state."""

from __future__ import annotations

import asyncio
import json

import pytest
from support.clock import FakeClock
from support.fixtures import FIXTURES
from support.sim import MakeClient, StartLoopSim

from slv_tui import __version__
from slv_tui.slv.errors import AuthError, ConnectionFailed, HttpStatusError, ServerError
from slv_tui.slv.model import BatchState, Counts, Severity

OK_ID = "1481016600181"
SAMPLE = FIXTURES / "batch_finished_ok.json"

STATIC_STATES = {
    "1481016600181": BatchState.SUCCEEDED,
    "1481018818069": BatchState.RUNNING,
    "1481019204417": BatchState.RUNNING,
    "1481019867302": BatchState.RUNNING,
    "1481020373648": BatchState.CANCELLING,
    "1481021145590": BatchState.CANCELLED,
    "1481021896034": BatchState.FAILED,
    "1481022433710": BatchState.SUCCEEDED,
    "1481023025871": BatchState.COMPLETED_WITH_ERRORS,
    "1481024400630": BatchState.COMPLETED_WITH_ERRORS,
    "1481025112006": BatchState.SUCCEEDED,
}


def one_line(text: str) -> None:
    assert text and "\n" not in text and "\r" not in text
    assert "Traceback" not in text and 'File "' not in text


async def test_basic_auth_ok(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static")
    batch = await make_client(sim.url).get_batch(OK_ID)
    assert batch.batch_id == OK_ID and batch.state is BatchState.SUCCEEDED
    assert batch.counts == Counts(4, 0, 0) and batch.login == "admin"
    assert [s.name for s in batch.steps] == ["check", "commissioning"]


async def test_basic_auth_wrong_password(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static")
    with pytest.raises(AuthError) as info:
        await make_client(sim.url, password="wrong-Pw-123").get_batch(OK_ID)
    one_line(str(info.value))
    assert str(info.value).startswith("authentication failed: ")
    assert "wrong-Pw-123" not in str(info.value)


async def test_form_auth_ok_reuses_session(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static", auth="form")
    client = make_client(sim.url, mode="form")
    for batch_id in (OK_ID, "1481021896034", OK_ID):
        assert (await client.get_batch(batch_id)).batch_id == batch_id
    logins = [p for m, p in sim.requests if p.endswith("/j_security_check")]
    assert len(logins) == 1
    assert sim.request_count == 3


async def test_form_auth_wrong_password(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static", auth="form")
    with pytest.raises(AuthError) as info:
        await make_client(sim.url, password="nope-Pw-77", mode="form").get_batch(OK_ID)
    one_line(str(info.value))
    assert "nope-Pw-77" not in str(info.value)
    assert sim.request_count == 0  # the batch was never asked for


@pytest.mark.parametrize(
    ("server_mode", "client_mode", "hint"),
    [
        (
            "basic",
            "form",
            "the server has no form login (auth.json is not JSON); if the server uses Basic auth",
        ),
        ("form", "basic", "HTML page, not JSON (a login page? if the server uses form login: --auth form)"),
    ],
)
async def test_wrong_auth_mode_says_which_to_try(
    start_loop_sim: StartLoopSim, make_client: MakeClient, server_mode: str, client_mode: str, hint: str
) -> None:
    sim = await start_loop_sim(scenario="static", auth=server_mode)
    with pytest.raises(AuthError) as info:
        await make_client(sim.url, mode=client_mode).get_batch(OK_ID)
    one_line(str(info.value))
    assert hint in str(info.value)


async def test_form_session_expiry_relogs_in(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static", auth="form")
    client = make_client(sim.url, mode="form")
    await client.get_batch(OK_ID)
    sim.expire_sessions()
    batch = await client.get_batch(OK_ID)  # still succeeds
    assert batch.state is BatchState.SUCCEEDED
    logins = [p for m, p in sim.requests if p.endswith("/j_security_check")]
    assert len(logins) == 2
    assert sim.request_count == 3  # one refused call, then the retry


async def test_form_session_idle_timeout_relogs_in(
    start_loop_sim: StartLoopSim, make_client: MakeClient, clock: FakeClock
) -> None:
    sim = await start_loop_sim(scenario="static", auth="form", session_ttl=60, clock=clock)
    client = make_client(sim.url, mode="form")
    await client.get_batch(OK_ID)
    clock.advance(61)
    assert (await client.get_batch(OK_ID)).batch_id == OK_ID
    assert len([p for _, p in sim.requests if p.endswith("/j_security_check")]) == 2


async def test_concurrent_calls_after_expiry_relogin_once(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", auth="form")
    client = make_client(sim.url, mode="form")
    await client.get_batch(OK_ID)
    sim.expire_sessions()
    batches = await asyncio.gather(*(client.get_batch(b) for b in STATIC_STATES))
    assert [b.batch_id for b in batches] == list(STATIC_STATES)
    assert len([p for _, p in sim.requests if p.endswith("/j_security_check")]) == 2


@pytest.mark.parametrize("prefix", ["/slv/cms/reports", ""])
@pytest.mark.parametrize("mode", ["basic", "form"])
async def test_url_with_path_prefix(start_loop_sim: StartLoopSim, make_client: MakeClient, prefix: str,
                                    mode: str) -> None:  # fmt: skip
    sim = await start_loop_sim(scenario="static", prefix=prefix, auth=mode)
    assert sim.url.endswith(prefix)
    client = make_client(sim.url + "/", mode=mode)  # a trailing slash is fine too
    assert (await client.get_batch(OK_ID)).batch_id == OK_ID
    assert ("GET", f"{prefix}/api/batch/getBatchResult") in sim.requests


async def test_wrong_prefix_is_an_error_not_a_crash(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await start_loop_sim(scenario="static", prefix="/reports")
    root = sim.url.removesuffix("/reports")
    with pytest.raises(HttpStatusError) as info:
        await make_client(root).get_batch(OK_ID)
    one_line(str(info.value))
    assert info.value.status_code == 404


async def test_every_state_via_static_scenario(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static")
    client = make_client(sim.url)
    states = {b: (await client.get_batch(b)).state for b in STATIC_STATES}
    assert states == STATIC_STATES
    assert set(states.values()) == set(BatchState)
    unknown = await client.get_batch("1481019867302")
    assert unknown.progress is None
    failed = await client.get_batch("1481021896034")
    assert failed.error_code == "409" and failed.error_code_label == "Controller not connected"
    nulled = await client.get_batch("1481025112006")
    assert nulled.raw_value is None and nulled.steps == ()
    big = await client.get_batch("1481024400630")
    total = sum(len(step.messages(sev)) for step in big.steps for sev in Severity)
    assert total == big.counts.total > 5000


async def test_unknown_batch_is_not_failed(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static")
    with pytest.raises(ServerError) as info:
        await make_client(sim.url).get_batch("42")
    assert str(info.value) == "server: 605 Batch not found"


async def test_connection_refused(closed_port: int, make_client: MakeClient) -> None:
    with pytest.raises(ConnectionFailed) as info:
        await make_client(f"http://127.0.0.1:{closed_port}/reports").get_batch(OK_ID)
    one_line(str(info.value))
    assert "refused" in str(info.value)


async def test_user_agent_and_ser_json_on_the_wire(make_client: MakeClient) -> None:
    """A raw loopback server records the exact request head the client sends."""
    heads: list[bytes] = []
    body = await asyncio.to_thread(SAMPLE.read_bytes)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)  # fmt: skip
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        batch = await make_client(f"http://127.0.0.1:{port}/reports").get_batch(OK_ID)
    finally:
        server.close()
        await server.wait_closed()
    assert batch.state is BatchState.SUCCEEDED
    head = heads[0].decode("latin-1")
    request_line, *headers = head.split("\r\n")
    assert request_line.startswith("GET /reports/api/batch/getBatchResult?")
    query = request_line.split("?", 1)[1].split(" ")[0]
    assert sorted(query.split("&")) == [f"batchId={OK_ID}", "ser=json"]
    fields = {h.split(":", 1)[0].lower(): h.split(":", 1)[1].strip() for h in headers if ":" in h}
    assert fields["user-agent"].startswith(f"slv-tui/{__version__}")
    assert fields["authorization"].startswith("Basic ")
    assert json.loads(body)["batchId"] == OK_ID


async def test_sim_answers_xml_without_ser_json(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    """Guard for the test above: without ser=json the simulator would answer XML and the fetch fail."""
    import httpx

    sim = await start_loop_sim(scenario="static")
    async with httpx.AsyncClient(auth=("admin", "admin")) as raw:
        r = await raw.get(sim.url + "/api/batch/getBatchResult", params={"batchId": OK_ID})
    assert r.headers["content-type"].startswith("text/xml")
    assert (await make_client(sim.url).get_batch(OK_ID)).batch_id == OK_ID


def test_an_http_url_loads_no_ca_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx loads certifi (+67 ms at start-up) for verify=True; an http:// client never speaks TLS."""
    import ssl

    from support.sim import new_client

    loads: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def counting(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loads.append(args or kwargs)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    new_client("http://127.0.0.1:9/reports")
    assert loads == []
    new_client("https://127.0.0.1:9/reports")  # https: the CA bundle, as before
    assert len(loads) == 1


async def test_routine_polls_are_logged_at_debug_the_first_answer_at_info(
    start_loop_sim: StartLoopSim, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A watcher of 200 batches polls 100 times a second: one info line each would be most of its log
    (and ~6 % of its CPU); the first answer of each batch and every failure stay at info and above."""
    sim = await start_loop_sim(scenario="static")
    client = make_client(sim.url)
    ids = sim.batch_ids()[:2]
    caplog.set_level("DEBUG", logger="slv_tui.slv.client")
    for _ in range(3):
        for batch_id in ids:
            await client.get_batch(batch_id)
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if "-> 200 in" in r.getMessage()]
    assert [level for level, _ in lines] == ["INFO", "INFO", "DEBUG", "DEBUG", "DEBUG", "DEBUG"]
    assert all(f"batchId={b}" in lines[i][1] for i, b in enumerate(ids))
