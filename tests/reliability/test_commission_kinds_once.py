"""Every call that starts a batch (controller commissioning, the device import POST, the calendar
commissioning GET): an HTML page or a redirect answering it is never sent again, in any login mode."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from support.env import subprocess_env
from support.sim import new_client

from slv_tui.sim import SimServer
from slv_tui.slv import errors
from slv_tui.slv.commission import (
    CommissionRequest,
    import_request,
    make_request,
    scheduler_request,
    start_commission,
)

Start = Callable[[Callable[[], web.Response]], Awaitable[str]]
CSV = b"controllerStrId,idOnController\nCTRL-1,L1\n"
REQUESTS: dict[str, Callable[[], CommissionRequest]] = {
    "controller": lambda: make_request("CTRL-1"),
    "csv": lambda: import_request("devices.csv", CSV),
    "scheduler": lambda: scheduler_request("CTRL-1", "12"),
}


@pytest.fixture
async def login_then_odd_answer() -> AsyncIterator[tuple[Start, list[tuple[str, bytes]]]]:
    """Form and CSRF logins that always succeed (auth.json says so); every call that starts a batch
    answers `answer()`; `calls` records (method and path, body) of each."""
    calls: list[tuple[str, bytes]] = []
    runners: list[web.AppRunner] = []

    async def start(answer: Callable[[], web.Response]) -> str:
        async def auth_json(request: web.Request) -> web.Response:
            return web.json_response({"authenticated": "true"})

        async def login(request: web.Request) -> web.Response:
            return web.json_response({})

        async def user(request: web.Request) -> web.Response:
            return web.json_response({"login": "admin"}, headers={"X-CSRF-Token": "tok-12345678"})

        async def starts(request: web.Request) -> web.Response:
            calls.append((f"{request.method} {request.path}", await request.read()))
            return answer()

        app = web.Application()
        app.router.add_get("/reports/auth.json", auth_json)
        app.router.add_post("/reports/j_security_check", login)
        app.router.add_get("/reports/api/userprofile/getCurrentUser", user)
        app.router.add_post("/reports/api/controllermanagement/{name}", starts)
        app.router.add_post("/reports/api/loggingmanagement/{name}", starts)
        app.router.add_get("/reports/api/dimmingscheduler/{name}", starts)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/reports"

    yield start, calls
    for runner in runners:
        await runner.cleanup()


def _html() -> web.Response:
    return web.Response(text="<html>welcome</html>", content_type="text/html")


def _redirect() -> web.Response:
    return web.Response(status=302, headers={"Location": "/reports/login.jsp"})


@pytest.mark.parametrize("kind", ["controller", "csv", "scheduler"])
@pytest.mark.parametrize("mode", ["form", "csrf", "basic"])
@pytest.mark.parametrize("answer", [_html, _redirect], ids=["html200", "redirect302"])
async def test_odd_answer_is_sent_once_and_may_have_started(
    login_then_odd_answer: tuple[Start, list[tuple[str, bytes]]],
    kind: str,
    mode: str,
    answer: Callable[[], web.Response],
) -> None:
    start, calls = login_then_odd_answer
    url = await start(answer)
    client = new_client(url, "admin", mode)
    try:
        with pytest.raises(errors.SlvError) as caught:
            await start_commission(client, REQUESTS[kind]())
    finally:
        await client.aclose()
    expected = {
        "controller": "POST /reports/api/controllermanagement/commissionControllerAsync",
        "csv": "POST /reports/api/loggingmanagement/importDevicesFromCsvFileAsync",
        "scheduler": "GET /reports/api/dimmingscheduler/commissionControllersSchedulers",
    }[kind]
    assert [call for call, _ in calls] == [expected]
    assert kind != "csv" or calls[0][1] == CSV  # never sent twice: the server may have started the batch
    assert isinstance(caught.value, errors.UnconfirmedPost)
    assert "may have started" in str(caught.value)


@pytest.mark.parametrize("kind", ["csv", "scheduler"])
async def test_an_ended_form_session_is_proved_then_sent_again_once(kind: str) -> None:
    """A login page while auth.json says the session has ended: the server did nothing, so the one
    new login is followed by one more call, and exactly one batch starts."""
    server = SimServer(scenario="static", auth="form")
    url = await server.start()
    client = new_client(url, "admin", "form")
    try:
        await client.get_batch("1481016600181")
        server.expire_sessions()
        before = len(server.batch_ids())
        await start_commission(client, REQUESTS[kind]())
        assert len(server.batch_ids()) == before + 1
        assert len(server.started) == 1
    finally:
        await client.aclose()
        await server.stop()


@pytest.mark.parametrize("mode", ["form", "csrf"])
@pytest.mark.parametrize("kind", ["csv", "scheduler"])
async def test_the_command_sends_once_exits_3_and_says_it_may_have_started(
    login_then_odd_answer: tuple[Start, list[tuple[str, bytes]]], tmp_path: Path, mode: str, kind: str
) -> None:
    start, calls = login_then_odd_answer
    url = await start(_html)
    path = tmp_path / "devices.csv"
    path.write_bytes(CSV)
    args = ["--csv", str(path)] if kind == "csv" else ["CTRL-1", "--scheduler", "12"]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "slv_tui.cli", "commission", "--url", url, "--auth", mode, *args, "--yes",
        env=subprocess_env(tmp_path, SLV_PASSWORD="admin"), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 3, err
    assert len(calls) == 1  # the page may hide a started batch: never sent again
    assert b"may have started: check the SLV web UI" in err and out == b""
    assert not (tmp_path / "data" / "slv-tui" / "watchlists" / "default.json").exists()  # nothing added
