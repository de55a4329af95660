"""What a hostile server hands out: cookies with new names on every answer, short cookie values,
tokens no HTTP header can carry. Over real sockets (the simulator, a tiny stdlib server, the CLI)."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from support.logs import preserved_logging
from support.sim import StartLoopSim, new_client
from support.sim import start_loop_sim as start_loop_sim  # the in-loop simulator fixture

from slv_tui.common.logs import redact, setup_logging
from slv_tui.common.redaction import MAX_SESSION_VALUES, registered_counts
from slv_tui.sim import ThreadedSim
from slv_tui.slv.jar import MAX_COOKIE_BYTES, MAX_COOKIES

from .conftest import run_cli
from .hostile import HostileServer, Reply
from .hostilecases import record

BATCH = "1481016600181"


async def test_rotating_cookies_keep_the_jar_bounded_and_the_log_readable(
    start_loop_sim: StartLoopSim, tmp_path: Path
) -> None:
    sim = await start_loop_sim(scenario="static", cookie_churn=100)  # 100 new names on every answer
    with preserved_logging():
        log_file = setup_logging(tmp_path / "log" / "slv-tui.log", "info")
        assert log_file is not None
        before = registered_counts()
        async with new_client(sim.url) as client:
            for _ in range(200):  # 20,000 cookies, each with a name never seen before
                await client.get_batch(BATCH)
            jar = list(client._http.cookies.jar)
        after = registered_counts()
        sample = f"GET {sim.url}/api/batch/getBatchResult batchId={BATCH} -> 200 in 3 ms"
        started = time.perf_counter()
        for _ in range(100):
            redact(sample)
        per_line_ms = (time.perf_counter() - started) * 10  # a figure for the doc, never asserted
        logging.getLogger("slv_tui.test").info("GET http://127.0.0.1/x batchId=1 for a batch")
        text = log_file.read_text()
    churned = sim.cookie_churn * 200
    record(17, f"{churned:,} rotating cookies: jar {len(jar)} cookies (bound {MAX_COOKIES})")
    record(17, f"longest Cookie header sent {sim.longest_cookie_header:,} bytes (was 58 KB after 7 answers)")
    record(17, f"session values remembered {after['session']} (bound {MAX_SESSION_VALUES})")
    record(17, f"alternation compiled {after['rebuilds'] - before['rebuilds']} times for 200 answers")
    record(17, f"{per_line_ms:.1f} ms of redaction per log line after them (was 1.9 s with 20,000)")
    assert len(jar) <= MAX_COOKIES
    assert sim.longest_cookie_header <= MAX_COOKIE_BYTES + 2 * MAX_COOKIES  # names, values, "; "
    assert after["session"] <= MAX_SESSION_VALUES and after["cookie_names"] <= 256
    assert after["rebuilds"] - before["rebuilds"] <= 1  # cookies never rebuild the durable matcher
    assert after["durable"] - before["durable"] <= 2  # the password and its Basic token, no cookie
    # a=1, b=GET, c=batch were set on every answer: they are not secrets, the words stay
    line = next(line for line in text.splitlines() if "slv_tui.test" in line)
    assert "GET http://127.0.0.1/x batchId=1 for a batch" in line, line
    assert "-> 200 in" in text and "127.0.0.1" in text


def test_a_long_cookie_value_is_redacted_wherever_it_shows_and_a_short_one_nowhere() -> None:
    from slv_tui.common.redaction import register_session_value

    register_session_value("Zq7tLongSessionValue42", "SESSIONX")
    register_session_value("GET", "b")
    assert "Zq7tLongSessionValue42" not in redact("echo: value Zq7tLongSessionValue42 seen")
    assert redact("GET /reports ok") == "GET /reports ok"  # too short to be a secret
    assert redact("b=GET") == "b=********"  # by its cookie's name


@pytest.mark.parametrize(
    "token",
    ["t\u00f6ken", "t\u00f6ken".encode().decode("latin-1")],  # latin-1 bytes; UTF-8 bytes
    ids=["latin-1", "utf-8"],
)
def test_a_non_ascii_csrf_token_is_one_clear_line(tmp_path: Path, token: str) -> None:
    user = json.dumps({"login": "admin"}).encode()
    reply = Reply(200, user, {"Content-Type": "application/json", "X-CSRF-Token": token})
    with HostileServer(reply) as server:
        done = run_cli(tmp_path, "status", "--url", server.url, BATCH, SLV_PASSWORD="admin")
    out = done.stdout + done.stderr
    lines = sum("cannot carry" in line for line in out.splitlines())
    record(
        18,
        f"CSRF token in {'UTF-8' if len(token) > 5 else 'latin-1'}: exit {done.returncode},"
        f" {lines} error line"
        " (was `unexpected UnicodeEncodeError`)",
    )
    assert done.returncode == 3, out
    assert "UnicodeEncodeError" not in out and "unexpected" not in out.lower()
    assert "CSRF token with characters an HTTP header cannot carry" in out and lines == 1


def test_a_non_ascii_bearer_token_is_one_clear_line(tmp_path: Path) -> None:
    with ThreadedSim(scenario="static", auth="bearer") as sim:
        args = ("status", "--auth", "bearer", "--url", sim.url, BATCH)
        done = run_cli(tmp_path, *args, SLV_TOKEN="t\u00f6ken")
        requests = sim.server.request_count
    out = done.stdout + done.stderr
    lines = sum("cannot carry" in line for line in out.splitlines())
    record(
        18,
        f"`SLV_TOKEN=t\u00f6ken`: exit {done.returncode}, {lines} error line, {requests} batch requests sent",
    )
    assert done.returncode == 3, out
    assert "UnicodeEncodeError" not in out and "unexpected" not in out.lower()
    assert "token holds characters an HTTP header cannot carry" in out and lines == 1
    assert "t\u00f6ken" not in out
