"""Write screenshots/*.svg from the real app, headless, against the simulator's static scenario."""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot

from slv_tui.sim import ThreadedSim
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.slv.model import BatchState
from slv_tui.store.history import HistoryRecorder, HistoryStore, Mark, events_between
from slv_tui.store.watchlist import Watchlist
from slv_tui.ui.app import AppSettings, Seams, SlvApp, make_app, open_board
from slv_tui.ui.feed_hub import FeedHub
from slv_tui.ui.screens.commission_dialog import CommissionScreen, ConfirmCommissionScreen
from slv_tui.ui.screens.feed import FeedScreen

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (160, 45)
ERRORS = "1481023025871"
RUNNING = "1481019204417"


class FrozenClock:
    """Time stands still (so ages and elapsed times are stable), until advanced."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def until(pilot: Pilot[None], predicate: Callable[[], object], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Let the app run until predicate() holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise SystemExit(f"timed out waiting for {predicate}")
        await pilot.pause(0.05)


async def seed_history(sim: ThreadedSim, folder: Path) -> HistoryRecorder:
    """A recorded run of the ERRORS batch (as a dashboard would have written it), ending as it is now."""
    client = SlvClient(ClientSettings(sim.url, Credentials("admin", Secret("admin"))))
    try:
        batch = await client.get_batch(ERRORS)
    finally:
        await client.aclose()
    final = Mark.of(batch)
    start = datetime(2026, 12, 1, 13, 2, 10, tzinfo=UTC)
    marks = [
        (0, Mark(BatchState.RUNNING, 2, False, 0, 0)),
        (95, Mark(BatchState.RUNNING, 14, False, 0, 0)),
        (170, Mark(BatchState.RUNNING, 23, False, 1, 0)),
        (260, Mark(BatchState.RUNNING, 37, False, 1, 0)),
        (300, Mark(BatchState.RUNNING, 41, False, 1, 1)),
        (420, Mark(BatchState.RUNNING, 58, False, final.warnings, 1)),
        (500, Mark(BatchState.RUNNING, 66, False, final.warnings, final.errors)),
        (580, Mark(BatchState.RUNNING, 79, False, final.warnings, final.errors)),
        (640, Mark(BatchState.RUNNING, 88, False, final.warnings, final.errors)),
        (700, Mark(BatchState.RUNNING, 95, False, final.warnings, final.errors)),
        (730, final),
    ]
    events = []
    previous = None
    for seconds, mark in marks:
        events += events_between(previous, mark, start + timedelta(seconds=seconds))
        previous = mark
    store = HistoryStore(folder / "history")
    store.append(ERRORS, events)
    return HistoryRecorder(store)


def build(sim: ThreadedSim, folder: Path, clock: FrozenClock, history: HistoryRecorder) -> SlvApp:
    """The real stack, wired as the cli does."""
    client = SlvClient(ClientSettings(sim.url, Credentials("admin", Secret("admin"))))
    watchlist = Watchlist(folder / "watchlist.json")
    watchlist.load()
    watchlist.add(sim.server.batch_ids())
    watchlist.set_label(ERRORS, "Main street, phase 2")
    watchlist.set_label(RUNNING, "Depot lamps")
    settings = AppSettings(
        server_label="https://cms.example.org:8443/reports", state_file=folder / "ui-state.json"
    )
    feed = FeedHub(folder / "data")  # the event feed (L), in the temporary folder
    session = open_board(client, watchlist, interval=2.0, clock=clock, history=history)
    return make_app(settings, [session], seams=Seams(feed=feed))


async def shoot() -> None:
    """Drive the app through its views (and the commissioning dialog) and save each."""
    OUT.mkdir(exist_ok=True)
    sim = ThreadedSim(scenario="static")
    sim.start()
    clock = FrozenClock()
    with tempfile.TemporaryDirectory() as tmp:
        app = build(sim, Path(tmp), clock, await seed_history(sim, Path(tmp)))
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: all(s.batch is not None for s in app.poller.snapshots()))
            table = app.dashboard.table
            # poll results are drawn together once a second: wait until the table shows them all
            await until(pilot, lambda: "pending" not in " ".join(str(c) for r in table.ordered_rows
                                                                 for c in table.get_row(r.key)))  # fmt: skip
            await pilot.pause(0.3)
            app.save_screenshot("watchlist.svg", str(OUT))
            table = app.dashboard.table
            table.move_cursor(row=table.get_row_index(ERRORS))
            title = app.dashboard.detail.query_one("#detail-title")
            await until(pilot, lambda: ERRORS in str(title.render()))
            await pilot.press("enter")
            tree = app.dashboard.detail.step_tree
            first = tree.root.children[0]
            first.expand()
            await until(pilot, lambda: len(first.children) == 3)
            first.children[0].expand()
            await pilot.pause(0.3)
            app.save_screenshot("detail.svg", str(OUT))
            timeline = app.dashboard.detail.query_one("#detail-timeline")
            await until(pilot, lambda: "finished" in str(timeline.render()))
            app.dashboard.detail.query_one("#detail-fields-scroll").scroll_end(animate=False)
            await pilot.pause(0.3)
            app.save_screenshot("timeline.svg", str(OUT))
            await pilot.press("slash", *"rejected")
            await until(pilot, lambda: tree.find_status.endswith(tuple("0123456789")))
            await pilot.press("enter")
            await pilot.pause(0.3)
            app.save_screenshot("find.svg", str(OUT))
            await pilot.press("escape")
            await pilot.press("question_mark")
            await pilot.pause(0.3)
            app.save_screenshot("help.svg", str(OUT))
            await pilot.press("escape")
            table.focus()  # in the step tree, n is the next match
            await pilot.pause(0.1)
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, CommissionScreen))
            await pilot.press(*"CTRL-PARIS-07")
            await pilot.pause(0.3)
            app.save_screenshot("commission.svg", str(OUT))
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmCommissionScreen))
            await pilot.pause(0.3)
            app.save_screenshot("commission-confirm.svg", str(OUT))
            await pilot.press("escape")  # not confirmed: nothing is sent
            await until(pilot, lambda: app.screen is app.dashboard)
            table.focus()
            table.move_cursor(row=table.get_row_index(RUNNING))
            sim.stop()
            clock.now += 10
            app.poller.refresh()
            await until(pilot, lambda: app.poller.server.ok is False)
            await pilot.pause(0.3)
            app.save_screenshot("trouble.svg", str(OUT))
            await pilot.press("L")
            await until(pilot, lambda: isinstance(app.screen, FeedScreen))
            await pilot.pause(0.3)
            app.save_screenshot("feed.svg", str(OUT))
    await shoot_servers()
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('*.svg')))} to {OUT}", file=sys.stderr)


async def shoot_servers() -> None:
    """Two servers in one table (one basic, one csrf; the same batch IDs on both), then one down."""
    sims = {
        "lab": ThreadedSim(scenario="static", auth="basic"),
        "prod": ThreadedSim(scenario="static", auth="csrf"),
    }
    colors = {"lab": "cyan", "prod": "magenta"}
    clock = FrozenClock()
    with tempfile.TemporaryDirectory() as tmp:
        sessions = []
        for name, sim in sims.items():
            sim.start()
            auth = sim.server.auth_mode
            client = SlvClient(ClientSettings(sim.url, Credentials("admin", Secret("admin"), auth)))
            watchlist = Watchlist(Path(tmp) / f"{name}.json")
            watchlist.load()
            watchlist.add(sim.server.batch_ids()[:4])
            sessions.append(
                open_board(client, watchlist, interval=2.0, clock=clock, name=name, color=colors[name])
            )
        settings = AppSettings(
            server_label="lab + prod", profile="lab+prod", state_file=Path(tmp) / "ui.json"
        )
        app = make_app(settings, sessions)
        async with app.run_test(size=SIZE) as pilot:
            boards = [s.board for s in sessions]
            await until(pilot, lambda: all(s.batch is not None for b in boards for s in b.snapshots()))
            await until(pilot, lambda: "csrf" in str(app.dashboard.header.auth_labels.get("prod")))
            await pilot.pause(1.2)
            app.save_screenshot("servers.svg", str(OUT))
            sims["prod"].stop()
            clock.now += 10
            boards[1].refresh()
            await until(pilot, lambda: boards[1].status.ok is False)
            await pilot.pause(1.2)
            app.save_screenshot("servers-down.svg", str(OUT))
    sims["lab"].stop()


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # the core logs fetch failures; keep the console quiet
    asyncio.run(shoot())
