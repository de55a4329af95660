"""How light the dashboard is on a console left open: CPU time per minute, against a bare Textual app.

Run: python benchmarks/idle_cpu.py [--seconds N] [--tree PATH]   (from a plain install, see ptyrun)

Both programs run in a real pseudo-terminal (160x45) at the same time, for the same wall time,
after the same warm-up:
- baseline: a minimal Textual app (header, an 11-row DataTable, footer) that does nothing;
- dashboard: `slv-tui` watching the simulator's 11 demo batches (4 running, polled every 2 s,
  ages redrawn every second), the simulator in its own process so its CPU is not counted.
CPU is user + system time of each process from /proc, so the figure does not depend on how busy
the machine is; the ratio is dashboard / baseline.
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
from ptyrun import (
    DEMO_IDS,
    bare_app,
    bench_env,
    cpu_seconds,
    describe,
    install_arg,
    plain_install,
    spawn_in_pty,
    start_sim,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--ids", nargs="*", default=DEMO_IDS, help="batches to watch (default: all 11)")
    install_arg(parser)
    args = parser.parse_args()
    install = plain_install(args.tree)

    home = Path(tempfile.mkdtemp(prefix="slv-idle-"))
    env = bench_env(home)
    sim, url = start_sim(home, "demo", env, install)
    baseline_file = home / "bare.py"
    baseline_file.write_text(bare_app(11, "running", "40%"))
    try:
        dash = [install.slv_tui, "--url", url, "--user", "admin", *args.ids]
        procs = {
            "baseline": spawn_in_pty([install.python, str(baseline_file)], env),
            "dashboard": spawn_in_pty(dash, env),
        }
        time.sleep(args.warmup)
        start = {name: cpu_seconds(pid) for name, pid in procs.items()}
        time.sleep(args.seconds)
        used = {name: cpu_seconds(pid) - start[name] for name, pid in procs.items()}
        for pid in procs.values():
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
    finally:
        sim.terminate()
        sim.wait()
    print(describe(install))
    print(f"window: {args.seconds:.0f} s after {args.warmup:.0f} s warm-up, 160x45 pseudo-terminal")
    base = used["baseline"]
    for name, seconds in used.items():
        per_minute = seconds * 60.0 / args.seconds
        ratio = seconds / base if base > 0 else float("nan")
        share = 100.0 * seconds / args.seconds
        print(f"{name:9s} {per_minute:6.2f} CPU s/min ({share:4.1f} % of one core)   ratio {ratio:5.2f}x")


if __name__ == "__main__":
    main()
