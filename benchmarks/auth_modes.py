"""Cost of each login mode per poll round, against HTTP Basic measured side by side in the same run.

Run: python benchmarks/auth_modes.py [--rounds N] [--batches N] [--session-requests N]
Each mode polls the same batches of the `static` scenario from an in-process simulator (own thread),
with `--auth auto` (one probe) except bearer. The CSRF session dies every N calls (default 50), so
the figure includes fresh handshakes. Prints the median round time, the ratio to basic, and how many
handshakes the simulator served.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from slv_tui.sim import ThreadedSim
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.watch.poller import Poller

MODES = ("basic", "form", "csrf", "bearer")


async def rounds(url: str, mode: str, ids: list[str], count: int) -> list[float]:
    """Seconds per poll round of `ids`, `count` rounds, through the real client and poller."""
    secret = "sim-token" if mode == "bearer" else "admin"
    creds = Credentials("admin", Secret(secret), "bearer" if mode == "bearer" else "auto")
    async with SlvClient(ClientSettings(url, creds, concurrency=len(ids))) as client:
        poller = Poller(client.get_batch, interval=1.0, concurrency=len(ids))
        poller.watch(ids)
        times = []
        for _ in range(count):
            poller.refresh()
            started = time.perf_counter()
            done = await poller.poll_due()
            times.append(time.perf_counter() - started)
            assert done is not None and all(u.snapshot.error is None for u in done.updates)
        return times


def main() -> None:
    """Measure every mode, then print medians and ratios to basic."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--session-requests", type=int, default=50)
    args = parser.parse_args()
    results: dict[str, tuple[float, int]] = {}
    for mode in MODES:
        with ThreadedSim(scenario="static", auth=mode, session_max_uses=args.session_requests) as sim:
            ids = sim.server.batch_ids()[: args.batches]
            times = asyncio.run(rounds(sim.url, mode, ids, args.rounds))
            results[mode] = (statistics.median(times), sim.server.handshakes)
    base = results["basic"][0]
    dies = args.session_requests
    print(f"rounds: {args.rounds}, batches per round: {args.batches}, CSRF session dies every {dies} calls")
    for mode, (median, handshakes) in results.items():
        ratio = median / base
        shown = f"{mode:7s} median {median * 1000:6.2f} ms/round   ratio to basic {ratio:5.2f}x"
        print(f"{shown}   handshakes {handshakes}")


if __name__ == "__main__":
    main()
