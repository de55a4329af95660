"""Request economy: 50 batches running 60 s, polled every 2 s as the dashboard polls them.

Run: python benchmarks/economy.py [--seconds 60] [--after 15]

The simulator (in a thread; only its request counter is read) runs the demo's 12 s commissioning
on a clock slowed 5x, so each batch runs `--seconds` of real time and then succeeds. The poller is
the dashboard's (interval 2 s, the default concurrency) on a real client. Printed: the requests
counted by the simulator against the minimum (one per interval while running, one for the answer
that shows it finished), and the requests in the `--after` seconds once every batch was final.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time

from slv_tui.sim import ThreadedSim
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.watch.poller import Poller

BATCHES = 50
INTERVAL = 2.0
TEMPLATE_SECONDS = 12.0


async def watch(sim: ThreadedSim, batch_ids: list[str], after: float) -> tuple[int, int, float]:
    """Poll until all are final, then `after` more seconds; returns (requests, after, seconds)."""
    creds = Credentials("admin", Secret("admin"))
    async with SlvClient(ClientSettings(url=sim.url, credentials=creds)) as client:
        final = asyncio.Event()
        poller = Poller(client.get_batch, interval=INTERVAL)
        poller.on_round = lambda _round: final.set() if poller.all_final else None
        before = sim.server.request_count
        started = time.monotonic()
        poller.watch(batch_ids)
        task = asyncio.create_task(poller.run())
        await final.wait()
        took = time.monotonic() - started
        at_final = sim.server.request_count
        await asyncio.sleep(after)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return at_final - before, sim.server.request_count - at_final, took


def main() -> None:
    """Run once and print the counts and the ratio to the minimum."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--after", type=float, default=15.0)
    args = parser.parse_args()
    speed = TEMPLATE_SECONDS / args.seconds
    t0 = time.monotonic()
    with ThreadedSim(scenario="demo", clock=lambda: t0 + (time.monotonic() - t0) * speed) as sim:
        batch_ids = [sim.server.start_batch("commission_ok") for _ in range(BATCHES)]
        requests, after, took = asyncio.run(watch(sim, batch_ids, args.after))
    minimum = BATCHES * (math.ceil(args.seconds / INTERVAL) + 1)
    print(f"{BATCHES} batches running {args.seconds:g} s, interval {INTERVAL:g} s", end="")
    print(f" (all final after {took:.1f} s)")
    print(f"  minimum            {minimum:5d} requests   ratio 1.00x (baseline)")
    print(f"  poller             {requests:5d} requests   ratio {requests / minimum:5.3f}x")
    print(f"  in the {args.after:g} s after all were final: {after} requests")


if __name__ == "__main__":
    main()
