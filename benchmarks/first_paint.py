"""First data on screen: the dashboard's first batch row against a bare Textual app's first paint
plus one round trip.

Run: python benchmarks/first_paint.py [--runs 9] [--tree PATH]

Everything runs from a plain install of the tree (`pip install .` in a fresh venv the benchmark
builds and caches). Each program starts in a fresh 160x45 pseudo-terminal; times are wall time from
the fork until its output holds a marker (so the programs alternate run by run and medians are
compared). Bytecode caches are allowed, as for any installed program (a first, unmeasured start of
each writes them). The simulator (demo scenario, its own process, 127.0.0.1) serves the 11 demo batches.
- bare paint:  a minimal Textual app (header, an 11-row DataTable, footer) until its column titles;
- round trip:  one fetch of a demo batch on a new connection (httpx, in this process);
- bare + fetch: the same app fetching one batch with httpx on mount and showing it in a row, until
               that row (for reference: what a first row costs with the HTTP client loaded);
- dashboard:   `slv-tui` watching the 11 demo batches, until the first fetched value shows in a
               row (a progress percentage), and until its column titles (the old measure).
Goal: dashboard first row <= 1.5x (bare paint + round trip).
"""

from __future__ import annotations

import argparse
import base64
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import DEMO_IDS, bare_app, bench_env, describe, install_arg, open_pty, plain_install, start_sim

TITLES = b"Progress"
FIRST_ROW = b"%"  # a progress percentage: only in a row (or the detail pane) once a batch is fetched
FETCHED = b"FETCHED-ROW"

BARE_FETCH = """
import os
import httpx
from textual.app import App
from textual.widgets import DataTable, Footer, Header

class BareFetch(App[None]):
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()

    async def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "State", "Progress", "Step")
        auth = {"Authorization": os.environ["AUTH"]}
        async with httpx.AsyncClient() as client:
            r = await client.get(os.environ["BATCH_URL"], headers=auth)
        data = r.json()
        table.add_row(os.environ["BATCH_ID"], "FETCHED-ROW", str(data.get("batchProgressValue")), "")

BareFetch().run()
"""


def time_to(marker: bytes, argv: list[str], env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from the fork until the pty output holds `marker`; the program is then stopped."""
    start = time.perf_counter()
    pid, fd = open_pty(argv, env)
    seen = b""
    try:
        while marker not in seen:
            if time.perf_counter() - start > timeout:
                raise SystemExit(f"no {marker!r} within {timeout} s: {argv}")
            seen = seen[-len(marker) :] + os.read(fd, 65536)
        return time.perf_counter() - start
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def round_trip(url: str) -> float:
    """One fetch of a batch on a new connection, in seconds."""
    import httpx

    auth = {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}
    with httpx.Client() as client:
        started = time.perf_counter()
        client.get(url, headers=auth).raise_for_status()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    install_arg(parser)
    args = parser.parse_args()
    install = plain_install(args.tree)

    home = Path(tempfile.mkdtemp(prefix="slv-paint-"))
    env = bench_env(home)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # start as an installed program does: from bytecode caches
    (home / "bare.py").write_text(bare_app(11, "running", "40%"))
    (home / "bare_fetch.py").write_text(BARE_FETCH)
    sim, url = start_sim(home, "demo", env, install)
    batch_url = f"{url}/api/batch/getBatchResult?batchId={DEMO_IDS[0]}&ser=json"
    fetch_env = {
        **env,
        "BATCH_URL": batch_url,
        "BATCH_ID": DEMO_IDS[0],
        "AUTH": "Basic " + base64.b64encode(b"admin:admin").decode(),
    }
    # The first IDs (fetched first, four at a time) all have a known progress: the first row fetched
    # then shows a percentage, whichever of them answers first.
    known = ["1481019204417", "1481016600181", "1481022433710", "1481023025871"]
    ids = known + [i for i in DEMO_IDS if i not in known]
    dashboard = [install.slv_tui, "--url", url, "--user", "admin", *ids]
    programs = {
        "bare paint": (TITLES, [install.python, str(home / "bare.py")], env),
        "bare + fetch": (FETCHED, [install.python, str(home / "bare_fetch.py")], fetch_env),
        "dashboard titles": (TITLES, dashboard, env),
        "dashboard row": (FIRST_ROW, dashboard, env),
    }
    times: dict[str, list[float]] = {name: [] for name in programs}
    trips: list[float] = []
    try:
        for marker, argv, penv in programs.values():  # once each to warm the file cache
            time_to(marker, argv, penv)
        for _ in range(args.runs):
            for name, (marker, argv, penv) in programs.items():
                times[name].append(time_to(marker, argv, penv))
            trips.append(round_trip(batch_url))
    finally:
        sim.terminate()
        sim.wait()
    med = {name: statistics.median(values) for name, values in times.items()}
    trip = statistics.median(trips)
    base = med["bare paint"] + trip
    print(describe(install))
    print(f"runs: {args.runs} each, alternating, 160x45 pseudo-terminal; wall time medians")
    print(f"{'round trip':16s} median {1000 * trip:7.1f} ms")
    for name, value in med.items():
        print(f"{name:16s} median {1000 * value:7.1f} ms")
    row = med["dashboard row"]
    verdict = "met" if row <= 1.5 * base else "NOT met"
    print(f"dashboard row / (bare paint + round trip) = {row / base:5.2f}x   goal <= 1.5x: {verdict}")
    print(f"dashboard row / bare + fetch              = {row / med['bare + fetch']:5.2f}x")
    print(f"dashboard titles / bare paint             = {med['dashboard titles'] / med['bare paint']:5.2f}x")


if __name__ == "__main__":
    main()
