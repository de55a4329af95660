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
import fcntl
import os
import pty
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from console_cpu import bench_env, free_port, wait_for_port

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
        for i in range(11):
            table.add_row(str(1481016600181 + i), "running", "40%", "Commissioning")

Bare().run()
"""
DEMO_IDS = [
    "1481018818069", "1481019204417", "1481019867302", "1481024400630", "1481020373648",
    "1481021896034", "1481023025871", "1481021145590", "1481016600181", "1481022433710",
    "1481025112006",
]  # fmt: skip
MARKER = b"Progress"


def time_to_paint(argv: list[str], env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from the fork until the pty output holds MARKER; the program is then stopped."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
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
    port = free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "slv_tui", "sim", "--port", str(port), "--scenario", "demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    (home / "bare.py").write_text(BARE_APP)
    url = f"http://127.0.0.1:{port}/reports"
    programs = {
        "bare": [sys.executable, str(home / "bare.py")],
        "dashboard": [sys.executable, "-m", "slv_tui", "--url", url, "--user", "admin", *DEMO_IDS],
    }
    times: dict[str, list[float]] = {name: [] for name in programs}
    try:
        wait_for_port(port)
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
