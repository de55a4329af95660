"""`check` against a server older than getCurrentUser (SLV 6.x: Basic only, the call is a 404)."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from reliability.hostile import batch_body
from support.sim import MakeClient

from slv_tui.commands.check import run_check
from slv_tui.commands.output import Output


@pytest.fixture
async def old_server() -> AsyncIterator[str]:
    async def batch(request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("Basic "):
            return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="SLV"'})
        return web.Response(body=batch_body(request.query["batchId"]), content_type="application/json")

    app = web.Application()
    app.router.add_get("/reports/api/batch/getBatchResult", batch)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/reports"
    await runner.cleanup()


async def test_check_passes_on_a_server_without_get_current_user(
    old_server: str, make_client: MakeClient
) -> None:
    out = io.StringIO()
    client = make_client(old_server, mode="auto")
    code = await run_check(client, "default", Output(json=True, out=out))
    report = json.loads(out.getvalue())
    assert code == 0 and report["ok"] is True
    assert report["auth"] == {
        "requested": "auto", "mode": "basic", "detected": True,
        "note": "could not tell the login mode (HTTP 404 from getCurrentUser); using basic",
    }  # fmt: skip
    assert report["user"] is None
    problems = [p["problem"] for p in report["problems"]]
    assert problems[0].startswith("could not tell the login mode")
    assert problems[1].startswith(
        "the server does not report the user (HTTP error: the server answered HTTP 404"
    )
