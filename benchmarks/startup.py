"""Start-up time of `slv-tui status` against `python -c 'import httpx'`, measured side by side.

Run: python benchmarks/startup.py [--runs N]
Prints medians and the ratio to the baseline; both commands run in alternation in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

BASELINE = [sys.executable, "-c", "import httpx"]
# Port 9 on loopback is closed: status starts, parses, builds the client, fails to connect, exits 3.
STATUS = [sys.executable, "-m", "slv_tui.cli", "status", "--url", "http://127.0.0.1:9", "1"]
VERSION = [sys.executable, "-m", "slv_tui.cli", "--version"]


def timed(cmd: list[str]) -> float:
    """Wall time of one run of `cmd`, in seconds."""
    env = {"SLV_PASSWORD": "benchmark", "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    started = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    """Alternate the commands, then print medians and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    samples: dict[str, list[float]] = {"baseline": [], "status": [], "version": []}
    for _ in range(runs):
        samples["baseline"].append(timed(BASELINE))
        samples["status"].append(timed(STATUS))
        samples["version"].append(timed(VERSION))
    base = statistics.median(samples["baseline"])
    print(f"runs: {runs}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:9s} median {median * 1000:7.1f} ms   ratio to baseline {median / base:5.2f}x")


if __name__ == "__main__":
    main()
