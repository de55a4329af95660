"""CJK and emoji in server text: `status`'s columns stay aligned by display width (a CJK letter or an
emoji takes two terminal columns), and an emoji sequence joined by zero-width joiners stays whole."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from wcwidth import wcswidth

from .conftest import run_cli
from .hostile import batch_body
from .hostilecases import DISPLAY_WIDTH, record

CODER = "\U0001f469\u200d\U0001f4bb"  # woman technologist: woman, zero-width joiner, laptop
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
STEPS = {
    "1001": "配置检查 (データベース)",
    "1002": f"Check {CODER} config",
    "1003": f"{FAMILY} ✅ Check",
    "1004": "Check",
}
MESSAGE = "message-here"


def _batch(batch_id: str, title: str) -> bytes:
    step = {"stepName": "check", "stepLabel": title, "status": 0, "infoMessages": [], "messages": []}
    return batch_body(
        batch_id,
        batchRunning=True,
        batchProgressValue=40,
        batchProgressMessage=f"{MESSAGE} {title}",
        value={"login": "ops", "status": 0, "stepResults": [step]},
    )


@pytest.fixture
def server_url() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            batch_id = parse_qs(urlsplit(self.path).query).get("batchId", [""])[0]
            body = _batch(batch_id, STEPS.get(batch_id, "?")) if "getBatchResult" in self.path else b"{}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/reports"
    httpd.shutdown()
    httpd.server_close()


def test_status_columns_align_by_display_width_and_emoji_stay_whole(tmp_path: Path, server_url: str) -> None:
    done = run_cli(tmp_path, "status", "--url", server_url, *STEPS, SLV_PASSWORD="pw")
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert len(rows) == len(STEPS), done.stdout
    columns = {wcswidth(header[: header.index("MESSAGE")])}
    for row in rows:
        columns.add(wcswidth(row[: row.index(MESSAGE)]))
    assert len(columns) == 1, f"MESSAGE starts at display columns {sorted(columns)}:\n{done.stdout}"
    assert CODER in done.stdout and FAMILY in done.stdout  # the joiners kept: one picture each
    figure = f"MESSAGE at display column {columns.pop()} on {len(rows) + 1} of {len(rows) + 1} lines"
    figure += " (before: 63, 65, 67, 73)"
    record(DISPLAY_WIDTH, figure)


def test_the_symbols_measured_without_wcwidth_are_one_column_in_wcwidth() -> None:
    """`display_width` counts the CLI's own symbols (state marks, dashes) as one column without
    importing wcwidth (start-up): wcwidth must agree, alone and in a mixed line, and a variation
    selector after one (a wide emoji form) still goes to wcwidth."""
    from slv_tui.common.width import _NARROW, display_width

    for code in _NARROW:
        symbol = chr(code)
        assert wcswidth(symbol) == 1 == display_width(symbol), repr(symbol)
        line = f"{symbol} done — 3 · ok"
        assert display_width(line) == wcswidth(line)
    assert display_width("\u26a0\ufe0f") == wcswidth("\u26a0\ufe0f")
