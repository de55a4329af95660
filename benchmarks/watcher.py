"""CPU and memory of `slv-tui watch --metrics-listen` over a run with N watched batches, scraped
every second, against a bare prometheus_client exporter of the same series (Linux: /proc). Both run
from a plain (non-editable) install of the tree (see ptyrun.plain_install), at the same time; the
batches run (and change) the whole run: `running_known` looping every 590 s, before it would end.

    python benchmarks/watcher.py [--seconds 300] [--batches 200] [--tree PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from ptyrun import describe, install_arg, plain_install

from slv_tui.sim import ThreadedSim
from slv_tui.store.watchlist import Watchlist

_BARE = """
import random, sys, time
from prometheus_client import Counter, Gauge, Histogram, start_http_server
n = int(sys.argv[2])
b = ["server", "batch"]
up = Gauge("slv_up", "up", ["server"])
info = Gauge("slv_batch_info", "info", [*b, "label"])
state = Gauge("slv_batch_state", "state", [*b, "state"])
prog = Gauge("slv_batch_progress_ratio", "p", b)
msgs = Gauge("slv_batch_messages", "m", [*b, "severity"])
last = Gauge("slv_batch_last_change_timestamp_seconds", "l", b)
stalled = Gauge("slv_batch_stalled", "s", b)
req = Counter("slv_requests", "r", ["server", "outcome"])
dur = Histogram("slv_request_duration_seconds", "d", ["server"])
states = ["cancelled", "cancelling", "running", "failed", "completed_with_errors", "succeeded",
          "not_found", "unknown"]
start_http_server(int(sys.argv[1]), addr="127.0.0.1")
up.labels("default").set(1)
while True:
    for i in range(n):
        bid = str(1481000000000 + i)
        info.labels("default", bid, "").set(1)
        for s in states:
            state.labels("default", bid, s).set(1 if s == "running" else 0)
        prog.labels("default", bid).set(random.random())
        for sev in ("info", "warning", "error"):
            msgs.labels("default", bid, sev).set(random.randint(0, 100))
        last.labels("default", bid).set(time.time())
        stalled.labels("default", bid).set(0)
        req.labels("default", "ok").inc()
        dur.labels("default").observe(0.01)
    time.sleep(2)
"""


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(argv: list[str], port: int, seconds: float, env: dict[str, str]) -> dict[str, float]:
    """Run argv, scrape it every second for `seconds`, return CPU % and peak RSS."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if "slv_batch_info" in httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        cpu0, t0, peak, size = _cpu(proc.pid), time.monotonic(), 0.0, 0
        while time.monotonic() - t0 < seconds:
            size = len(httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).content)
            peak = max(peak, _rss_mib(proc.pid))
            time.sleep(1.0)
        cpu = (_cpu(proc.pid) - cpu0) / (time.monotonic() - t0) * 100
        return {"cpu_percent": round(cpu, 2), "peak_rss_mib": round(peak, 1), "scrape_bytes": size}
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--batches", type=int, default=200)
    install_arg(parser)
    args = parser.parse_args()
    install = plain_install(args.tree)
    started = describe(install)
    print(started, file=sys.stderr)
    with ThreadedSim(scenario="static") as sim, tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLV_", "XDG_"))}
        env.update(XDG_DATA_HOME=f"{home}/data", XDG_STATE_HOME=f"{home}/state", XDG_CONFIG_HOME=f"{home}/c",
                   SLV_PASSWORD="admin", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")  # fmt: skip
        running = {**sim.server.scenario.templates["running_known"], "loop": 590}  # never finishes
        ids = [sim.server.start_timeline(running) for _ in range(args.batches)]
        Watchlist(Path(home, "data", "slv-tui", "watchlists", "default.json")).add(ids)
        wport, bport = _port(), _port()
        watch_argv = [install.slv_tui, "watch", "--url", sim.url, "--metrics-listen", str(wport)]
        bare_argv = [install.python, "-c", _BARE, str(bport), str(args.batches)]
        # Both run at once, so they share the same machine load (the ratio is what counts).
        with ThreadPoolExecutor(2) as pool:
            watching = pool.submit(measure, watch_argv, wport, args.seconds, env)
            baseline = pool.submit(measure, bare_argv, bport, args.seconds, env)
            watcher, bare = watching.result(), baseline.result()
    ratio = round(watcher["cpu_percent"] / bare["cpu_percent"], 2) if bare["cpu_percent"] else None
    print(json.dumps({"batches": args.batches, "seconds": args.seconds, "watcher": watcher, "bare": bare,
                      "cpu_ratio": ratio, "start": started, "end": describe(install)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
