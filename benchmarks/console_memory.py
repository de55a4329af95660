"""Days, not minutes: does the dashboard's memory stay flat while it watches running batches for long?

Run: python benchmarks/console_memory.py [--minutes 30] [--settle 10] [--only calm] [--tree PATH]
     (long: start it with `nohup ... > memory.log 2>&1 &`)

Two dashboards side by side, each the real `slv-tui` in its own 160x45 pseudo-terminal with its own
simulator process (traffic only to 127.0.0.1, never counted):
- fast: 100 running batches polled every 0.2 s;
- calm: 50 running batches polled every 2 s.
The batches run for days and their answers do not grow (progress moves, no new messages), so any
growth is the dashboard's. RSS is read from /proc every 10 s; the figure is the growth from the end
of the settling time (`--settle` minutes) to the end, and the spread (max - min) over that window.
The goal: at most 1 MB.

Memory per message (`--growth`, e.g. `--growth --minutes 12 --settle 2 --against OTHER_TREE`): 50
running batches each gaining a message a second (1 in 50 a warning), polled every 2 s, in one
dashboard of this tree (and one of `--against`, side by side in the same run). The RSS growth over
the window is divided by the messages the watched batches gained (read from the simulator), and set
against the growth of their JSON answers over the same window. Goal: at most 1.5x the JSON.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from console_cpu import batch_ids, scenario
from ptyrun import (
    Install,
    bench_env,
    cpu_seconds,
    describe,
    install_arg,
    plain_install,
    spawn_in_pty,
    start_sim,
)

SAMPLE_EVERY = 10.0


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


GROWING_RUN = {
    "defaults": {"controller": "CTRL-LYON-05"},
    "duration": 7200,
    "progress_messages": [[0, "Pushing devices to {controller}"]],
    "steps": [
        {"name": "commissioning", "label": "Commissioning", "at": 0, "messages": [],
         "generate": {"count": 3600, "from": 1, "to": 3601, "device": "Lamp-{n:05d}", "warning_every": 50,
                      "text": "{device} @ controller {controller}: configuration pushed",
                      "warning_text": "{device} @ controller {controller}: no answer, will be retried"}},
    ],
}  # fmt: skip
"""A batch gaining one message a second for an hour (then 2 hours more of progress alone)."""


def held(url: str, ids: list[str]) -> tuple[int, int]:
    """(messages, JSON bytes) of these batches' answers now, read from the simulator."""
    messages = size = 0
    auth = "Basic " + base64.b64encode(b"admin:admin").decode()
    for batch_id in ids:
        request = urllib.request.Request(
            f"{url}/api/batch/getBatchResult?batchId={batch_id}&ser=json", headers={"Authorization": auth}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            body = answer.read()
        value = json.loads(body)["value"]
        size += len(body)
        messages += sum(len(step.get("messages", [])) for step in value.get("stepResults", []))
    return messages, size


def per_message(args: argparse.Namespace, installs: dict[str, Install]) -> None:
    """Memory per message: one dashboard per install, each with its own simulator, the same batches."""
    ids = batch_ids(1487000000000, 50)
    data = scenario([(ids, "growing_run")])
    data["templates"] = {**data["templates"], "growing_run": GROWING_RUN}
    pids: dict[str, int] = {}
    urls: dict[str, str] = {}
    sims = []
    try:
        for name, install in installs.items():
            home = Path(tempfile.mkdtemp(prefix=f"slv-growth-{name}-"))
            env = bench_env(home)
            sim, urls[name] = start_sim(home, data, env, install)
            sims.append(sim)
            argv = [install.slv_tui, "--url", urls[name], "--user", "admin", "--interval", "2", *ids]
            pids[name] = spawn_in_pty(argv, env)
        time.sleep(args.settle * 60)
        start = {name: (rss_mb(pid), *held(urls[name], ids)) for name, pid in pids.items()}
        time.sleep((args.minutes - args.settle) * 60)
        end = {name: (rss_mb(pid), *held(urls[name], ids)) for name, pid in pids.items()}
    finally:
        for pid in pids.values():
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        for sim in sims:
            sim.terminate()
            sim.wait()
    print(
        f"50 running batches, a message a second each, every 2 s; window {args.settle:g}-{args.minutes:g} min"
    )
    for name in pids:
        (rss0, msgs0, size0), (rss1, msgs1, size1) = start[name], end[name]
        gained = msgs1 - msgs0
        rss_per_message = (rss1 - rss0) * 1024 * 1024 / gained
        json_per_message = (size1 - size0) / gained
        print(
            f"{name:8s} {installs[name].key}: RSS {rss0:.1f} -> {rss1:.1f} MB, {gained} messages gained:"
            f" {rss_per_message:5.0f} bytes a message, JSON {json_per_message:4.0f} bytes a message"
            f" = {rss_per_message / json_per_message:4.2f}x"
        )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--settle", type=float, default=10.0, help="minutes before the window starts")
    parser.add_argument("--growth", action="store_true", help="measure memory per message instead")
    parser.add_argument("--against", type=Path, help="with --growth: another tree, side by side")
    parser.add_argument("--only", choices=["fast", "calm"], help="one dashboard only (a soak)")
    install_arg(parser)
    args = parser.parse_args()
    install = plain_install(args.tree)
    print(describe(install))
    if args.growth:
        installs = {"this": install}
        if args.against:
            installs["against"] = plain_install(args.against)
        per_message(args, installs)
        return

    setups = {"fast": (100, 0.2, 1483000000000), "calm": (50, 2.0, 1484000000000)}
    if args.only:
        setups = {args.only: setups[args.only]}
    sims = []
    pids: dict[str, int] = {}
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in setups}
    cpu: dict[str, float] = {}
    try:
        for name, (count, interval, first) in setups.items():
            home = Path(tempfile.mkdtemp(prefix=f"slv-memory-{name}-"))
            env = bench_env(home)
            ids = batch_ids(first, count)
            sim, url = start_sim(home, scenario([(ids, "steady_run")]), env, install)
            sims.append(sim)
            argv = [install.slv_tui, "--url", url, "--user", "admin"]
            pids[name] = spawn_in_pty([*argv, "--interval", str(interval), *ids], env)
        t0 = time.monotonic()
        end = t0 + args.minutes * 60
        while (now := time.monotonic()) < end:
            for name, pid in pids.items():
                samples[name].append(((now - t0) / 60, rss_mb(pid)))
            shown = " ".join(f"{name} {s[-1][1]:.1f} MB" for name, s in samples.items())
            print(f"{shown} at {(now - t0) / 60:.1f} min", flush=True)
            time.sleep(min(SAMPLE_EVERY, max(0.0, end - time.monotonic())))
        for name, pid in pids.items():
            samples[name].append((args.minutes, rss_mb(pid)))
            cpu[name] = cpu_seconds(pid)
    finally:
        for pid in pids.values():
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        for sim in sims:
            sim.terminate()
            sim.wait()

    print(f"{args.minutes:g} min run, window from {args.settle:g} min to the end")
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for name, (count, interval, _) in setups.items():
        window = [mb for at, mb in samples[name] if at >= args.settle]
        growth = window[-1] - window[0]
        spread = max(window) - min(window)
        first_mb = samples[name][0][1]
        print(
            f"{name}: {count} running every {interval:g} s: RSS {first_mb:.1f} MB at start, "
            f"{window[0]:.1f} MB at {args.settle:g} min, {window[-1]:.1f} MB at the end: "
            f"growth {growth:+.2f} MB, spread {spread:.2f} MB over the window; "
            f"{cpu[name]:.0f} CPU s in all"
        )


if __name__ == "__main__":
    main()
