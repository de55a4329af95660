"""A server that echoes our request headers back in its error object: no output shows a secret.

Every output path (`status`, `status --json`, `report`, `check --json`, the dashboard screen) goes
through the log redaction: the Basic credentials (base64 of user:password), the CSRF token, the
session cookie and a password the server reports as the login are shown as `********`.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .conftest import run_cli
from .hostilecases import SECRETS_ECHOED, record

USER = "opsuser"
PASSWORD = "Pw-s3cret-42"
CSRF_TOKEN = "c5rf-7a41e0b9d2"
COOKIE = "5E55104F00D1E5"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
BATCH = "1481016600181"


class EchoServer:
    """getCurrentUser answers a user (in csrf mode with a token and a session cookie); every batch
    is an SLV error object whose label and message hold the request's headers, as a debugging proxy
    or a careless CMS echoes them."""

    def __init__(self, *, csrf: bool, login: str = USER) -> None:
        outer = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                headers = {"Content-Type": "application/json"}
                if "getCurrentUser" in self.path:
                    body: dict[str, Any] = {"login": login, "name": login}
                    if csrf and self.headers.get("X-CSRF-Token") == "Fetch":
                        headers["X-CSRF-Token"] = CSRF_TOKEN
                        headers["Set-Cookie"] = f"JSESSIONID={COOKIE}; Path=/; HttpOnly"
                else:
                    echoed = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
                    body = {
                        "status": "ERROR",
                        "errorCode": "500",
                        "errorCodeLabel": f"bad request ({self.headers.get('Authorization')}; {echoed})",
                        "message": echoed,
                        "headers": dict(self.headers),
                    }
                raw = json.dumps(body).encode()
                self.send_response(200)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/reports"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> EchoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def basic_echo() -> Iterator[EchoServer]:
    with EchoServer(csrf=False) as server:
        yield server


@pytest.fixture
def csrf_echo() -> Iterator[EchoServer]:
    with EchoServer(csrf=True) as server:
        yield server


def _cli(home: Path, *args: str) -> tuple[int, str, str]:
    done = run_cli(home, *args, SLV_USERNAME=USER, SLV_PASSWORD=PASSWORD)
    return done.returncode, done.stdout, done.stderr


def _leaks(text: str, secrets: tuple[str, ...]) -> list[str]:
    return [secret for secret in secrets if secret in text]


def test_status_json_never_prints_the_echoed_basic_credentials(
    tmp_path: Path, basic_echo: EchoServer
) -> None:
    code, out, err = _cli(tmp_path, "status", "--json", "--auth", "basic", "--url", basic_echo.url, BATCH)
    assert code == 3, err
    (obj,) = json.loads(out)  # still valid JSON, the error still says what the server answered
    assert obj["state"] is None and "bad request" in obj["error"] and "********" in obj["error"]
    secrets = (BASIC, BASIC.rstrip("="), PASSWORD)
    assert _leaks(out, secrets) == [] and _leaks(err, secrets) == []
    record(SECRETS_ECHOED, f"`status --json` (basic): 0 of {len(secrets)} secrets in stdout and stderr")


def test_status_and_report_never_print_the_echoed_csrf_token_or_cookie(
    tmp_path: Path, csrf_echo: EchoServer
) -> None:
    base = ("--auth", "csrf", "--url", csrf_echo.url, BATCH)
    secrets = (CSRF_TOKEN, COOKIE, BASIC, PASSWORD)
    outputs = []
    for command in (("status",), ("status", "--json"), ("report",)):
        code, out, err = _cli(tmp_path, *command, *base)
        assert code == 3, err
        assert "bad request" in out, out
        assert _leaks(out, secrets) == [] and _leaks(err, secrets) == [], (command, out, err)
        outputs.append(out)
    report_file = tmp_path / "report.md"
    code, _, err = _cli(tmp_path, "report", "--output", str(report_file), *base)
    assert code == 3, err
    assert _leaks(report_file.read_text(), secrets) == []
    record(
        SECRETS_ECHOED,
        f"`status`, `status --json`, `report` (csrf): 0 of {len(secrets)} secrets in stdout, stderr"
        " and the report file",
    )


def test_check_json_never_prints_a_password_reported_as_the_login(tmp_path: Path) -> None:
    with EchoServer(csrf=False, login=PASSWORD) as server:
        code, out, err = _cli(tmp_path, "check", "--json", "--auth", "basic", "--url", server.url)
        human_code, human, _ = _cli(tmp_path, "check", "--auth", "basic", "--url", server.url)
    assert code == 0 and human_code == 0, err
    finding = json.loads(out)
    assert finding["user"] == "********"
    assert PASSWORD not in out and PASSWORD not in err and PASSWORD not in human
    record(SECRETS_ECHOED, "`check --json`: the password reported as the login is shown as `********`")


async def test_the_dashboard_never_shows_the_echoed_basic_credentials(tmp_path: Path) -> None:
    pytest.importorskip("textual")
    from .pilot_helpers import build, press, screen_text, wait_for

    shown = base64.b64encode(b"admin:admin").decode()  # the dashboard's client logs in as admin/admin
    with EchoServer(csrf=False) as server:
        stack = build(server.url, tmp_path, ids=[BATCH])
        async with stack.app.run_test(size=(200, 50)) as pilot:
            await wait_for(pilot, lambda: "bad request" in screen_text(stack.app))
            await press(pilot, "enter")  # the detail pane, with the whole error
            await wait_for(pilot, lambda: "Basic ********" in screen_text(stack.app))
            text = screen_text(stack.app)
        await stack.client.aclose()
    assert shown not in text and shown.rstrip("=") not in text
    record(SECRETS_ECHOED, "the dashboard (table and detail pane): `Basic ********`, the token not on screen")
