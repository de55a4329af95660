"""`--timeout` is a total deadline, and a slow batch never holds back the others (real sockets)."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from support.sim import new_client

from slv_tui.slv import errors
from slv_tui.watch.snapshot import Snapshot, Update

from .conftest import child_env, cli_argv, run_cli
from .drip import DRIP_BYTES, DripServer
from .hostile import HostileServer, Reply, batch_body
from .hostilecases import record

DRIP_EVERY = 0.5
DRIP_SECONDS = DRIP_BYTES * DRIP_EVERY  # 100 s: what a per-read timeout would let the drip run


@pytest.mark.parametrize("where", ["headers", "body"])
def test_status_timeout_bounds_the_whole_request(tmp_path: Path, where: str) -> None:
    """One byte every 0.5 s satisfies a per-read timeout forever; the deadline ends it after 2 s."""
    with DripServer({"1": where}, every=DRIP_EVERY) as srv:
        started = time.monotonic()
        done = run_cli(tmp_path, "status", "--timeout", "2", "--url", srv.url, "1", SLV_PASSWORD="pw")
        took = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    assert "timeout: the server did not answer in time" in done.stdout
    bound = DRIP_SECONDS / 4  # generous: 2 s deadline + interpreter start-up on a busy box
    assert took < bound, f"--timeout 2 did not bound a dripping {where}: {took:.1f} s (bound {bound:.0f} s)"
    record(3, f"{where} dripped: exit 3 after {took:.1f} s with `--timeout 2` (bound {bound:.0f} s)")


async def test_client_deadline_covers_the_body() -> None:
    with DripServer({"7": "body"}, every=DRIP_EVERY) as srv:
        client = new_client(srv.url, timeout=1.0)
        try:
            started = time.monotonic()
            with pytest.raises(errors.RequestTimeout):
                await client.get_batch("7")
            assert time.monotonic() - started < DRIP_SECONDS / 4
            assert (await client.get_batch("8")).state.finished  # the client is still usable
        finally:
            await client.aclose()


def test_follow_prints_a_fast_batch_while_a_slow_one_drips(tmp_path: Path) -> None:
    """Before: one round waited for every request, so nothing was printed until the slow one ended."""
    with DripServer({"1": "body"}, every=DRIP_EVERY) as srv:
        proc = subprocess.Popen(
            cli_argv("follow", "--timeout", "60", "--url", srv.url, "1", "2"),
            env=child_env(tmp_path, SLV_PASSWORD="pw", PYTHONUNBUFFERED="1"),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()  # blocks until something is printed
            still_dripping = srv.dripping
        finally:
            proc.kill()
            proc.communicate(timeout=30)
    printed = first.split()[1:4]
    assert printed == ["2", "✔", "succeeded"], f"follow printed nothing before the slow batch: {first}"
    assert still_dripping == 1  # batch 1's answer was still on its way (60 s deadline, 100 s drip)
    record(3, "`follow 1 2`: batch 2 printed while batch 1 still dripped")


class _CountingServer:
    """Holds every request until the test has seen how many arrive at once (the fan-out bound)."""

    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.total = 0
        self.release = threading.Event()
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with lock:
                    outer.active += 1
                    outer.total += 1
                    outer.peak = max(outer.peak, outer.active)
                outer.release.wait(30)
                with lock:
                    outer.active -= 1
                body = batch_body("1")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/reports"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


async def test_concurrency_bounds_what_reaches_the_server() -> None:
    """`concurrency` is what runs: 3 means 3 requests in flight, never more (the pool was 2x)."""
    srv = _CountingServer()
    client = new_client(srv.url, concurrency=3, timeout=30.0)
    try:
        fetches = asyncio.gather(*(client.get_batch(str(i)) for i in range(1, 13)))
        for _ in range(3000):  # until 3 requests are held, then give any 4th the chance to show
            if srv.active >= 3:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        peak = srv.peak
        srv.release.set()
        assert len(await fetches) == 12
    finally:
        srv.release.set()
        await client.aclose()
        srv.httpd.shutdown()
        srv.httpd.server_close()
    assert peak == 3
    assert srv.total == 12


async def test_same_bytes_skip_parsing_and_changed_bytes_do_not() -> None:
    with HostileServer(Reply(body=batch_body("5", batchProgressValue=40, batchRunning=True))) as srv:
        client = new_client(srv.url)
        try:
            first = await client.get_batch("5")
            again = await client.get_batch("5")
            assert again is first  # the same answer: no decode, no parse, the same object
            assert not Update(Snapshot("5", 0.0, batch=again), first).batch_changed
            srv.reply = Reply(body=batch_body("5"))
            changed = await client.get_batch("5")
            assert changed is not first and changed.state.finished
            assert srv.requests == 3
        finally:
            await client.aclose()
