"""What the dashboard costs on an operator console: CPU per request and per minute, against the HTTP
work itself (a bare httpx loop), a curl loop and a bare Textual app.

Run: python benchmarks/console_cpu.py [--seconds 60] [--warmup 65] [--interval 2] [--tree PATH]

Everything runs from a plain install of the tree (`pip install .` in a fresh venv the benchmark
builds and caches per commit: what users get, not the dev venv). All in one run, each program in
its own 160x45 pseudo-terminal, the simulator in its own process (never counted), traffic only
to 127.0.0.1, one measuring window for all (after `--warmup` s: the finished console is then past
its first minute):
- busy:     `slv-tui` watching 200 batches, 50 of them running, polled every `--interval` s;
- finished: `slv-tui` watching 200 other batches, all finished (also measured over its first
            minute, "finished, 1st minute");
- bare:     a minimal Textual app (header, a 200-row DataTable, footer) that does nothing;
- httpx:    a bare `httpx.AsyncClient` loop fetching the 50 running batches every interval (at most
            4 at once, like the dashboard) and `json.loads`-ing each answer: the HTTP work itself;
- curl:     a shell loop forking one `curl` per running batch per interval (for reference; the curl
            processes' CPU is counted through the shell's reaped-children times).
CPU is user + system time from /proc. Both dashboards run the real CLI entry point under a thin
wrapper that counts requests, `DataTable.update_cell`/`add_row` calls and timer wake-ups, to show
what the time went to. Goals: busy <= 2x httpx and <= 0.25x curl per request; finished
<= 2x bare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import (
    bare_app,
    bench_env,
    cpu_seconds,
    describe,
    plain_install,
    spawn_in_pty,
    start_loop,
    start_sim,
    window_args,
)

COUNTING_WRAPPER = """
import collections, json, os, sys, threading, time
import httpx
from textual.timer import Timer
from textual.widgets import DataTable

counts = {"requests": 0, "update_cell": 0, "add_row": 0}
timers = collections.Counter()
_update_cell, _add_row, _send = DataTable.update_cell, DataTable.add_row, httpx.AsyncClient.send
_tick = Timer._tick

def update_cell(self, *args, **kwargs):
    counts["update_cell"] += 1
    return _update_cell(self, *args, **kwargs)

def add_row(self, *args, **kwargs):
    counts["add_row"] += 1
    return _add_row(self, *args, **kwargs)

async def send(self, *args, **kwargs):
    counts["requests"] += 1
    return await _send(self, *args, **kwargs)

async def tick(self, **kwargs):
    name = getattr(self._callback, "__qualname__", None) or self.name.split("#")[0]
    timers[f"timer {name} ({self._interval:g} s)"] += 1
    return await _tick(self, **kwargs)

DataTable.update_cell, DataTable.add_row, httpx.AsyncClient.send = update_cell, add_row, send
Timer._tick = tick
out = os.environ["SLV_BENCH_COUNTS"]

def dump():
    while True:
        with open(out + ".tmp", "w") as f:
            json.dump({**counts, **timers}, f)
        os.replace(out + ".tmp", out)
        time.sleep(1.0)

threading.Thread(target=dump, daemon=True).start()
from slv_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""

HTTPX_LOOP = """
import asyncio, base64, json, os, sys, time
import httpx

url, interval, out = os.environ["URL"], float(os.environ["INTERVAL"]), os.environ["OUT"]
ids = os.environ["IDS"].split()
auth = {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}
done = 0

async def main():
    global done
    gate = asyncio.Semaphore(4)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=4)) as client:
        async def one(batch_id):
            global done
            async with gate:
                params = {"batchId": batch_id, "ser": "json"}
                r = await client.get(f"{url}/api/batch/getBatchResult", params=params, headers=auth)
                json.loads(r.content)
                done += 1
        next_round = time.monotonic()
        while True:
            await asyncio.gather(*(one(i) for i in ids))
            with open(out + ".tmp", "w") as f:
                json.dump({"requests": done}, f)
            os.replace(out + ".tmp", out)
            next_round += interval
            await asyncio.sleep(max(0.0, next_round - time.monotonic()))

asyncio.run(main())
"""

CURL_LOOP = """
n=0
while true; do
  sleep "$INTERVAL" &
  for id in $IDS; do
    curl -s -o /dev/null -u admin:admin "$URL/api/batch/getBatchResult?batchId=$id&ser=json"
    n=$((n + 1))
    echo "{\\"requests\\": $n}" > "$OUT"
  done
  wait
done
"""

LONG_RUN = {
    "defaults": {"controller": "CTRL-LYON-03"},
    "duration": 7200,
    "progress_messages": [[0, "Checking database configuration"], [10, "Pushing devices to {controller}"]],
    "steps": [
        {"name": "check", "label": "Check database configuration", "at": 0, "messages": [
            {"at": 2, "severity": "info", "text": "Inventory of controller {controller} is consistent"}
        ]},
        {"name": "commissioning", "label": "Commissioning", "at": 10, "messages": [],
         "generate": {"count": 1200, "from": 12, "to": 7190, "device": "Lamp-{n:04d}", "warning_every": 50,
                      "text": "{device} @ controller {controller}: configuration pushed",
                      "warning_text": "{device} @ controller {controller}: no answer, will be retried"}},
    ],
}  # fmt: skip
"""A batch that runs two hours: progress moves steadily, a message arrives every six seconds."""

STEADY_RUN = {
    "defaults": {"controller": "CTRL-LYON-04"},
    "duration": 864000,
    "progress_messages": [[0, "Pushing devices to {controller}"]],
    "steps": [
        {"name": "commissioning", "label": "Commissioning", "at": 0, "messages": [
            {"at": 1, "severity": "info", "text": "Devices configs are pushed using mode 'LIST'."}
        ]},
    ],
}  # fmt: skip
"""A batch that runs ten days without its answer growing (for memory soaks: growth is then a leak)."""

FINISHED_TEMPLATES = ("commission_ok", "warnings", "errors", "failed", "cancelled")


def batch_ids(first: int, n: int) -> list[str]:
    """`n` 13-digit batch IDs from `first` on."""
    return [str(first + i) for i in range(n)]


def scenario(groups: list[tuple[list[str], str | None]], template: str = "long_run") -> dict[str, Any]:
    """A scenario: each group's IDs running `template` (None: finished, cycling the usual outcomes)."""
    batches = []
    for ids, running in groups:
        for i, batch_id in enumerate(ids):
            if running:
                entry = {"id": batch_id, "template": running, "start": -30 - 7 * i}
            else:
                tpl = FINISHED_TEMPLATES[i % len(FINISHED_TEMPLATES)]
                entry = {"id": batch_id, "template": tpl, "start": -7200 - 60 * i}
            batches.append(entry)
    return {
        "description": "generated by benchmarks",
        "include": ["_commissioning"],
        "templates": {"long_run": LONG_RUN, "steady_run": STEADY_RUN},
        "batches": batches,
    }


def read_counts(path: Path) -> dict[str, int]:
    """A program's latest counts (zeros before its first write; a half-written file is read again)."""
    for _ in range(50):
        try:
            return dict(json.loads(path.read_text()))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            time.sleep(0.01)
    return {}


def main() -> None:
    parser = argparse.ArgumentParser()
    window_args(parser)
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the reference loop")
    install = plain_install(args.tree)

    home = Path(tempfile.mkdtemp(prefix="slv-console-"))
    env = bench_env(home)
    running, done = batch_ids(1482000000000, 50), batch_ids(1482000001000, 150)
    finished = batch_ids(1482000002000, 200)
    data = scenario([(running, "long_run"), (done, None), (finished, None)])
    sim, url = start_sim(home, data, env, install)
    (home / "bare.py").write_text(bare_app(200, "succeeded", "100%"))
    (home / "wrapper.py").write_text(COUNTING_WRAPPER)
    (home / "httpx_loop.py").write_text(HTTPX_LOOP)
    py = install.python
    common = ["--url", url, "--user", "admin", "--interval", str(args.interval)]
    counts = {name: home / f"{name}.json" for name in ("busy", "finished", "httpx", "curl")}
    loop_env = {**env, "INTERVAL": str(args.interval), "IDS": " ".join(running), "URL": url}
    pids: dict[str, int] = {}
    procs: list[subprocess.Popen[bytes]] = []
    load_before = os.getloadavg()
    try:
        t0 = time.monotonic()
        pids["busy"] = spawn_in_pty(
            [py, str(home / "wrapper.py"), *common, *running, *done],
            {**env, "SLV_BENCH_COUNTS": str(counts["busy"]), "XDG_DATA_HOME": str(home / "busy")},
        )
        pids["finished"] = spawn_in_pty(
            [py, str(home / "wrapper.py"), *common, *finished],
            {**env, "SLV_BENCH_COUNTS": str(counts["finished"]), "XDG_DATA_HOME": str(home / "fin")},
        )
        pids["bare"] = spawn_in_pty([py, str(home / "bare.py")], env)
        for name, argv in (("httpx", [py, str(home / "httpx_loop.py")]), ("curl", ["bash", "-c", CURL_LOOP])):
            proc = start_loop(argv, {**loop_env, "OUT": str(counts[name])})
            procs.append(proc)
            pids[name] = proc.pid
        windows = {name: (args.warmup, args.warmup + args.seconds) for name in pids}
        windows["finished, 1st minute"] = (1.0, min(61.0, args.warmup + args.seconds))
        pids["finished, 1st minute"] = pids["finished"]
        counts["finished, 1st minute"] = counts["finished"]
        start: dict[str, tuple[float, dict[str, int]]] = {}
        used: dict[str, tuple[float, dict[str, int]]] = {}
        events = sorted({t for w in windows.values() for t in w})
        for at in events:
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            for name, (begin, end) in windows.items():
                if at not in (begin, end):
                    continue
                cpu = cpu_seconds(pids[name], children=name == "curl")
                got = read_counts(counts[name]) if name in counts else {}
                if at == begin:
                    start[name] = (cpu, got)
                if at == end:
                    before = start[name][1]
                    used[name] = (cpu - start[name][0], {k: v - before.get(k, 0) for k, v in got.items()})
    finally:
        for name, pid in pids.items():
            if name in ("busy", "finished", "bare"):
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
        sim.terminate()
        sim.wait()

    load_after = os.getloadavg()
    print(f"{describe(install)}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(
        f"200 watched (50 running, interval {args.interval:g} s) vs 200 finished; 160x45 pty; window "
        f"{args.seconds:.0f} s after {args.warmup:.0f} s (finished, 1st minute: from 1 s)"
    )
    per_req: dict[str, float] = {}
    for name in ("httpx", "curl", "busy"):
        cpu, got = used[name]
        per_req[name] = 1000 * cpu / got["requests"] if got.get("requests") else float("nan")
    bare = used["bare"][0]
    for name in ("httpx", "curl", "bare", "busy", "finished", "finished, 1st minute"):
        cpu, got = used[name]
        seconds = windows[name][1] - windows[name][0]
        line = f"{name:21s} {cpu:6.2f} CPU s ({60 * cpu / seconds:5.2f} CPU s/min)"
        if name in per_req:
            line += f"  {got.get('requests', 0):5d} requests, {per_req[name]:5.2f} ms/request"
        if name == "busy":
            busy = per_req["busy"]
            line += f"  = {busy / per_req['httpx']:4.2f}x httpx, {busy / per_req['curl']:5.3f}x curl"
        if name.startswith("finished"):
            line += f"  = {cpu / bare:5.2f}x bare" if bare > 0 else "  (bare used no measurable CPU)"
        print(line)
        if name in ("busy", "finished", "finished, 1st minute"):
            detail = {k: v for k, v in got.items() if v and k != "requests"}
            work = ", ".join(f"{k} {v}" for k, v in sorted(detail.items()))
            print(f"{'':23s}{work or 'no table or timer work'}")
    print(
        f"goals: busy <= 2x httpx: {'met' if per_req['busy'] <= 2 * per_req['httpx'] else 'NOT met'};"
        f" busy <= 0.25x curl: {'met' if per_req['busy'] <= 0.25 * per_req['curl'] else 'NOT met'};"
        f" finished <= 2x bare: {'met' if bare > 0 and used['finished'][0] <= 2 * bare else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
