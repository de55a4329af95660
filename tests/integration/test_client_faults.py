"""Every simulator fault kind maps to the right SlvError subclass with a one-line message."""

from __future__ import annotations

import pytest
from support.sim import MakeClient, StartLoopSim

from slv_tui.sim import FAULT_KINDS, SimServer
from slv_tui.slv import errors
from slv_tui.slv.model import BatchState

OK_ID = "1481016600181"
RUNNING_ID = "1481019204417"

# kind -> (error class, words the message must contain)
ERRORS: dict[str, tuple[type[errors.SlvError], str]] = {
    "html": (errors.AuthError, "HTML page"),
    "login_redirect": (errors.AuthError, "redirected to a login page (/reports/login.jsp)"),
    "unauthorized": (errors.AuthError, "HTTP 401"),
    "forbidden": (errors.AuthError, "HTTP 403"),
    "server_error": (errors.HttpStatusError, "HTTP 500"),
    "unavailable": (errors.HttpStatusError, "HTTP 503"),
    "slow": (errors.RequestTimeout, "did not answer in time"),
    "truncated": (errors.ProtocolError, "cut off"),
    "truncated_json": (errors.ProtocolError, "truncated"),
    # a TCP reset after half the body: httpx raises ReadError -> reported as a connection error
    "reset": (errors.ConnectionFailed, "connection was reset"),
    "huge": (errors.ProtocolError, "too large (over 195 KiB)"),
    "deep": (errors.ProtocolError, "nested too deeply"),
    "bad_utf8": (errors.ProtocolError, "UTF-8"),
    "not_batch": (errors.ProtocolError, "expected a batch object, got a JSON array"),
    "error_object": (errors.ServerError, "500 Internal error"),
}
PARSED = {"nan", "wrong_types"}


def test_every_fault_kind_is_covered() -> None:
    assert set(ERRORS) | PARSED == set(FAULT_KINDS)


def assert_one_line(exc: BaseException) -> None:
    text = str(exc)
    assert text and "\n" not in text and "\r" not in text
    assert "Traceback" not in text and "httpx" not in text and "aiohttp" not in text


async def fault_sim(start_loop_sim: StartLoopSim, kind: str, **kwargs: object) -> SimServer:
    sim = await start_loop_sim(scenario="static", **kwargs)
    sim.set_fault(kind)
    return sim


@pytest.mark.parametrize("kind", sorted(ERRORS))
async def test_fault_maps_to_error(start_loop_sim: StartLoopSim, make_client: MakeClient, kind: str) -> None:
    cls, words = ERRORS[kind]
    # A timeout generous enough for a loaded CI machine; only `slow` holds its answer longer.
    sim = await fault_sim(start_loop_sim, kind, slow_seconds=8.0, huge_bytes=2_000_000)
    cap = 200_000 if kind == "huge" else 10_000_000  # `deep` is a 200 kB body
    client = make_client(sim.url, timeout=2.0, max_body_bytes=cap)
    with pytest.raises(errors.SlvError) as info:
        await client.get_batch(OK_ID)
    assert type(info.value) is cls, f"{kind}: {type(info.value).__name__}: {info.value}"
    assert words in str(info.value)
    assert_one_line(info.value)
    assert info.value.__cause__ is None  # no chained httpx traceback to leak
    sim.set_fault(None)  # the same client recovers once the server is healthy
    assert (await client.get_batch(OK_ID)).state is BatchState.SUCCEEDED


async def test_status_error_keeps_code(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await fault_sim(start_loop_sim, "unavailable")
    with pytest.raises(errors.HttpStatusError) as info:
        await make_client(sim.url).get_batch(OK_ID)
    assert info.value.status_code == 503 and info.value.transient


@pytest.mark.parametrize("kind", ["html", "login_redirect", "unauthorized", "forbidden"])
async def test_auth_faults_are_not_transient(
    start_loop_sim: StartLoopSim, make_client: MakeClient, kind: str
) -> None:
    sim = await fault_sim(start_loop_sim, kind)
    with pytest.raises(errors.AuthError) as info:
        await make_client(sim.url).get_batch(OK_ID)
    assert not info.value.transient


async def test_html_in_form_mode_relogs_in_once(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    sim = await fault_sim(start_loop_sim, "html", auth="form")
    with pytest.raises(errors.AuthError, match="HTML page"):
        await make_client(sim.url, mode="form").get_batch(OK_ID)
    assert len([p for _, p in sim.requests if p.endswith("/j_security_check")]) == 2
    assert sim.request_count == 2  # the call and one retry after the re-login, no loop


async def test_nan_progress_is_not_an_error(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await fault_sim(start_loop_sim, "nan")
    batch = await make_client(sim.url).get_batch(RUNNING_ID)
    assert batch.progress is None
    assert batch.state is BatchState.RUNNING


@pytest.mark.parametrize(
    ("batch_id", "state"),
    [(OK_ID, BatchState.SUCCEEDED), (RUNNING_ID, BatchState.RUNNING), ("1481023025871",
      BatchState.COMPLETED_WITH_ERRORS), ("1481021896034", BatchState.FAILED)],
)  # fmt: skip
async def test_wrong_types_parse_fine(
    start_loop_sim: StartLoopSim, make_client: MakeClient, batch_id: str, state: BatchState
) -> None:
    sim = await start_loop_sim(scenario="static")
    client = make_client(sim.url)
    healthy = await client.get_batch(batch_id)
    sim.set_fault("wrong_types")
    drifted = await client.get_batch(batch_id)
    assert drifted.state is state
    assert drifted == healthy  # the drift changes nothing we read


async def test_error_object_is_server_error(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await fault_sim(start_loop_sim, "error_object")
    with pytest.raises(errors.ServerError, match=r"^server: 500 Internal error$"):
        await make_client(sim.url).get_batch(RUNNING_ID)


async def test_fault_on_one_batch_only(start_loop_sim: StartLoopSim, make_client: MakeClient) -> None:
    sim = await start_loop_sim(scenario="static")
    sim.set_fault("server_error", batch_id=RUNNING_ID)
    client = make_client(sim.url)
    assert (await client.get_batch(OK_ID)).batch_id == OK_ID
    with pytest.raises(errors.HttpStatusError):
        await client.get_batch(RUNNING_ID)


async def test_huge_with_content_length_is_refused_early(make_client: MakeClient) -> None:
    """A declared Content-Length over the cap is refused before reading (byte-level: MockTransport)."""
    import httpx

    from slv_tui.slv.auth import Credentials, Secret
    from slv_tui.slv.client import ClientSettings, SlvClient

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(10**9)}, content=b"{}")

    settings = ClientSettings(
        "http://127.0.0.1:9/reports", Credentials("a", Secret("b")), max_body_bytes=1000
    )
    async with SlvClient(settings, transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(errors.ProtocolError, match="too large"):
            await client.get_batch(OK_ID)


async def test_xml_answer_is_a_protocol_error_not_a_login_problem() -> None:
    """A server that ignores ser=json answers XML: byte-level, so MockTransport."""
    import httpx

    from slv_tui.slv.auth import Credentials, Secret
    from slv_tui.slv.client import ClientSettings, SlvClient

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Type": "text/xml"}, content=b'<?xml version="1.0"?><batch/>'
        )

    settings = ClientSettings("http://127.0.0.1:9/reports", Credentials("a", Secret("b")))
    async with SlvClient(settings, transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(errors.ProtocolError, match="XML"):
            await client.get_batch(OK_ID)


async def test_a_nan_progress_keeps_the_last_reading(
    start_loop_sim: StartLoopSim, make_client: MakeClient
) -> None:
    """A NaN progress is no reading (unlike -1, unknown): the row keeps its last progress instead of
    flickering between 37 % and `?`."""
    from slv_tui.watch.poller import Poller

    sim = await start_loop_sim(scenario="static")
    client = make_client(sim.url)
    now = [0.0]
    poller = Poller(client.get_batch, interval=1.0, clock=lambda: now[0])
    poller.watch([RUNNING_ID])
    await poller.poll_due()
    first = poller.snapshot(RUNNING_ID)
    assert first is not None and first.batch is not None and first.batch.progress is not None
    sim.set_fault("nan", batch_id=RUNNING_ID)
    now[0] += 1.0
    await poller.poll_due()
    after = poller.snapshot(RUNNING_ID)
    assert after is not None and after.batch is not None and after.fetched_at == 1.0
    assert after.batch.progress == first.batch.progress and after.batch.state is BatchState.RUNNING
    assert (await client.get_batch(RUNNING_ID)).progress_unreadable  # the answer itself: no number


def test_minus_one_is_unknown_not_unreadable() -> None:
    from slv_tui.slv.parse import parse_batch

    assert not parse_batch({"batchProgressValue": -1, "batchRunning": True}, "1").progress_unreadable
    assert parse_batch({"batchProgressValue": "n/a", "batchRunning": True}, "1").progress_unreadable
    assert not parse_batch({"batchRunning": True}, "1").progress_unreadable
