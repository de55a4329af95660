"""The log file never holds a secret: registered passwords, j_password fields, Basic headers."""

from __future__ import annotations

import base64
import html
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from support.logs import preserved_logging

from slv_tui.common.logs import REDACTED, redact, register_secret, setup_logging


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    with preserved_logging():
        path = tmp_path / "log" / "slv-tui.log"
        assert setup_logging(path, "debug") == path
        yield path


def test_registered_secret_redacted(log_file: Path) -> None:
    register_secret("Zq-Registered-991")
    log = logging.getLogger("slv_tui.test")
    log.warning("login as admin with Zq-Registered-991 failed")
    log.info("args too: %s", "prefix-Zq-Registered-991-suffix")
    text = log_file.read_text()
    assert "Zq-Registered-991" not in text
    assert text.count(REDACTED) == 2
    assert "login as admin with" in text


def test_form_and_header_redacted(log_file: Path) -> None:
    log = logging.getLogger("slv_tui.test")
    log.info("POST j_username=admin&j_password=NotRegistered77&x=1")
    log.info("headers: Authorization: Basic YWRtaW46c2VjcmV0 ; next")
    log.info('json {"password": "JsonPw55"}')
    text = log_file.read_text()
    for secret in ("NotRegistered77", "YWRtaW46c2VjcmV0", "JsonPw55"):
        assert secret not in text
    assert "j_username=admin" in text and "x=1" in text


def test_exception_text_redacted(log_file: Path) -> None:
    register_secret("Exc-Secret-314")
    log = logging.getLogger("slv_tui.test")
    try:
        raise ValueError("bad Exc-Secret-314")
    except ValueError:
        log.exception("boom")
    text = log_file.read_text()
    assert "Exc-Secret-314" not in text and "ValueError" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("j_password=abc&j_username=u", "j_password=********&j_username=u"),
        ("AUTHORIZATION: basic Zm9vOmJhcg==", "AUTHORIZATION: basic ********"),
        ("nothing here", "nothing here"),
    ],
)
def test_redact(raw: str, expected: str) -> None:
    assert redact(raw) == expected


def test_unwritable_log_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with preserved_logging():
        assert setup_logging(blocker / "log" / "slv-tui.log") is None
        root = logging.getLogger("slv_tui")
        # Not to the root logger: outside pytest that is Python's last-resort stderr handler, which
        # would write unredacted lines over the dashboard (tests/reliability/test_logging.py runs it).
        assert root.propagate is False and root.handlers


SHAPES = [
    "{pw}",
    "{url}",  # a form body or query string echoed back
    "{plus}",
    "<input name='j_password' value='{html}'>",
    '{{"echo": "{json}"}}',
    '{{"headers": {{"authorization": "Basic {b64}"}}}}',  # a JSON echo of the request headers
    "<tr><td>Authorization</td><td>Basic {b64}</td></tr>",
    "Authorization=Basic%20{b64}",
    "x{b64}y",  # glued to other characters
    "token={b64url}",
]


@pytest.mark.parametrize("shape", SHAPES)
def test_encoded_forms_of_a_registered_secret_are_redacted(log_file: Path, shape: str) -> None:
    secret = 'P@ss w&rd<1>"é'
    register_secret(secret)
    forms = {
        "pw": secret,
        "url": quote(secret, safe=""),
        "plus": quote_plus(secret),
        "html": html.escape(secret),
        "json": json.dumps(secret)[1:-1],
        "b64": base64.b64encode(f"operator:{secret}".encode()).decode(),
        "b64url": base64.urlsafe_b64encode(f"op:{secret}".encode()).decode().rstrip("="),
    }
    text = shape.format(**forms)
    logging.getLogger("slv_tui.bodies").info("body: %s", text)
    logged = log_file.read_text()
    for form in forms.values():
        assert form not in logged
    assert "P@ss" not in logged and REDACTED in logged


@pytest.mark.parametrize(
    "text",
    [
        '{"authorization": "Basic YWRtaW46c2VjcmV0"}',  # an unregistered password in a Basic token
        "<td>Basic dXNlcjpodW50ZXIy</td>",
    ],
)
def test_basic_tokens_in_any_shape_are_redacted(text: str) -> None:
    assert "Basic ********" in redact(text)


def test_ordinary_words_are_not_redacted() -> None:
    text = (
        "Basic settings checked; Basic auth refused; Commissioning process finished (batchId=1481016600181)"
    )
    assert redact(text) == text


def test_stack_info_redacted(log_file: Path) -> None:
    register_secret("Stack-Secret-2718")
    logging.getLogger("slv_tui.test").info("where", stack_info=True)  # the stack shows: Stack-Secret-2718
    text = log_file.read_text()
    assert "Stack (most recent call last)" in text and "the stack shows: " in text
    assert "Stack-Secret-2718" not in text


def _java_json(text: str) -> str:
    """How Java JSON encoders (Gson, Jackson with escaping) write a string: `\\/` and `\\u003d`."""
    return json.dumps(text)[1:-1].replace("/", "\\/").replace("=", "\\u003d").replace("<", "\\u003c")


@pytest.mark.parametrize(
    "shape",
    [
        '{{"authorization": "Basic {token}"}}',
        "<td>Basic {token}</td>",
        '{{"echo": "{secret}"}}',
        "password={secret_url_lower}",
        "x {secret_html} y",
    ],
)
def test_escaped_forms_nobody_registered_are_redacted(log_file: Path, shape: str) -> None:
    secret = "Tr/ck=y<Pw>?"  # '/', '=' and '<' are what Java encoders escape
    register_secret(secret)
    token = base64.b64encode(f"operator:{secret}".encode()).decode()
    assert "/" in token or "+" in token  # the base64 itself needs escaping in JSON by Java encoders
    forms = {
        "token": _java_json(token),
        "secret": _java_json(secret),
        "secret_url_lower": quote(secret, safe="").lower(),
        "secret_html": "".join(f"&#{ord(c)};" for c in secret),
    }
    logging.getLogger("slv_tui.bodies").info("body: %s", shape.format(**forms))
    logged = log_file.read_text()
    assert REDACTED in logged
    for form in (secret, token, *forms.values()):
        assert form not in logged, form
    assert "Tr/ck" not in logged and "Tr\\/ck" not in logged


def test_a_basic_token_with_json_slash_escapes_is_redacted_unregistered() -> None:
    token = base64.b64encode(b"admin:???>>>~~~").decode()
    assert "/" in token
    escaped = token.replace("/", "\\/")
    assert redact(f'{{"headers": {{"Authorization": "Basic {escaped}"}}}}') == (
        '{"headers": {"Authorization": "Basic ********"}}'
    )


@pytest.mark.parametrize(
    ("raw", "leak"),
    [
        ("Set-Cookie: JSESSIONID=8F00D1E5C0FFEE; Path=/reports; HttpOnly", "8F00D1E5C0FFEE"),
        ("Cookie: JSESSIONID=8F00D1E5C0FFEE; other=v4lue", "v4lue"),
        ('{"headers": {"cookie": "SESSION=Zm9vYmFy; lang=en"}}', "Zm9vYmFy"),
        ("GET /reports/api;jsessionid=8F00D1E5C0FFEE?ser=json", "8F00D1E5C0FFEE"),
        ("X-CSRF-Token: 3b1f9c0e-aa12-4d7e", "3b1f9c0e"),
        ('{"X-CSRF-TOKEN": "3b1f9c0e-aa12-4d7e"}', "3b1f9c0e"),
        ('{"_csrf": "3b1f9c0e-aa12-4d7e"}', "3b1f9c0e"),
        ('{"token": "eyJhbGciOiJIUzI1NiJ9.e30.abc"}', "eyJhbGciOi"),
        ('{"access_token":"eyJhbGciOiJIUzI1NiJ9.e30.abc","expires_in":3600}', "eyJhbGciOi"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "eyJhbGciOi"),
        ('{\\"password\\": \\"Nested-Pw-9\\"}', "Nested-Pw-9"),  # JSON inside a JSON string
    ],
)
def test_sessions_csrf_and_access_tokens_are_redacted_by_name(raw: str, leak: str) -> None:
    out = redact(raw)
    assert leak not in out and REDACTED in out, out


def test_ordinary_session_and_token_words_stay() -> None:
    text = "session refused; logging in again; Bearer token missing; 3 sessions; tokenCount 4"
    assert redact(text) == text
    assert redact('{"expires_in": 3600, "batchId": "1481016600181"}') == (
        '{"expires_in": 3600, "batchId": "1481016600181"}'
    )
