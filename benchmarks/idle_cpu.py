"""How light the dashboard is on a console left open: CPU time per minute, against a bare Textual app.

Run: python benchmarks/idle_cpu.py [--seconds N]

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
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BASELINE_APP = """
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def spawn_in_pty(argv: list[str], env: dict[str, str]) -> tuple[int, int]:
    """Start `argv` on a new 160x45 pseudo-terminal; a thread drains its output (Linux: /proc, pty)."""
    import fcntl
    import pty
    import termios

    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))

    def drain() -> None:
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    return pid, fd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--ids", nargs="*", default=DEMO_IDS, help="batches to watch (default: all 11)")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="slv-idle-"))
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "SLV_PASSWORD": "admin",
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
    }
    port = free_port()
    sim = subprocess.Popen(
        [sys.executable, "-m", "slv_tui", "sim", "--port", str(port), "--scenario", "demo"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    baseline_file = home / "bare.py"
    baseline_file.write_text(BASELINE_APP)
    try:
        time.sleep(1.0)
        url = f"http://127.0.0.1:{port}/reports"
        dash = [sys.executable, "-m", "slv_tui", "--url", url, "--user", "admin", *args.ids]
        procs = {
            "baseline": spawn_in_pty([sys.executable, str(baseline_file)], env)[0],
            "dashboard": spawn_in_pty(dash, env)[0],
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
    print(f"window: {args.seconds:.0f} s after {args.warmup:.0f} s warm-up, 160x45 pseudo-terminal")
    base = used["baseline"]
    for name, seconds in used.items():
        per_minute = seconds * 60.0 / args.seconds
        ratio = seconds / base if base > 0 else float("nan")
        share = 100.0 * seconds / args.seconds
        print(f"{name:9s} {per_minute:6.2f} CPU s/min ({share:4.1f} % of one core)   ratio {ratio:5.2f}x")


if __name__ == "__main__":
    main()
