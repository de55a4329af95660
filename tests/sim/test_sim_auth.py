"""Both SLV authentication modes of the simulator, over real loopback HTTP."""

from __future__ import annotations

import httpx
from support.clock import FakeClock
from support.sim import StartLoopSim

from .helpers import BATCH_PATH

OK_ID = "1481016600181"
PARAMS = {"batchId": OK_ID, "ser": "json"}


async def login(c: httpx.AsyncClient, url: str, password: str = "admin") -> httpx.Response:
    """The documented form-login sequence; returns the final auth.json answer."""
    first = await c.get(url + "/auth.json")
    assert first.json() == {"authenticated": "false"}
    await c.post(url + "/j_security_check", data={"j_username": "admin", "j_password": password})
    return await c.get(url + "/auth.json")


async def test_basic_accepts_valid_credentials(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static")
    async with httpx.AsyncClient(auth=("admin", "admin")) as c:
        r = await c.get(server.url + BATCH_PATH, params=PARAMS)
    assert r.status_code == 200
    assert r.json()["batchId"] == OK_ID


async def test_basic_rejects_missing_and_wrong_credentials(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static")
    for auth in (None, ("admin", "wrong"), ("root", "admin")):
        async with httpx.AsyncClient(auth=auth) as c:
            r = await c.get(server.url + BATCH_PATH, params=PARAMS)
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"] == 'Basic realm="SLV"'
        assert r.headers["Content-Type"].startswith("text/html")


async def test_basic_with_custom_credentials(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static", username="ops", password="s3cr:et")
    async with httpx.AsyncClient(auth=("ops", "s3cr:et")) as c:
        assert (await c.get(server.url + BATCH_PATH, params=PARAMS)).status_code == 200


async def test_form_login_flow(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static", auth="form")
    async with httpx.AsyncClient() as c:
        before = await c.get(server.url + BATCH_PATH, params=PARAMS)
        assert before.status_code == 200
        assert before.headers["Content-Type"].startswith("text/html")
        assert "j_security_check" in before.text
        first = await c.get(server.url + "/auth.json")
        assert first.json() == {"authenticated": "false"}
        cookie = first.cookies["JSESSIONID"]
        assert "Path=/reports" in first.headers["Set-Cookie"]
        check = await c.post(
            server.url + "/j_security_check", data={"j_username": "admin", "j_password": "admin"}
        )
        assert check.status_code == 302
        assert check.headers["Location"] == "/reports/"
        assert c.cookies["JSESSIONID"] != cookie  # rotated on login, as Tomcat does
        assert (await c.get(server.url + "/auth.json")).json() == {"authenticated": "true"}
        r = await c.get(server.url + BATCH_PATH, params=PARAMS)
    assert r.status_code == 200
    assert r.json()["batchId"] == OK_ID


async def test_form_wrong_password_shows_login_page(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static", auth="form")
    async with httpx.AsyncClient() as c:
        await c.get(server.url + "/auth.json")
        r = await c.post(server.url + "/j_security_check", data={"j_username": "admin", "j_password": "nope"})
        assert r.status_code == 200
        assert "Invalid username or password" in r.text
        assert "<form" in r.text
        assert (await c.get(server.url + "/auth.json")).json() == {"authenticated": "false"}
        api = await c.get(server.url + BATCH_PATH, params=PARAMS)
    assert api.headers["Content-Type"].startswith("text/html")


async def test_form_ignores_basic_credentials(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static", auth="form")
    async with httpx.AsyncClient(auth=("admin", "admin")) as c:
        r = await c.get(server.url + BATCH_PATH, params=PARAMS)
    assert r.headers["Content-Type"].startswith("text/html")


async def test_form_session_expires_after_ttl(start_loop_sim: StartLoopSim, clock: FakeClock) -> None:
    server = await start_loop_sim(scenario="static", auth="form", session_ttl=60, clock=clock)
    async with httpx.AsyncClient() as c:
        assert (await login(c, server.url)).json() == {"authenticated": "true"}
        clock.advance(59)
        assert (await c.get(server.url + BATCH_PATH, params=PARAMS)).status_code == 200
        clock.advance(59)  # idle timeout: the previous request refreshed the session
        ok = await c.get(server.url + BATCH_PATH, params=PARAMS)
        assert ok.json()["batchId"] == OK_ID
        clock.advance(61)
        expired = await c.get(server.url + BATCH_PATH, params=PARAMS)
        assert expired.headers["Content-Type"].startswith("text/html")
        assert (await c.get(server.url + "/auth.json")).json() == {"authenticated": "false"}
        c.cookies.clear()
        assert (await login(c, server.url)).json() == {"authenticated": "true"}


async def test_expire_sessions_logs_everyone_out(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static", auth="form")
    async with httpx.AsyncClient() as c:
        await login(c, server.url)
        assert (await c.get(server.url + BATCH_PATH, params=PARAMS)).status_code == 200
        server.expire_sessions()
        r = await c.get(server.url + BATCH_PATH, params=PARAMS)
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("text/html")
        relogin = await c.get(server.url + "/auth.json")
        assert relogin.json() == {"authenticated": "false"}
        await c.post(server.url + "/j_security_check", data={"j_username": "admin", "j_password": "admin"})
        assert (await c.get(server.url + BATCH_PATH, params=PARAMS)).json()["batchId"] == OK_ID


async def test_login_page_is_public(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static")
    async with httpx.AsyncClient() as c:
        r = await c.get(server.url + "/login.jsp")
    assert r.status_code == 200
    assert "j_username" in r.text


CURRENT_USER = "/api/userprofile/getCurrentUser"
FETCH = {"X-CSRF-Token": "Fetch", "X-Requested-With": "XMLHttpRequest"}


async def test_csrf_handshake_then_session_calls(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static", auth="csrf")
    async with httpx.AsyncClient() as c:
        basic_only = await c.get(server.url + BATCH_PATH, params=PARAMS, auth=("admin", "admin"))
        assert basic_only.status_code == 403  # a 7.8-style server: Basic alone is not enough
        refused = await c.get(server.url + CURRENT_USER, headers=FETCH, auth=("admin", "wrong"))
        assert refused.status_code == 401 and "X-CSRF-Token" not in refused.headers
        shake = await c.get(server.url + CURRENT_USER, headers=FETCH, auth=("admin", "admin"))
        assert shake.status_code == 200 and shake.json()["login"] == "admin"
        token = shake.headers["X-CSRF-Token"]
        assert c.cookies.get("JSESSIONID") and server.handshakes == 1
        session = {"X-CSRF-Token": token, "X-Requested-With": "XMLHttpRequest"}
        ok = await c.get(server.url + BATCH_PATH, params=PARAMS, headers=session)
        assert ok.status_code == 200 and ok.json()["batchId"] == OK_ID
        wrong_token = await c.get(
            server.url + BATCH_PATH, params=PARAMS, headers={**session, "X-CSRF-Token": "x"}
        )
        assert wrong_token.status_code == 403
        server.expire_sessions()
        assert (await c.get(server.url + BATCH_PATH, params=PARAMS, headers=session)).status_code == 403
    assert set(server.handed_out) == {c.cookies.get("JSESSIONID"), token}


async def test_csrf_session_dies_after_max_uses(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static", auth="csrf", session_max_uses=2)
    async with httpx.AsyncClient() as c:
        shake = await c.get(server.url + CURRENT_USER, headers=FETCH, auth=("admin", "admin"))
        session = {"X-CSRF-Token": shake.headers["X-CSRF-Token"]}
        codes = [
            (await c.get(server.url + BATCH_PATH, params=PARAMS, headers=session)).status_code for _ in "abc"
        ]
    assert codes == [200, 200, 403]


async def test_bearer_mode(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static", auth="bearer", token="tok-123")
    async with httpx.AsyncClient() as c:
        ok = await c.get(server.url + BATCH_PATH, params=PARAMS, headers={"Authorization": "Bearer tok-123"})
        wrong = await c.get(server.url + BATCH_PATH, params=PARAMS, headers={"Authorization": "Bearer nope"})
        basic = await c.get(server.url + BATCH_PATH, params=PARAMS, auth=("admin", "admin"))
        user = await c.get(server.url + CURRENT_USER, headers={"Authorization": "Bearer tok-123"})
    assert ok.status_code == 200 and user.json()["login"] == "admin"
    assert wrong.status_code == basic.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


async def test_get_current_user_answers_in_basic_mode_without_a_token(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static")
    async with httpx.AsyncClient(auth=("admin", "admin")) as c:
        r = await c.get(server.url + CURRENT_USER, headers=FETCH)
    assert r.status_code == 200 and r.json()["login"] == "admin" and "X-CSRF-Token" not in r.headers
