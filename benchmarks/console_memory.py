"""Days, not minutes: does the dashboard's memory stay flat while it watches running batches for long?

Run: python benchmarks/console_memory.py [--minutes 30] [--settle 10] [--tree PATH]  (plain install)
     (long: start it with `nohup ... > memory.log 2>&1 &`)

Two dashboards side by side, each the real `slv-tui` in its own 160x45 pseudo-terminal with its own
simulator process (traffic only to 127.0.0.1, never counted):
- fast: 100 running batches polled every 0.2 s;
- calm: 50 running batches polled every 2 s.
The batches run for days and their answers do not grow (progress moves, no new messages), so any
growth is the dashboard's. RSS is read from /proc every 10 s; the figure is the growth from the end
of the settling time (`--settle` minutes) to the end, and the spread (max - min) over that window.
The goal: at most 1 MB.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from console_cpu import batch_ids, scenario
from ptyrun import bench_env, cpu_seconds, describe, install_arg, plain_install, spawn_in_pty, start_sim

SAMPLE_EVERY = 10.0


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MB, from /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--settle", type=float, default=10.0, help="minutes before the window starts")
    install_arg(parser)
    args = parser.parse_args()
    install = plain_install(args.tree)
    print(describe(install))

    setups = {"fast": (100, 0.2, 1483000000000), "calm": (50, 2.0, 1484000000000)}
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
