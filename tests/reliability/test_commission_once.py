"""An HTML page or a redirect answering the commissioning POST is never re-posted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from support.sim import new_client

from slv_tui.slv import errors
from slv_tui.slv.commission import make_request, start_commission

Start = Callable[[Callable[[], web.Response]], Awaitable[str]]


@pytest.fixture
async def login_then_odd_post() -> AsyncIterator[tuple[Start, list[str]]]:
    """Form and CSRF logins that always succeed; the commissioning POST answers `answer()`."""
    posts: list[str] = []
    runners: list[web.AppRunner] = []

    async def start(answer: Callable[[], web.Response]) -> str:
        async def auth_json(request: web.Request) -> web.Response:
            return web.json_response({"authenticated": "true"})

        async def login(request: web.Request) -> web.Response:
            return web.json_response({})

        async def user(request: web.Request) -> web.Response:
            return web.json_response({"login": "admin"}, headers={"X-CSRF-Token": "tok-12345678"})

        async def commission(request: web.Request) -> web.Response:
            posts.append(request.path)
            return answer()

        app = web.Application()
        app.router.add_get("/reports/auth.json", auth_json)
        app.router.add_post("/reports/j_security_check", login)
        app.router.add_get("/reports/api/userprofile/getCurrentUser", user)
        app.router.add_post("/reports/api/controllermanagement/{name}", commission)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/reports"

    yield start, posts
    for runner in runners:
        await runner.cleanup()


def _html() -> web.Response:
    return web.Response(text="<html>welcome</html>", content_type="text/html")


def _redirect() -> web.Response:
    return web.Response(status=302, headers={"Location": "/reports/login.jsp"})


@pytest.mark.parametrize("mode", ["form", "csrf", "basic"])
@pytest.mark.parametrize("answer", [_html, _redirect], ids=["html200", "redirect302"])
async def test_odd_answer_to_the_post_is_sent_once_and_may_have_started(
    login_then_odd_post: tuple[Start, list[str]],
    mode: str,
    answer: Callable[[], web.Response],
) -> None:
    start, posts = login_then_odd_post
    url = await start(answer)
    client = new_client(url, "admin", mode)
    try:
        with pytest.raises(errors.SlvError) as caught:
            await start_commission(client, make_request("CTRL-1"))
    finally:
        await client.aclose()
    assert len(posts) == 1  # never posted twice: the server may have started the run
    assert isinstance(caught.value, errors.UnconfirmedPost)
    assert "may have started" in str(caught.value)
