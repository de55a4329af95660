"""Stalled batches in the Board: the simulator over 127.0.0.1 and the poller on one fake clock; a
batch whose progress stays flat for `stall_after` is stalled, and it clears when the batch moves."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from support.clock import FakeClock
from support.sim import MakeClient, StartLoopSim

from slv_tui.commands.watch import ActiveEntries, Watcher, board_view
from slv_tui.sim import SimServer
from slv_tui.store.watchlist import WatchEntry, Watchlist
from slv_tui.watch.board import Board, BoardEvent, StallChanged
from slv_tui.watch.poller import Poller

FLAT = {
    "duration": 3600,
    "progress": {"points": [[0, 10], [10, 40], [1500, 40], [1510, 50]]},
    "progress_messages": [[0, "Pushing devices"]],
    "steps": [{"name": "push", "label": "Push devices", "at": 0}],
}
"""Running, 40 % from 10 s to 1500 s after its start (nothing else changes), then moving again."""


async def _board(
    start_loop_sim: StartLoopSim,
    make_client: MakeClient,
    tmp_path: Path,
    clock: FakeClock,
    stall_after: float,
) -> tuple[SimServer, Board[WatchEntry], str]:
    sim = await start_loop_sim(scenario="static", clock=clock)
    flat = sim.start_timeline(FLAT)
    store = Watchlist(tmp_path / "watchlist.json", clock=clock)
    store.load()
    store.add([flat, "1481021896034"], label="flat")  # and a failed batch: finished, never stalled
    client = make_client(sim.url)
    poller = Poller(client.get_batch, clock=clock, rng=random.Random(3), interval=2.0)
    return sim, Board("lab", poller, store, stall_after=stall_after), flat


def _stall_changes(board: Board[Any]) -> list[StallChanged]:
    """Every `StallChanged` the Board emits from now on."""
    changes: list[StallChanged] = []

    def keep(event: BoardEvent) -> None:
        if isinstance(event, StallChanged):
            changes.append(event)

    board.subscribe(keep)
    return changes


async def _poll_for(board: Board[Any], clock: FakeClock, seconds: float, step: float = 100.0) -> None:
    """Move the clock `seconds` ahead in steps, one poll round at each."""
    end = clock.now + seconds
    while clock.now < end:
        clock.advance(min(step, end - clock.now))
        board.refresh()
        await board.poller.poll_due()


async def test_flat_progress_is_stalled_after_stall_after_and_clears_when_it_moves(
    start_loop_sim: StartLoopSim, make_client: MakeClient, tmp_path: Path, clock: FakeClock
) -> None:
    _, board, flat = await _board(start_loop_sim, make_client, tmp_path, clock, stall_after=900)
    changes = _stall_changes(board)
    await _poll_for(board, clock, 10, step=10)  # 40 % from here on
    flat_since = clock.now
    await _poll_for(board, clock, 800)
    assert board.stalled_since(flat) is None and not changes
    await _poll_for(board, clock, 200)  # 1000 s flat
    assert board.stalled_since(flat) == flat_since
    assert board.stalled() == {flat: flat_since}  # the failed batch is not stalled
    stalls = [(e.batch_id, e.since) for e in changes]
    assert stalls == [(flat, flat_since)]  # once, not once per round
    await _poll_for(board, clock, 500)  # past 1500 s: it moves
    assert board.stalled_since(flat) is None
    stalls = [(e.batch_id, e.since) for e in changes]
    assert stalls == [(flat, flat_since), (flat, None)]


async def test_stall_after_zero_disables(
    start_loop_sim: StartLoopSim, make_client: MakeClient, tmp_path: Path, clock: FakeClock
) -> None:
    _, board, flat = await _board(start_loop_sim, make_client, tmp_path, clock, stall_after=0)
    changes = _stall_changes(board)
    await _poll_for(board, clock, 1400)
    assert board.stalled_since(flat) is None and board.stalled() == {}
    assert not changes


async def test_a_removed_batch_is_forgotten(
    start_loop_sim: StartLoopSim, make_client: MakeClient, tmp_path: Path, clock: FakeClock
) -> None:
    _, board, flat = await _board(start_loop_sim, make_client, tmp_path, clock, stall_after=60)
    await _poll_for(board, clock, 200, step=10)
    assert board.stalled_since(flat) is not None
    await board.remove([flat])
    assert board.stalled() == {} and board.stalls.moved_at(flat) is None


async def test_the_watcher_reports_the_boards_stalls_once(
    start_loop_sim: StartLoopSim, make_client: MakeClient, tmp_path: Path, clock: FakeClock
) -> None:
    """`watch` has no stall tracking of its own: its events and metrics are the Board's."""
    sim = await start_loop_sim(scenario="static", clock=clock)
    flat = sim.start_timeline(FLAT)
    watchlist = Watchlist(tmp_path / "watchlist.json", clock=clock)
    watchlist.load()
    watchlist.add([flat], label="flat")
    watchlist.add(["1481021896034"])
    watchlist.set_archived(["1481021896034"])  # archived: not watched by `watch`
    poller = Poller(make_client(sim.url).get_batch, clock=clock, rng=random.Random(3), interval=2.0)
    board = Board("lab", poller, ActiveEntries(watchlist), stall_after=900)
    lines: list[dict[str, Any]] = []
    watcher = Watcher(board, lines.append, wall=lambda: 1.7e9 + clock.now)
    board.subscribe(watcher)
    await _poll_for(board, clock, 10, step=10)
    await _poll_for(board, clock, 1000)
    kinds = [(e["event"], e.get("batchId")) for e in lines]
    assert kinds == [("server_up", None), ("state", flat), ("stalled", flat)]
    stalled = lines[-1]
    assert stalled["label"] == "flat" and stalled["stalledFor"] >= 900 and stalled["progress"] == 40
    view = board_view(board, watcher)
    assert [(b.batch_id, b.stalled, b.state) for b in view.batches] == [(flat, True, "running")]
    await _poll_for(board, clock, 500)
    assert [e["event"] for e in lines][-1] == "moving"
    assert not board_view(board, watcher).batches[0].stalled
