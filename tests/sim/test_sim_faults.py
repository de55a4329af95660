"""Every fault kind produces exactly the broken answer it promises."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest
from support.sim import StartSim, new_client

from slv_tui.sim import FAULT_KINDS, TRANSIENT_FAULTS, SimServer
from slv_tui.slv.errors import SlvError

from .helpers import get_batch

OK_ID = "1481016600181"
HUGE = 2_000_000


def is_html(r: httpx.Response, status: int) -> None:
    """Assert an HTML answer with the given status."""
    assert r.status_code == status
    assert r.headers["Content-Type"].startswith("text/html")
    assert r.text.lstrip().lower().startswith("<!doctype html")


async def check_html(c: httpx.AsyncClient, s: SimServer) -> None:
    r = await get_batch(c, s, OK_ID)
    is_html(r, 200)
    assert "j_security_check" in r.text


async def check_login_redirect(c: httpx.AsyncClient, s: SimServer) -> None:
    r = await get_batch(c, s, OK_ID)
    assert r.status_code == 302
    assert r.headers["Location"] == "/reports/login.jsp"
    is_html(await c.get(f"http://127.0.0.1:{s.port}{r.headers['Location']}"), 200)


async def check_unauthorized(c: httpx.AsyncClient, s: SimServer) -> None:
    r = await get_batch(c, s, OK_ID)
    is_html(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Basic")


async def check_forbidden(c: httpx.AsyncClient, s: SimServer) -> None:
    is_html(await get_batch(c, s, OK_ID), 403)


async def check_server_error(c: httpx.AsyncClient, s: SimServer) -> None:
    is_html(await get_batch(c, s, OK_ID), 500)


async def check_unavailable(c: httpx.AsyncClient, s: SimServer) -> None:
    is_html(await get_batch(c, s, OK_ID), 503)


async def check_slow(c: httpx.AsyncClient, s: SimServer) -> None:
    with pytest.raises(httpx.ReadTimeout):
        await c.get(
            s.url + "/api/batch/getBatchResult",
            params={"batchId": OK_ID, "ser": "json"},
            timeout=httpx.Timeout(10, read=0.05),
        )  # fmt: skip  (connect may be slow under load)
    t0 = time.monotonic()
    r = await get_batch(c, s, OK_ID)
    assert time.monotonic() - t0 >= 0.25
    assert r.json()["batchId"] == OK_ID


async def check_truncated(c: httpx.AsyncClient, s: SimServer) -> None:
    full = len(json.dumps(s.batch_json(OK_ID), sort_keys=True, ensure_ascii=False).encode())
    url = s.url + "/api/batch/getBatchResult"
    async with c.stream("GET", url, params={"batchId": OK_ID, "ser": "json"}) as r:
        assert r.status_code == 200
        assert int(r.headers["Content-Length"]) == full
        with pytest.raises(httpx.RemoteProtocolError):
            await r.aread()


async def check_truncated_json(c: httpx.AsyncClient, s: SimServer) -> None:
    r = await get_batch(c, s, OK_ID)
    assert r.status_code == 200
    assert int(r.headers["Content-Length"]) == len(r.content)
    assert r.content.startswith(b'{"batchId": "1481016600181"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


async def check_reset(c: httpx.AsyncClient, s: SimServer) -> None:
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        await get_batch(c, s, OK_ID)


async def check_huge(c: httpx.AsyncClient, s: SimServer) -> None:
    r = await get_batch(c, s, OK_ID)
    assert r.status_code == 200
    assert "Content-Length" not in r.headers  # streamed, chunked
    assert len(r.content) > HUGE
    body = r.json()
    assert body["batchId"] == OK_ID
    assert len(body["batchProgressMessage"]) > HUGE - 4096


async def check_deep(c: httpx.AsyncClient, s: SimServer) -> None:
    r = await get_batch(c, s, OK_ID)
    assert r.status_code == 200
    assert r.content.count(b"[") == 100_000 == r.content.count(b"]")
    with pytest.raises(RecursionError):
        json.loads(r.content)


async def check_bad_utf8(c: httpx.AsyncClient, s: SimServer) -> None:
    r = await get_batch(c, s, OK_ID)
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    assert json.loads(r.content.decode("utf-8", "replace"))["batchId"] == OK_ID


async def check_nan(c: httpx.AsyncClient, s: SimServer) -> None:
    r = await get_batch(c, s, OK_ID)
    assert b'"batchProgressValue": NaN' in r.content
    assert math.isnan(json.loads(r.content)["batchProgressValue"])


async def check_wrong_types(c: httpx.AsyncClient, s: SimServer) -> None:
    body = (await get_batch(c, s, OK_ID)).json()
    assert body["batchId"] == int(OK_ID)
    assert body["batchProgressValue"] == "100"
    assert body["batchRunning"] == "false"
    assert body["statusOk"] == "true"
    assert body["value"]["infoMessagesCount"] == "4"
    assert body["value"]["stepResults"][0]["errorMessages"] is None
    assert body["value"]["stepResults"][0]["infoMessagesCount"] == "1"


async def check_not_batch(c: httpx.AsyncClient, s: SimServer) -> None:
    assert (await get_batch(c, s, OK_ID)).json() == [1, 2, 3]


async def check_error_object(c: httpx.AsyncClient, s: SimServer) -> None:
    body = (await get_batch(c, s, OK_ID)).json()
    assert body["errorCode"] == "500"
    assert body["errorCodeLabel"] == "Internal error"
    assert body["statusError"] is True
    assert "batchId" not in body


CHECKS: dict[str, Callable[[httpx.AsyncClient, SimServer], Awaitable[None]]] = {
    name.removeprefix("check_"): fn for name, fn in globals().items() if name.startswith("check_")
}


def test_every_fault_kind_is_checked() -> None:
    assert set(CHECKS) == set(FAULT_KINDS)
    assert set(TRANSIENT_FAULTS) <= set(FAULT_KINDS)


@pytest.mark.parametrize("kind", FAULT_KINDS)
async def test_fault(start_sim: StartSim, client: httpx.AsyncClient, kind: str) -> None:
    server = await start_sim(scenario="static", slow_seconds=0.25, huge_bytes=HUGE)
    server.set_fault(kind)
    await CHECKS[kind](client, server)
    server.set_fault(None)
    healthy = await get_batch(client, server, OK_ID)
    assert healthy.json()["batchId"] == OK_ID


async def test_fault_for_one_batch_only(start_sim: StartSim, client: httpx.AsyncClient) -> None:
    server = await start_sim(scenario="static")
    server.set_fault("server_error", batch_id=OK_ID)
    assert (await get_batch(client, server, OK_ID)).status_code == 500
    assert (await get_batch(client, server, "1481018818069")).status_code == 200
    server.set_fault(None, batch_id=OK_ID)
    assert (await get_batch(client, server, OK_ID)).status_code == 200


def test_unknown_fault_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        SimServer(scenario="static").set_fault("meteor")


async def outcomes(server: SimServer, n: int) -> list[str]:
    """What each of n polls got: "ok", an HTTP status, "nonjson" or a transport error name."""
    seen: list[str] = []
    async with httpx.AsyncClient(auth=("admin", "admin"), timeout=5) as c:
        for _ in range(n):
            try:
                r = await get_batch(c, server, OK_ID)
            except httpx.TransportError as exc:
                seen.append(type(exc).__name__)
                continue
            try:
                body = json.loads(r.content, parse_constant=lambda _: None)
                good = r.status_code == 200 and body == server.batch_json(OK_ID)
                seen.append("ok" if good else f"{r.status_code}-drift")
            except ValueError:
                seen.append(f"{r.status_code}-nonjson")
    return seen


async def test_fault_rate_is_seeded_and_reproducible(start_sim: StartSim) -> None:
    a = await start_sim(scenario="static", fault_rate=0.5, seed=7, slow_seconds=0.01)
    b = await start_sim(scenario="static", fault_rate=0.5, seed=7, slow_seconds=0.01)
    first, second = await outcomes(a, 40), await outcomes(b, 40)
    assert first == second
    assert 5 < first.count("ok") < 35


async def test_fault_rate_one_only_uses_transient_faults(start_sim: StartSim) -> None:
    server = await start_sim(scenario="static", fault_rate=1.0, seed=1, slow_seconds=0.01)
    seen = await outcomes(server, 40)
    allowed = {"ok", "200-nonjson", "200-drift", "500-nonjson", "503-nonjson"}
    allowed |= {"RemoteProtocolError", "ReadError"}
    assert set(seen) <= allowed
    assert seen.count("ok") < 10  # only `slow` answers are healthy
    assert server.request_count == 40


async def test_random_faults_never_invent_an_unknown_batch(start_sim: StartSim) -> None:
    sim = await start_sim(scenario="static", fault_rate=1.0, slow_seconds=0.01)
    client = new_client(sim.url, timeout=5)
    try:
        for _ in range(40):  # every answer a random fault: none may read as a batch
            try:
                batch = await client.get_batch("1481099999999")
            except SlvError:
                continue
            raise AssertionError(f"an unknown ID read as a batch: {batch.state}")
    finally:
        await client.aclose()
