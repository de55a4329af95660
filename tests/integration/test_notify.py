"""Notifications of `slv-tui watch` through Apprise's json:// to a local aiohttp receiver."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from slv_tui.sim import ThreadedSim

from .conftest import Cli
from .test_watch import CANCELLED, ERRORS, FAILED, OK, Lines, free_port, wait_for, watch_files

HOOK_SECRET = "Hk-9f3Zq-S3cr3tT0ken"


class Receiver:
    """An aiohttp server in a thread, keeping every JSON body POSTed to /hook."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.raw: list[str] = []
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def hook(request: web.Request) -> web.Response:
            text = await request.text()
            self.raw.append(text + json.dumps(dict(request.headers)))
            self.bodies.append(json.loads(text))
            return web.json_response({})

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app)
        self.loop.run_until_complete(runner.setup())
        self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def mentions(self, batch_id: str) -> int:
        return sum(batch_id in (b.get("title", "") + b.get("message", "")) for b in self.bodies)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()
    yield got
    got.stop()


def _start(cli: Cli, config: Path) -> tuple[subprocess.Popen[str], Lines]:
    proc = cli.popen("watch", "--config", str(config), SLV_PASSWORD="admin")
    return proc, Lines(proc)


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0
    assert proc.stderr is not None and proc.stdout is not None
    return proc.stderr.read()


def test_one_grouped_notification_per_bad_batch_and_none_after_restart(
    cli: Cli, static_sim: ThreadedSim, receiver: Receiver
) -> None:
    url = f"json://hook:{HOOK_SECRET}@127.0.0.1:{receiver.port}/hook"
    config, watchlist = watch_files(
        cli, f'url = "{static_sim.url}"\n\n[notify]\nurls = ["{url}"]', [OK, FAILED, ERRORS], "line A"
    )
    ledger = cli.home / "data" / "slv-tui" / "notified" / "default.jsonl"

    proc, lines = _start(cli, config)
    try:
        wait_for(lambda: receiver.mentions(FAILED) and receiver.mentions(ERRORS), "the notification")
        wait_for(
            lambda: ledger.exists() and FAILED in ledger.read_text() and ERRORS in ledger.read_text(),
            "ledger",
        )
    finally:
        err = _stop(proc)
    assert len(receiver.bodies) == 1  # both bad batches of the first round in one message
    assert "2 batches" in receiver.bodies[0]["title"] and "on default" in receiver.bodies[0]["title"]
    assert receiver.mentions(OK) == 0  # succeeded is not among the default events
    assert oct(ledger.stat().st_mode & 0o777) == "0o600"

    watchlist.add([CANCELLED])
    proc, lines = _start(cli, config)
    try:
        wait_for(lambda: receiver.mentions(CANCELLED), "the new cancelled batch's notification")
    finally:
        err += _stop(proc)
    assert receiver.mentions(FAILED) == 1 and receiver.mentions(ERRORS) == 1  # not again after the restart
    assert len(receiver.bodies) == 2
    out = json.dumps(lines.items)
    for where in (*receiver.raw, out, err, cli.log_file.read_text(), config.read_text().replace(url, "")):
        assert HOOK_SECRET not in where
    assert f"127.0.0.1:{receiver.port}/hook" not in cli.log_file.read_text()


def test_a_failing_notifier_never_stops_watching(cli: Cli, static_sim: ThreadedSim) -> None:
    url = f"json://127.0.0.1:{free_port()}/hook"  # nobody listens
    config, watchlist = watch_files(cli, f'url = "{static_sim.url}"\n\n[notify]\nurls = ["{url}"]', [FAILED])
    proc, lines = _start(cli, config)
    try:
        wait_for(lambda: lines.has("failed", FAILED), "the failed event")
        wait_for(lambda: "notification not delivered" in cli.log_file.read_text(), "the logged failure")
        watchlist.add([CANCELLED])
        wait_for(lambda: lines.has("cancelled", CANCELLED), "watching goes on")
    finally:
        _stop(proc)
    assert url not in cli.log_file.read_text()
