"""Stall events in the event feed: the dashboard's FeedHub on a real Board (the simulator over
127.0.0.1, one fake clock) records "stalled" once (also across a restart) and "moving again" when the
batch moves; a stalled batch that finishes is told by its final record, not as moving again."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from support.clock import FakeClock
from support.sim import MakeClient, StartLoopSim

from slv_tui.commands.events import event_line
from slv_tui.sim import SimServer
from slv_tui.store.events import EventLog, events_dir
from slv_tui.store.watchlist import WatchEntry, Watchlist
from slv_tui.ui.feed_hub import FeedHub
from slv_tui.watch.board import Board
from slv_tui.watch.poller import Poller

from .test_board_stall import FLAT, _poll_for

ENDS_FLAT = {
    "duration": 1500,
    "progress": {"points": [[0, 10], [10, 40], [1500, 40]]},
    "progress_messages": [[0, "Pushing devices"]],
    "steps": [{"name": "push", "label": "Push devices", "at": 0}],
}
"""Running, 40 % from 10 s on, and finished (succeeded) at 1500 s without moving again."""


async def _fed(
    sim: SimServer,
    make_client: MakeClient,
    tmp_path: Path,
    clock: FakeClock,
    batch_id: str,
    stall_after: float = 900,
) -> tuple[FeedHub, Board[WatchEntry]]:
    """A Board watching `batch_id` with the dashboard's feed attached (as a start of `slv-tui`),
    polled through the batch's first 10 s (40 % from then on)."""
    store = Watchlist(tmp_path / "watchlist.json", clock=clock)
    store.load()
    store.add([batch_id], label="flat")
    poller = Poller(make_client(sim.url).get_batch, clock=clock, rng=random.Random(3), interval=2.0)
    board = Board("lab", poller, store, stall_after=stall_after)
    hub = FeedHub(tmp_path / "data")
    hub.attach(board, "lab", lambda: None)
    await _poll_for(board, clock, 10, step=10)
    return hub, board


def _stalls(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(r["kind"], r["batchId"]) for r in records if r["kind"] in ("stalled", "moving")]


async def test_the_feed_records_stalled_once_and_moving_again(
    start_loop_sim: StartLoopSim, make_client: MakeClient, tmp_path: Path, clock: FakeClock
) -> None:
    sim = await start_loop_sim(scenario="static", clock=clock)
    flat = sim.start_timeline(FLAT)
    hub, board = await _fed(sim, make_client, tmp_path, clock, flat, stall_after=300)
    await _poll_for(board, clock, 400)  # flat for more than 300 s
    assert _stalls(hub.records) == [("stalled", flat)]
    stalled = next(r for r in hub.records if r["kind"] == "stalled")
    assert stalled["severity"] == "warning" and stalled["progress"] == 40 and stalled["server"] == "lab"
    assert "stalled" in event_line(stalled) and flat in event_line(stalled)
    assert hub.unread >= 1  # a warning: counted as a problem
    board.close()
    hub.close()

    # a restart while it is still stalled: not recorded again; moving again is (it was stalled)
    hub, board = await _fed(sim, make_client, tmp_path, clock, flat, stall_after=300)
    await _poll_for(board, clock, 400)  # 820 s after its start, still at 40 %
    assert board.stalled_since(flat) is not None
    assert _stalls(hub.records) == [("stalled", flat)]
    await _poll_for(board, clock, 800)  # past 1500 s after its start: it moves
    assert _stalls(hub.records) == [("stalled", flat), ("moving", flat)]
    moving = hub.records[-1]
    assert moving["severity"] == "info" and "moving again" in event_line(moving)
    board.close()
    hub.close()
    on_disk, skipped = EventLog(events_dir(tmp_path / "data")).read_counted()
    assert skipped == 0 and _stalls(on_disk) == [("stalled", flat), ("moving", flat)]


async def test_a_stalled_batch_that_finishes_is_not_moving_again(
    start_loop_sim: StartLoopSim, make_client: MakeClient, tmp_path: Path, clock: FakeClock
) -> None:
    sim = await start_loop_sim(scenario="static", clock=clock)
    ends = sim.start_timeline(ENDS_FLAT)
    hub, board = await _fed(sim, make_client, tmp_path, clock, ends)
    await _poll_for(board, clock, 1000)
    assert _stalls(hub.records) == [("stalled", ends)]
    await _poll_for(board, clock, 800)  # finished at 1500 s
    assert [r["kind"] for r in hub.records if r.get("batchId") == ends][-1] == "finished"
    assert _stalls(hub.records) == [("stalled", ends)]
    assert ("lab", ends) not in hub.feed.memory.stalled
    board.close()
    hub.close()
