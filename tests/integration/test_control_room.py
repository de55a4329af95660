"""The dashboard's control room (`commands.control_room.attach`): metrics and notifications from its
Boards' events, as `slv-tui watch` has them. The simulator over 127.0.0.1 and the poller share one
fake clock; Apprise posts to a local receiver."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.clock import FakeClock
from support.sim import MakeClient, StartLoopSim

from slv_tui.commands.control_room import attach
from slv_tui.settings.config import ConfigError, Settings
from slv_tui.store.watchlist import Watchlist
from slv_tui.watch.board import Board
from slv_tui.watch.poller import Poller

from .conftest import Cli
from .test_board_stall import FLAT
from .test_notify import HOOK_SECRET, Receiver
from .test_watch import FAILED, OK, free_port, scrape, value


@pytest.fixture
def hook() -> Iterator[Receiver]:
    got = Receiver()
    yield got
    got.stop()


async def _until(check: object, what: str) -> None:
    """Let the loop (and the threads) run until `check()` is true; the bound is only a failure guard
    (above the notifier's MIN_GAP, 10 s: a second message may have to wait that long)."""
    deadline = asyncio.get_running_loop().time() + 30.0
    while not check():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no {what}")
        await asyncio.sleep(0.025)


async def test_metrics_and_notifications_from_the_dashboards_boards(
    start_loop_sim: StartLoopSim, make_client: MakeClient, tmp_path: Path, clock: FakeClock, hook: Receiver
) -> None:
    receiver = hook
    sim = await start_loop_sim(scenario="static", clock=clock)
    flat = sim.start_timeline(FLAT)
    watchlist = Watchlist(tmp_path / "watchlist.json", clock=clock)
    watchlist.load()
    watchlist.add([flat, FAILED, OK], label="line A")
    poller = Poller(make_client(sim.url).get_batch, clock=clock, rng=random.Random(5), interval=2.0)
    board = Board(sim.url, poller, watchlist, stall_after=900)
    url = f"json://hook:{HOOK_SECRET}@127.0.0.1:{receiver.port}/hook"
    settings = Settings(profile="lab", url=sim.url, notify_urls=(url,))
    port = free_port()
    close = attach([board], settings, f"127.0.0.1:{port}", data_dir=tmp_path / "data", env={})
    try:
        await poller.poll_due()  # the failed batch is news: its notification waits GROUP_SECONDS...
        for _ in range(10):  # ...for the stall (1000 s flat after its first 10 s) to join it
            clock.advance(100 if clock.now > 1000 else 10)
            board.refresh()
            await poller.poll_due()
        assert board.stalled_since(flat) is not None
        samples = await asyncio.to_thread(scrape, port)
        assert value(samples, "slv_up", server="lab") == 1
        assert value(samples, "slv_batch_state", server="lab", batch=FAILED, state="failed") == 1
        assert value(samples, "slv_batch_state", server="lab", batch=OK, state="succeeded") == 1
        assert value(samples, "slv_batch_stalled", server="lab", batch=flat) == 1
        assert value(samples, "slv_batch_info", server="lab", batch=flat, label="line A") == 1
        assert value(samples, "slv_requests_total", server="lab", outcome="ok")
        # One message for both when the loop above took less than GROUP_SECONDS of wall time; on a
        # slow machine the stall's comes MIN_GAP later: either way both are told, the failure once.
        await _until(lambda: receiver.mentions(FAILED), "notification of the failed batch")
        await _until(lambda: receiver.mentions(flat), "notification of the stalled batch")
        assert any("stalled" in b["message"] for b in receiver.bodies if flat in b["message"])
        assert receiver.mentions(OK) == 0  # succeeded is not among the default events
        await board.remove([OK])
        samples = await asyncio.to_thread(scrape, port)
        assert value(samples, "slv_batch_state", batch=OK, state="succeeded") is None  # gone
    finally:
        close()
        close()  # idempotent
    with pytest.raises(httpx.TransportError):
        await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/metrics", timeout=2)
    assert receiver.mentions(FAILED) == 1
    assert all(HOOK_SECRET not in raw for raw in receiver.raw)
    assert HOOK_SECRET not in json.dumps(receiver.bodies)


async def test_a_bad_or_busy_listen_address_is_a_config_error(
    start_loop_sim: StartLoopSim, make_client: MakeClient, tmp_path: Path, clock: FakeClock
) -> None:
    sim = await start_loop_sim(scenario="static", clock=clock)
    watchlist = Watchlist(tmp_path / "watchlist.json")
    watchlist.load()
    board = Board(sim.url, Poller(make_client(sim.url).get_batch, clock=clock), watchlist)
    settings = Settings(profile="lab", url=sim.url)
    with pytest.raises(ConfigError, match="--metrics-listen"):
        attach([board], settings, "127.0.0.1:http", data_dir=tmp_path)
    close = attach([board], settings, f"127.0.0.1:{free_port()}", data_dir=tmp_path)
    try:
        busy = free_port()
        other = attach([board], settings, f"127.0.0.1:{busy}", data_dir=tmp_path)
        with pytest.raises(ConfigError, match="cannot listen"):
            attach([board], settings, f"127.0.0.1:{busy}", data_dir=tmp_path)
        other()
    finally:
        close()


def test_the_dashboards_bad_listen_address_is_one_line_before_the_screen(cli: Cli, closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/reports"
    done = cli.run("--url", url, "--metrics-listen", "127.0.0.1:99999", SLV_PASSWORD="admin")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--metrics-listen" in done.stderr
    assert "\x1b[" not in done.stdout  # the screen never opened
