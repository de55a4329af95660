"""What the dashboard costs on an operator console: CPU time against a curl loop and a bare Textual app.

Run: python benchmarks/console_cpu.py [--seconds 120] [--warmup 20] [--interval 2]

All in one run, each program in its own 160x45 pseudo-terminal, the simulator in its own process
(never counted), traffic only to 127.0.0.1:
- busy:     `slv-tui` watching 200 batches, 50 of them running, polled every `--interval` s;
- finished: `slv-tui` watching 200 other batches, all finished (measured from its first second,
            and again over the same window as the others: "finished, later");
- bare:     a minimal Textual app (header, a 200-row DataTable, footer) that does nothing;
- curl:     a shell loop forking one `curl` per running batch per interval (the curl processes'
            CPU is counted through the shell's reaped-children times).
CPU is user + system time from /proc. Both dashboards run the real CLI entry point under a thin
wrapper that counts `DataTable.update_cell` and `add_row` calls, to show that only changed cells
are touched. Ratios are against the curl loop (and the bare app for the finished console).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path
from typing import Any

BARE_APP = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class Bare(App[None]):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "State", "Progress", "Step")
        for i in range(200):
            table.add_row(str(1481016600181 + i), "succeeded", "100%", "Commissioning")

Bare().run()
"""

COUNTING_WRAPPER = """
import json, os, sys, threading, time
from textual.widgets import DataTable

counts = {"update_cell": 0, "add_row": 0}
_update_cell, _add_row = DataTable.update_cell, DataTable.add_row

def update_cell(self, *args, **kwargs):
    counts["update_cell"] += 1
    return _update_cell(self, *args, **kwargs)

def add_row(self, *args, **kwargs):
    counts["add_row"] += 1
    return _add_row(self, *args, **kwargs)

DataTable.update_cell, DataTable.add_row = update_cell, add_row
out = os.environ["SLV_BENCH_COUNTS"]

def dump():
    while True:
        with open(out + ".tmp", "w") as f:
            json.dump(counts, f)
        os.replace(out + ".tmp", out)
        time.sleep(1.0)

threading.Thread(target=dump, daemon=True).start()
from slv_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""

CURL_LOOP = """
while true; do
  sleep "$INTERVAL" &
  for id in $IDS; do
    curl -s -o /dev/null -u admin:admin "$URL/api/batch/getBatchResult?batchId=$id&ser=json"
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


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU time of a process (and of its reaped children), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def spawn_in_pty(argv: list[str], env: dict[str, str], cols: int = 160, rows: int = 45) -> int:
    """Start `argv` on a new pseudo-terminal; a thread drains its output."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def drain() -> None:
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    return pid


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    """Until the simulator accepts connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the simulator did not start")


def bench_env(home: Path) -> dict[str, str]:
    """A private config/data/state home and the simulator's password."""
    return {
        **os.environ,
        "TERM": "xterm-256color",
        "SLV_PASSWORD": "admin",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
    }


def start_sim(home: Path, data: dict[str, Any], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """The simulator in its own process on a free loopback port; returns it and the dashboard URL."""
    path = home / "scenario.json"
    path.write_text(json.dumps(data))
    port = free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "slv_tui", "sim", "--port", str(port), "--scenario", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return sim, f"http://127.0.0.1:{port}/reports"


def read_counts(path: Path) -> dict[str, int]:
    """The wrapper's latest cell counts (zeros before its first write)."""
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {"update_cell": 0, "add_row": 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--warmup", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is needed for the baseline")

    home = Path(tempfile.mkdtemp(prefix="slv-console-"))
    env = bench_env(home)
    running, done = batch_ids(1482000000000, 50), batch_ids(1482000001000, 150)
    finished = batch_ids(1482000002000, 200)
    sim, url = start_sim(home, scenario([(running, "long_run"), (done, None), (finished, None)]), env)
    (home / "bare.py").write_text(BARE_APP)
    (home / "wrapper.py").write_text(COUNTING_WRAPPER)
    py = sys.executable
    common = ["--url", url, "--user", "admin", "--interval", str(args.interval)]
    counts = {"busy": home / "busy.json", "finished": home / "finished.json"}
    pids: dict[str, int] = {}
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
        curl = subprocess.Popen(
            ["bash", "-c", CURL_LOOP],
            env={**env, "INTERVAL": str(args.interval), "IDS": " ".join(running), "URL": url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        pids["curl"] = curl.pid
        windows = {name: (args.warmup, args.warmup + args.seconds) for name in pids}
        windows["finished"] = (1.0, 1.0 + args.seconds)
        windows["finished, later"] = (args.warmup, args.warmup + args.seconds)
        pids["finished, later"] = pids["finished"]
        counts["finished, later"] = counts["finished"]
        start: dict[str, tuple[float, dict[str, int]]] = {}
        used: dict[str, tuple[float, dict[str, int]]] = {}
        events = sorted({t for w in windows.values() for t in w})
        for at in events:
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            for name, (begin, end) in windows.items():
                cpu = cpu_seconds(pids[name], children=name == "curl")
                cells = read_counts(counts[name]) if name in counts else {}
                if at == begin:
                    start[name] = (cpu, cells)
                if at == end:
                    before = start[name][1]
                    used[name] = (cpu - start[name][0], {k: v - before.get(k, 0) for k, v in cells.items()})
    finally:
        for name, pid in pids.items():
            if name not in ("curl", "finished, later"):
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
        if "curl" in pids:
            os.killpg(curl.pid, signal.SIGTERM)
            curl.wait()
        sim.terminate()
        sim.wait()

    print(
        f"200 watched (50 running, interval {args.interval:g} s) vs 200 finished; 160x45 pty; "
        f"window {args.seconds:.0f} s (busy, bare, curl after {args.warmup:.0f} s warm-up; finished from 1 s)"
    )
    base = used["curl"][0]
    bare = used["bare"][0]
    for name in ("curl", "bare", "busy", "finished", "finished, later"):
        cpu, cells = used[name]
        share = 100 * cpu / args.seconds
        line = f"{name:15s} {cpu:7.2f} CPU s ({share:5.1f} % of a core)  {cpu / base:5.3f}x curl"
        if name.startswith("finished"):
            line += f"  {cpu / bare:5.2f}x bare" if bare > 0 else "  (bare used no measurable CPU)"
        if cells:
            line += f"  update_cell {cells['update_cell']}, add_row {cells['add_row']}"
        print(line)


if __name__ == "__main__":
    main()
