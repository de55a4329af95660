"""Start-up time of `slv-tui status` and `slv-tui --version` against `python -c 'import httpx'`.

Run: python benchmarks/startup.py [--runs 21] [--tree PATH]

Everything runs from a plain install of the tree (`pip install .` in a fresh venv the benchmark
builds and caches: no click there, so `import httpx` does not load httpx's command-line tool), the
installed `slv-tui` console script as users start it. In alternation, in the same run:
- baseline: `python -c 'import httpx'`;
- floor:    a bare `httpx.AsyncClient` asking the same closed port once (the least any `status`
            can cost: asyncio, the client and one failed connect);
- status:   `slv-tui status --url http://127.0.0.1:9 1` (port 9 on loopback is closed: it starts,
            parses, builds the client, fails to connect, prints the table and exits 3);
- version:  `slv-tui --version`.
Prints medians and ratios to the baseline; goals: status <= 1.5x, version <= 1.0x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ptyrun import describe, install_arg, plain_install

FLOOR = """
import asyncio, ssl, httpx
async def main():
    async with httpx.AsyncClient(verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)) as client:
        try:
            await client.get("http://127.0.0.1:9/reports/api/batch/getBatchResult?batchId=1")
        except httpx.ConnectError:
            print("connection failed")
asyncio.run(main())
"""
GOALS = {"status": 1.5, "version": 1.0}


def timed(cmd: list[str]) -> float:
    """Wall time of one run of `cmd`, in seconds."""
    env = {"SLV_PASSWORD": "benchmark", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    started = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    """Alternate the commands, then print medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    install_arg(parser)
    args = parser.parse_args()
    install = plain_install(args.tree)
    commands = {
        "baseline": [install.python, "-c", "import httpx"],
        "floor": [install.python, "-c", FLOOR],
        "status": [install.slv_tui, "status", "--url", "http://127.0.0.1:9", "1"],
        "version": [install.slv_tui, "--version"],
    }
    for cmd in commands.values():  # once each: file cache and bytecode warm
        timed(cmd)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, cmd in commands.items():
            samples[name].append(timed(cmd))
    print(describe(install))
    print(f"runs: {args.runs} each, alternating; wall time medians")
    base = statistics.median(samples["baseline"])
    for name, values in samples.items():
        median = statistics.median(values)
        ratio = median / base
        goal = GOALS.get(name)
        verdict = "" if goal is None else f"   goal <= {goal:.1f}x: {'met' if ratio <= goal else 'NOT met'}"
        print(f"{name:9s} median {median * 1000:7.1f} ms   ratio to baseline {ratio:5.2f}x{verdict}")


if __name__ == "__main__":
    main()
