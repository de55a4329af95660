"""Write screenshots/*.svg from the real app, headless, against the simulator's static scenario."""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from slv_tui.sim import ThreadedSim
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.ui.app import SlvApp, make_app
from slv_tui.watch.poller import Poller
from slv_tui.watch.watchlist import Watchlist

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


def build(sim: ThreadedSim, folder: Path, clock: FrozenClock) -> SlvApp:
    """The real stack, wired as the cli does."""
    client = SlvClient(ClientSettings(sim.url, Credentials("admin", Secret("admin"))))
    watchlist = Watchlist(folder / "watchlist.json")
    watchlist.load()
    watchlist.add(sim.server.batch_ids())
    watchlist.set_label(ERRORS, "Main street, phase 2")
    watchlist.set_label(RUNNING, "Depot lamps")
    poller = Poller(client.get_batch, interval=2.0, clock=clock)
    return make_app(
        client=client,
        watchlist=watchlist,
        poller=poller,
        server_label="https://cms.example.org:8443/reports",
        clock=clock,
        state_file=folder / "ui-state.json",
    )


async def shoot() -> None:
    """Drive the app through the four views and save each."""
    OUT.mkdir(exist_ok=True)
    sim = ThreadedSim(scenario="static")
    sim.start()
    clock = FrozenClock()
    with tempfile.TemporaryDirectory() as tmp:
        app = build(sim, Path(tmp), clock)
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
            await pilot.press("question_mark")
            await pilot.pause(0.3)
            app.save_screenshot("help.svg", str(OUT))
            await pilot.press("escape")
            table.focus()
            table.move_cursor(row=table.get_row_index(RUNNING))
            sim.stop()
            clock.now += 10
            app.poller.refresh()
            await until(pilot, lambda: app.poller.server.ok is False)
            await pilot.pause(0.3)
            app.save_screenshot("trouble.svg", str(OUT))
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('*.svg')))} to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # the core logs fetch failures; keep the console quiet
    asyncio.run(shoot())
