"""Soak: thousands of poll rounds against a faulty simulator in its own process.

Zero crashes, every watchlist entry still present, bounded memory growth (tracemalloc). The figures
are printed (see them with `pytest -s`) and, with SLV_WRITE_RELIABILITY=1, written to
docs/RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import gc
import random
import subprocess
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest
from support.clock import FakeClock

from slv_tui.common.logs import setup_logging
from slv_tui.store.watchlist import Watchlist
from slv_tui.watch.poller import Poller

from .conftest import RUNNING_IDS, child_env, cli_argv, client_for
from .docfile import update_soak_section
from .faultcases import free_port

ROUNDS = 3000
WARMUP = 300
GROWTH_LIMIT = 1024 * 1024  # bytes of Python heap the client side may grow by over ROUNDS rounds
FINISHED_IDS = ("1481016600181", "1481021145590", "1481021896034")


async def wait_listening(port: int, proc: subprocess.Popen[bytes], limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the simulator exited"
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)  # polling for readiness with a deadline, not a sleep-for-luck
            continue
        writer.close()
        return
    raise AssertionError("simulator did not start listening")


def faulty_sim(home: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`slv-tui sim --fault-rate 0.1` in its own process (its CPU and memory are not the client's)."""
    port = free_port()
    sim = subprocess.Popen(
        cli_argv("sim", "--scenario", "static", "--fault-rate", "0.1", "--port", str(port)),
        env=child_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return sim, port


@pytest.mark.slow
async def test_soak_poller_and_watchlist(tmp_path: Path, restore_logging: None) -> None:
    sim, port = faulty_sim(tmp_path)
    # Log exactly as the dashboard does (rotating file, propagate off), not into pytest's capture.
    setup_logging(tmp_path / "state" / "slv-tui.log", "info")
    try:
        await wait_listening(port, sim)
        clock = FakeClock()
        client = client_for(f"http://127.0.0.1:{port}/reports", timeout=0.1)
        watchlist = Watchlist(tmp_path / "watchlist.json")
        watchlist.add([*RUNNING_IDS, *FINISHED_IDS])
        errors: Counter[str] = Counter()
        fetches = 0

        def on_round(poll_round) -> None:  # type: ignore[no-untyped-def]
            nonlocal fetches
            fetches += len(poll_round.updates)
            for update in poll_round.updates:
                if update.snapshot.error is not None:
                    errors[update.snapshot.error.title] += 1

        poller = Poller(client.get_batch, interval=0.05, clock=clock, rng=random.Random(5), on_round=on_round)
        poller.watch(watchlist.ids())
        started = time.monotonic()
        for index in range(ROUNDS):
            if index == WARMUP:
                tracemalloc.start()
                gc.collect()  # exception/traceback cycles wait for the cyclic GC: count live memory only
                base, _ = tracemalloc.get_traced_memory()
            clock.now = max(clock.now + 0.01, poller.next_wake())
            await poller.poll_due()  # an exception here is a crash: the test fails
            if index % 100 == 0:  # the operator relabels now and then: real atomic writes
                watchlist.set_label(RUNNING_IDS[index % 3], f"label {index}")
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        elapsed = time.monotonic() - started
        await client.aclose()
    finally:
        sim.terminate()
        sim.wait(timeout=10)

    assert set(Watchlist(tmp_path / "watchlist.json").load()[i].batch_id for i in range(6)) == {
        *RUNNING_IDS,
        *FINISHED_IDS,
    }
    assert [s.batch_id for s in poller.snapshots()] == watchlist.ids()
    assert all(s.batch is not None for s in poller.snapshots())
    faults = sum(errors.values())
    figures = (
        f"{ROUNDS} poll rounds, {fetches} fetches, {faults} failed fetches from injected faults "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(errors.items()))}), "
        f"{len(poller.snapshots())}/6 watchlist entries kept, "
        f"heap growth after warm-up {grown / 1024:.0f} KiB (the test allows {GROWTH_LIMIT // 1024} KiB; "
        f"highest point {peak / 1024:.0f} KiB above the warm-up heap), {elapsed:.0f} s"
    )
    print(f"\nSOAK: {figures}")
    update_soak_section(figures)
    assert faults > 0.05 * fetches  # the faults really were injected (~10 %)
    assert grown < GROWTH_LIMIT
