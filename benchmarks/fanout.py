"""Fan-out of many batch IDs: `status` and the poller's first round against a bare httpx script.

Run: python benchmarks/fanout.py [--runs N]

The simulator runs in its own process (`slv-tui sim --latency-ms L`), so its CPU is not ours.
Cases, each a median of N runs alternating with its baseline in the same run:
- status, 1,000 IDs, 20 ms, concurrency 16  vs  a bare httpx.AsyncClient + asyncio.Semaphore(16)
  doing the same GETs (target <= 1.1x);
- status, 200 IDs, 100 ms, concurrency 16  vs  the ideal N x latency / concurrency (target <= 1.25x);
- the poller's first round (the dashboard's), 500 IDs, 20 ms, 16  vs  the bare script (<= 1.1x).
`status` here is `run_status` in-process (argument parsing and start-up are in startup.py): every
answer fetched, decoded, parsed and the table rendered to memory.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import httpx

from slv_tui.commands.output import Output
from slv_tui.commands.status import run_status
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import BATCH_PATH, ClientSettings, SlvClient
from slv_tui.watch.poller import Poller

CONCURRENCY = 16


def free_port() -> int:
    """A port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sim(latency_ms: int) -> tuple[subprocess.Popen[bytes], str]:
    """The simulator in its own process; returns it and its URL once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "slv_tui.cli", "sim", "--port", str(port), "--scenario", "static",
         "--latency-ms", str(latency_ms)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/reports"
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the simulator did not start")


def ids(n: int) -> list[str]:
    """N distinct batch IDs (unknown to the simulator: each answer is a small SLV error object)."""
    return [str(1_000_000_000_000 + i) for i in range(n)]


async def bare(url: str, batch_ids: list[str]) -> None:
    """The baseline: a plain httpx AsyncClient behind an asyncio.Semaphore, reading every body."""
    gate = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(auth=("admin", "admin")) as http:

        async def one(batch_id: str) -> None:
            async with gate:
                response = await http.get(url + BATCH_PATH, params={"batchId": batch_id, "ser": "json"})
                response.read()

        await asyncio.gather(*(one(b) for b in batch_ids))


def client(url: str) -> SlvClient:
    """A client as `slv-tui status` builds it with `concurrency = 16`."""
    creds = Credentials("admin", Secret("admin"))
    return SlvClient(ClientSettings(url=url, credentials=creds, concurrency=CONCURRENCY, timeout=60.0))


async def status(url: str, batch_ids: list[str]) -> None:
    """`slv-tui status ID...` without the interpreter start-up."""
    async with client(url) as c:
        await run_status(c, batch_ids, Output(out=io.StringIO()))


async def first_round(url: str, batch_ids: list[str]) -> None:
    """The dashboard's first poll round over every watched ID."""
    async with client(url) as c:
        poller = Poller(c.get_batch, concurrency=CONCURRENCY)
        poller.watch(batch_ids)
        await poller.poll_due()


def timed(run: Callable[[str, list[str]], Awaitable[None]], url: str, batch_ids: list[str]) -> float:
    """Wall time of one run, in seconds."""
    started = time.perf_counter()
    asyncio.run(run(url, batch_ids))  # type: ignore[arg-type]
    return time.perf_counter() - started


def case(
    name: str, latency_ms: int, n: int, runs: int, against_bare: bool, ours: Callable[..., Awaitable[None]]
) -> None:
    """One case: alternate ours and the baseline, print medians and the ratio."""
    proc, url = start_sim(latency_ms)
    try:
        batch_ids = ids(n)
        timed(bare, url, batch_ids[:50])  # warm-up
        mine, base = [], []
        for _ in range(runs):
            mine.append(timed(ours, url, batch_ids))
            if against_bare:
                base.append(timed(bare, url, batch_ids))
    finally:
        proc.terminate()
        proc.wait()
    ideal = n * latency_ms / 1000 / CONCURRENCY
    m = statistics.median(mine)
    print(f"{name}: {n} IDs, {latency_ms} ms, concurrency {CONCURRENCY}")
    if against_bare:
        b = statistics.median(base)
        print(f"  bare httpx + Semaphore   {b:6.2f} s   ratio 1.00x (baseline)")
        print(f"  slv-tui                  {m:6.2f} s   ratio {m / b:5.2f}x")
    else:
        print(f"  ideal N*latency/conc.    {ideal:6.2f} s   ratio 1.00x (baseline)")
        print(f"  slv-tui                  {m:6.2f} s   ratio {m / ideal:5.2f}x")


def main() -> None:
    """Run the three cases."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    print(f"runs: {runs} (medians)")
    case("status", 20, 1000, runs, True, status)
    case("status", 100, 200, runs, False, status)
    case("dashboard first round", 20, 500, runs, True, first_round)


if __name__ == "__main__":
    main()
