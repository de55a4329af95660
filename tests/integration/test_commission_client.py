"""SlvClient.post_batch against the simulator and small hostile servers over 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web
from support.sim import MakeClient

from slv_tui.sim import SimServer
from slv_tui.slv import errors
from slv_tui.slv.client import SlvClient
from slv_tui.slv.commission import make_request, start_commission


@pytest.fixture
async def tiny_server() -> AsyncIterator[Callable[[web.Response], str]]:
    """A one-route server answering every commissioning POST with a fixed response."""
    runners: list[web.AppRunner] = []
    seen: list[int] = []

    async def start(response: web.Response) -> str:
        async def handler(request: web.Request) -> web.Response:
            seen.append(1)
            return response

        app = web.Application()
        app.router.add_route("*", "/reports/api/controllermanagement/{name}", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/reports"

    yield start  # type: ignore[misc]
    for runner in runners:
        await runner.cleanup()


@pytest.mark.parametrize("mode", ["basic", "form", "csrf", "bearer"])
async def test_every_login_mode_starts_a_batch(make_client: MakeClient, mode: str) -> None:
    server = SimServer(scenario="static", auth=mode, token="tok")  # type: ignore[arg-type]
    url = await server.start()
    try:
        client: SlvClient = make_client(url, "tok" if mode == "bearer" else "admin", mode)
        batch = await start_commission(client, make_request("CTRL-1", devices=["L1", "L2"]))
        assert batch.running and batch.batch_id in server.batch_ids()
        assert server.batch_json(batch.batch_id) is not None
    finally:
        await server.stop()


async def test_an_expired_session_logs_in_again_and_sends_once(make_client: MakeClient) -> None:
    server = SimServer(scenario="static", auth="form")
    url = await server.start()
    try:
        client: SlvClient = make_client(url, "admin", "form")
        await client.get_batch("1481016600181")
        server.expire_sessions()
        before = len(server.batch_ids())
        await start_commission(client, make_request("CTRL-1"))
        assert len(server.batch_ids()) == before + 1  # the refused POST did nothing; the retry started one
    finally:
        await server.stop()


@pytest.mark.parametrize(
    ("response", "error", "needle"),
    [
        (web.json_response({"status": "OK", "batchRunning": True}), errors.ProtocolError, "no valid batchId"),
        (web.json_response({"batchId": "12ab", "batchRunning": True}), errors.ProtocolError, "no valid"),
        (web.json_response([1]), errors.ProtocolError, "array"),
        (web.Response(text="<html>login</html>", content_type="text/html"), errors.UnconfirmedPost, "HTML"),
        (web.Response(status=500, text="boom"), errors.HttpStatusError, "500"),
        (web.json_response({"status": "ERROR", "errorCode": "601", "errorCodeLabel": "No\x1b[31m such"}),
         errors.ServerError, "601 No such"),
    ],
)  # fmt: skip
async def test_bad_answers(
    tiny_server: Callable[[web.Response], object], make_client: MakeClient,
    response: web.Response, error: type[errors.SlvError], needle: str,
) -> None:  # fmt: skip
    url = await tiny_server(response)  # type: ignore[misc]
    client: SlvClient = make_client(url, "admin", "basic")
    with pytest.raises(error, match=needle) as caught:
        await start_commission(client, make_request("C"))
    assert "\x1b" not in str(caught.value)


async def test_numeric_batch_id_is_read_as_digits(
    tiny_server: Callable[[web.Response], object], make_client: MakeClient
) -> None:
    url = await tiny_server(web.json_response({"batchId": 1481018818069, "batchRunning": True}))  # type: ignore[misc]
    client: SlvClient = make_client(url, "admin", "basic")
    batch = await start_commission(client, make_request("C"))
    assert batch.batch_id == "1481018818069" and batch.running


async def test_device_ids_with_spaces_are_encoded_and_arrive_as_typed(make_client: MakeClient) -> None:
    server = SimServer(scenario="static")
    url = await server.start()
    try:
        client: SlvClient = make_client(url)
        batch = await start_commission(client, make_request("CTRL-3", devices=["lamp 2", "a&b=c"]))
        assert batch.running
        assert server.started == [
            ("commission_devices", {"controller": "CTRL-3", "devices": ["lamp 2", "a&b=c"]})
        ]
    finally:
        await server.stop()
