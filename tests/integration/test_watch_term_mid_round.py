"""SIGTERM while a poll round is in flight (requests held by the simulator): exit 0, files whole."""

from __future__ import annotations

import json
import signal
import subprocess

from slv_tui.sim import ThreadedSim

from .conftest import Cli
from .test_watch import FAILED, OK, RUNNING, Lines, wait_for, watch_files


def test_sigterm_in_the_middle_of_a_poll_round_exits_zero_with_files_whole(cli: Cli) -> None:
    with ThreadedSim(scenario="static") as sim:
        server = f'url = "{sim.url}"\ninterval = 0.5'
        config, watchlist = watch_files(cli, server, [OK, RUNNING, FAILED], "line A")
        path = watchlist.path
        proc = cli.popen("watch", "--config", str(config), SLV_PASSWORD="admin")
        lines = Lines(proc)
        try:
            wait_for(lambda: lines.has("failed", FAILED), "the first round's events")
            sim.server.latency_ms = 60_000  # every request from now on hangs: the next round stays open
            seen = len(sim.server.requests)
            wait_for(lambda: len(sim.server.requests) > seen, "a request of the next round in flight")
            before = path.read_bytes()
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(2.0)  # the deadline
            except subprocess.TimeoutExpired as exc:
                raise AssertionError("the watcher did not exit within 2 s of SIGTERM mid-round") from exc
        finally:
            sim.server.latency_ms = 0
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        assert code == 0
        assert path.read_bytes() == before
        for written in (cli.home / "data").rglob("*.json*"):  # every file it wrote parses whole
            if written.suffix == ".lock":  # an empty lock file (filelock), not data
                continue
            text = written.read_text()
            if written.suffix == ".jsonl":
                assert all(json.loads(line) is not None for line in text.splitlines() if line)
            else:
                json.loads(text)
        assert proc.stderr is not None and "Traceback" not in proc.stderr.read()
