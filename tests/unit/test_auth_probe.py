"""How one answer to the getCurrentUser probe decides the login mode (`--auth auto`)."""

from __future__ import annotations

import httpx
import pytest

from slv_tui.slv.auth import judge_probe, user_name
from slv_tui.slv.errors import AuthError

USER = b'{"login": "ops", "firstName": "Ada"}'


def answer(status: int, body: bytes = b"", **headers: str) -> tuple[httpx.Response, bytes]:
    return httpx.Response(status, headers=headers, content=body), body


@pytest.mark.parametrize(
    ("status", "body", "headers", "mode"),
    [
        (200, USER, {"X-CSRF-Token": "abc123", "Content-Type": "application/json"}, "csrf"),
        (200, USER, {"Content-Type": "application/json"}, "basic"),
        (200, b"<html><form action='j_security_check'>", {"Content-Type": "text/html"}, "form"),
        (302, b"", {"Location": "https://cms/reports/login.jsp"}, "form"),
    ],
)
def test_modes(status: int, body: bytes, headers: dict[str, str], mode: str) -> None:
    probe = judge_probe(*answer(status, body, **headers))
    assert probe.mode == mode and probe.note is None


def test_a_token_of_fetch_or_required_is_no_token() -> None:
    assert judge_probe(*answer(200, USER, **{"X-CSRF-Token": "Required"})).mode == "basic"


@pytest.mark.parametrize("status", [404, 500])
def test_unprobeable_server_falls_back_to_basic_with_a_note(status: int) -> None:
    probe = judge_probe(*answer(status, b"nope"))
    assert probe.mode == "basic" and probe.note is not None and f"HTTP {status}" in probe.note


def test_refusals() -> None:
    with pytest.raises(AuthError, match="refused the credentials"):
        judge_probe(*answer(401, b"", **{"WWW-Authenticate": 'Basic realm="SLV"'}))
    with pytest.raises(AuthError, match="bearer token"):
        judge_probe(*answer(401, b"", **{"WWW-Authenticate": "Bearer"}))


def test_user_name() -> None:
    assert user_name({"login": "ops"}) == "ops"
    assert user_name({"name": 42}) == "42"
    assert user_name({"login": True}) is None and user_name(None) is None
