"""Dashboard first paint against a minimal Textual app with a DataTable.

Run: python benchmarks/first_paint.py [--runs 9]

Each program starts in a fresh 160x45 pseudo-terminal; the time is from the fork until its first
frame holds the table's "Progress" column title (wall time, so the two alternate run by run and
the medians are compared). Bytecode caches are allowed, as for any installed program (a first,
unmeasured start of each writes them). The dashboard watches the 11 demo batches of a simulator running in its
own process on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import DEMO_IDS, bare_app, bench_env, open_pty, start_sim

MARKER = b"Progress"


def time_to_paint(argv: list[str], env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from the fork until the pty output holds MARKER; the program is then stopped."""
    start = time.perf_counter()
    pid, fd = open_pty(argv, env)
    seen = b""
    try:
        while MARKER not in seen:
            if time.perf_counter() - start > timeout:
                raise SystemExit(f"no first paint within {timeout} s: {argv}")
            seen = seen[-len(MARKER) :] + os.read(fd, 65536)
        return time.perf_counter() - start
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="slv-paint-"))
    env = bench_env(home)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # start as an installed program does: from bytecode caches
    (home / "bare.py").write_text(bare_app(11, "running", "40%"))
    sim, url = start_sim(home, "demo", env)
    programs = {
        "bare": [sys.executable, str(home / "bare.py")],
        "dashboard": [sys.executable, "-m", "slv_tui", "--url", url, "--user", "admin", *DEMO_IDS],
    }
    times: dict[str, list[float]] = {name: [] for name in programs}
    try:
        for argv in programs.values():  # once each to warm the file cache
            time_to_paint(argv, env)
        for _ in range(args.runs):
            for name, argv in programs.items():
                times[name].append(time_to_paint(argv, env))
    finally:
        sim.terminate()
        sim.wait()
    base = statistics.median(times["bare"])
    print(f"runs: {args.runs}, 160x45 pseudo-terminal, until the first frame shows the table")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:9s} median {1000 * median:7.1f} ms   ratio {median / base:5.2f}x")


if __name__ == "__main__":
    main()
