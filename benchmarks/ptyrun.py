"""Running programs the way an operator console does, for the benchmarks (Linux: /proc and pty).

Shared by the benchmarks: a plain (non-editable) install of the tree in a fresh venv of its own, as
users get it; a private home, the simulator in its own process, programs on their own 160x45
pseudo-terminal, a bare Textual app as a baseline and CPU time read from /proc.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COLS, ROWS = 160, 45
TREE = Path(__file__).resolve().parent.parent
"""The source tree the benchmarks measure by default (the one they live in)."""

DEMO_IDS = [
    "1481018818069", "1481019204417", "1481019867302", "1481024400630", "1481020373648",
    "1481021896034", "1481023025871", "1481021145590", "1481016600181", "1481022433710",
    "1481025112006",
]  # fmt: skip
"""The 11 batches of the simulator's demo scenario."""

_BARE_APP = """
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
        for i in range({rows}):
            table.add_row(str(1481016600181 + i), "{state}", "{progress}", "Commissioning")

Bare().run()
"""


def bare_app(rows: int, state: str, progress: str) -> str:
    """Source of a minimal Textual app (header, a `rows`-row DataTable, footer) that does nothing."""
    return _BARE_APP.format(rows=rows, state=state, progress=progress)


@dataclass(frozen=True)
class Install:
    """A fresh venv holding a plain `pip install <tree>`: what users run, not the dev venv."""

    root: Path
    key: str
    """The commit it was built from ("+changes": with uncommitted changes to the package)."""

    @property
    def python(self) -> str:
        return str(self.root / "bin" / "python")

    @property
    def slv_tui(self) -> str:
        """The installed console script."""
        return str(self.root / "bin" / "slv-tui")


HTTPX_IMPORT = "import sys; sys.modules['httpx._main'] = None; import httpx"
"""`import httpx` without httpx's optional command-line tool (a failed import of `httpx._main`, as
`slv_tui/__init__.py` does): what httpx costs any program that uses it as a library. A plain install
holds click (apprise depends on it), rich and pygments (textual's), so a bare `import httpx` there
also loads that tool (~25-90 ms) and would inflate the baseline."""

_INSTALLED = ("slv_tui", "pyproject.toml", "README.md")
"""What `pip install .` builds the package from: the install is keyed by their content."""


def _tree_key(tree: Path) -> tuple[str, str]:
    """(the commit, with "+changes" when the installed files differ from it; a key of their content).

    Commits that do not change the package share one install.
    """

    def git(*args: str) -> bytes:
        return subprocess.run(["git", "-C", str(tree), *args], capture_output=True, check=True).stdout

    commit = git("rev-parse", "--short=12", "HEAD").decode().strip()
    content = git("rev-parse", *(f"HEAD:{path}" for path in _INSTALLED))
    dirty = git("diff", "HEAD", "--", *_INSTALLED)
    for name in sorted(git("ls-files", "--others", "--exclude-standard", "--", "slv_tui").split()):
        dirty += name + b"\0" + (tree / name.decode()).read_bytes()
    label = f"{commit}+changes" if dirty else commit
    return label, hashlib.sha256(content + dirty).hexdigest()[:16]


def plain_install(tree: Path = TREE, quiet: bool = False) -> Install:
    """A venv with `pip install <tree>` (non-editable, no dev extra), cached in the temp dir and keyed
    by the content of what is installed (so by commit, and commits that leave the package alone share
    one). The first call builds it (20 s or so with a warm pip cache); later ones reuse it.
    It holds click (apprise depends on it), so a bare `import httpx` there also loads httpx's
    command-line tool (rich, click, pygments), which slv-tui never does: baselines use
    `HTTPX_IMPORT`, httpx as it loads without that tool.
    """
    key, content = _tree_key(tree)
    root = Path(tempfile.gettempdir()) / "slv-bench-venvs" / content
    if not (root / ".complete").exists():
        if not quiet:
            print(f"building a plain install of {tree} at {key} in {root} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(root)], check=True)
        pip = [str(root / "bin" / "pip"), "install", "-q", str(tree)]  # bytecode compiled, as usual
        done = subprocess.run(pip, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"pip install failed:\n{done.stderr}")
        (root / ".complete").write_text(key)
    return Install(root, key)


def start_loop(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A baseline loop (httpx, curl) in its own session, its output thrown away."""
    return subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def window_args(parser: Any) -> None:
    """The measuring window of the console benchmarks (and `--tree`): --seconds after --warmup, at
    the dashboard's --interval."""
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=65.0)
    parser.add_argument("--interval", type=float, default=2.0)
    install_arg(parser)


def install_arg(parser: Any) -> None:
    """The `--tree` option every benchmark takes: the source tree to install and measure."""
    parser.add_argument("--tree", type=Path, default=TREE, help="source tree to install (default: this one)")


def describe(install: Install) -> str:
    """One line for the results: commit, load average, core count."""
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    return f"plain install at {install.key} ({install.root}); load average {load}; {os.cpu_count()} cores"


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


def start_sim(
    home: Path,
    data: dict[str, Any] | str,
    env: dict[str, str],
    install: Install | None = None,
    latency_ms: int = 0,
) -> tuple[subprocess.Popen[bytes], str]:
    """The simulator in its own process on a free loopback port; returns it and the dashboard URL.

    `data` is a scenario (written to `home`) or the name of a built-in one such as "demo"; it runs
    from `install` when given (else from this interpreter), answering after `latency_ms`.
    """
    if isinstance(data, str):
        scenario = data
    else:
        path = home / "scenario.json"
        path.write_text(json.dumps(data))
        scenario = str(path)
    port = free_port()
    python = install.python if install else sys.executable
    argv = [python, "-m", "slv_tui", "sim", "--port", str(port), "--scenario", scenario]
    sim = subprocess.Popen(
        [*argv, "--latency-ms", str(latency_ms)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return sim, f"http://127.0.0.1:{port}/reports"


def open_pty(argv: list[str], env: dict[str, str], cols: int = COLS, rows: int = ROWS) -> tuple[int, int]:
    """Start `argv` on a new `cols`x`rows` pseudo-terminal; return its pid and the pty's fd."""
    import fcntl
    import pty
    import termios

    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return pid, fd


def spawn_in_pty(argv: list[str], env: dict[str, str], cols: int = COLS, rows: int = ROWS) -> int:
    """Start `argv` on a new pseudo-terminal; a thread drains its output. Returns the pid."""
    pid, fd = open_pty(argv, env, cols, rows)

    def drain() -> None:
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    return pid


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU time of a process (and of its reaped children), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")
