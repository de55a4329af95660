"""Start-up time of `slv-tui status` and `slv-tui --version` against `python -c 'import httpx'`.

Run: python benchmarks/startup.py [--runs 21] [--tree PATH] [--against PATH]

Everything runs from a plain install of the tree (`pip install .` in a fresh venv the benchmark
builds and caches), the installed `slv-tui` console script as users start it. In alternation, in the
same run:
- baseline: `import httpx` without httpx's optional command-line tool (`ptyrun.HTTPX_IMPORT`: the
            install holds click, rich and pygments, and with them a bare `import httpx` also loads
            that tool, which slv-tui never does);
- httpx+cli: `python -c 'import httpx'` as it runs in that install, for reference;
- floor:    a bare `httpx.AsyncClient` asking the same closed port once (the least any `status`
            can cost: asyncio, the client, httpcore, h11, anyio and one failed connect);
- sync floor: the same with `httpx.Client` (for reference: what a synchronous client would cost,
            without asyncio and anyio's asyncio backend; `SlvClient` is asyncio code throughout);
- status:   `slv-tui status --url http://127.0.0.1:9 1` (port 9 on loopback is closed: it starts,
            parses, builds the client, fails to connect, prints the table and exits 3);
- version:  `slv-tui --version`;
- status@vs, version@vs: with `--against PATH`, the same two from a plain install of that tree (an
            older commit), in the same alternation: a before/after pair under the same load.
Prints medians of wall time and of CPU time (user + system of the child: less sensitive to the
machine's load) and their ratios to the baseline; goals (wall): status <= 1.5x, version <= 1.0x.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import HTTPX_IMPORT, describe, install_arg, plain_install

FLOOR = """
import sys; sys.modules["httpx._main"] = None
import asyncio, ssl, httpx
async def main():
    async with httpx.AsyncClient(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)) as client:
        try:
            await client.get("http://127.0.0.1:9/reports/api/batch/getBatchResult?batchId=1")
        except httpx.ConnectError:
            print("connection failed")
asyncio.run(main())
"""
SYNC_FLOOR = """
import sys; sys.modules["httpx._main"] = None
import ssl, httpx
with httpx.Client(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)) as client:
    try:
        client.get("http://127.0.0.1:9/reports/api/batch/getBatchResult?batchId=1")
    except httpx.ConnectError:
        print("connection failed")
"""
GOALS = {"status": 1.5, "version": 1.0}


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall time, CPU time) of one run of `cmd`, in seconds."""
    env = {"SLV_PASSWORD": "benchmark", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    """Alternate the commands, then print medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    install_arg(parser)
    parser.add_argument("--against", type=Path, help="also time status and --version of this tree, in turn")
    args = parser.parse_args()
    install = plain_install(args.tree)
    commands = {
        "baseline": [install.python, "-c", HTTPX_IMPORT],
        "httpx+cli": [install.python, "-c", "import httpx"],
        "floor": [install.python, "-c", FLOOR],
        "sync floor": [install.python, "-c", SYNC_FLOOR],
        "status": [install.slv_tui, "status", "--url", "http://127.0.0.1:9", "1"],
        "version": [install.slv_tui, "--version"],
    }
    if args.against is not None:  # an older commit side by side (e.g. a `git worktree` of it)
        other = plain_install(args.against)
        print(f"against: {describe(other)}")
        commands["status@vs"] = [other.slv_tui, "status", "--url", "http://127.0.0.1:9", "1"]
        commands["version@vs"] = [other.slv_tui, "--version"]
    for cmd in commands.values():  # once each: file cache and bytecode warm
        timed(cmd)
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd))
    print(describe(install))
    print(f"runs: {args.runs} each, alternating; medians of wall and CPU time")
    base_wall = statistics.median(w for w, _ in samples["baseline"])
    base_cpu = statistics.median(c for _, c in samples["baseline"])
    for name, values in samples.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        ratio = wall / base_wall
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"   goal <= {goal:.1f}x: {'met' if ratio <= goal else 'NOT met'}"
        print(
            f"{name:11s} wall {wall * 1000:7.1f} ms {ratio:5.2f}x   cpu {cpu * 1000:7.1f} ms"
            f" {cpu / base_cpu:5.2f}x{verdict}"
        )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
