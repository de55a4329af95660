"""A stalled batch on the dashboard: the state cell's mark, the attention view, the header count and
the detail pane's "stalled since HH:MM:SS (N min)"; all gone when it moves again. The simulator over
127.0.0.1 and the poller share one fake clock."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from slv_tui.sim import ThreadedSim
from slv_tui.ui.widgets.header_bar import HeaderBar

from .ui_helpers import FakeClock, build, cell, press, screen_text, wait_for

StartSim = Callable[..., ThreadedSim]
OK = "1481016600181"
FLAT = {
    "duration": 3600,
    "progress": {"points": [[0, 10], [10, 40], [1500, 40], [1510, 50]]},
    "progress_messages": [[0, "Pushing devices"]],
    "steps": [{"name": "push", "label": "Push devices", "at": 0}],
}
"""Running, 40 % from 10 s to 1500 s after its start (nothing else changes), then moving again."""


def _main(app: object) -> str:
    return str(app.query_one(HeaderBar).query_one("#header-main").render())  # type: ignore[attr-defined]


async def test_a_stalled_batch_is_marked_everywhere_and_clears_when_it_moves(
    start_sim: StartSim, tmp_path: Path
) -> None:
    clock = FakeClock()
    sim = start_sim(scenario="static", clock=clock)
    flat = sim.server.start_timeline(FLAT)
    stack = build(sim.url, tmp_path, ids=[flat, OK], clock=clock, interval=2.0)
    board = stack.board
    assert board is not None

    async def poll_after(seconds: float) -> None:
        clock.advance(seconds)
        board.refresh()
        await wait_for(pilot, lambda: all(s.fetched_at == clock.now for s in board.snapshots()))
        app.dashboard.refresh_view()

    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, flat, "state") == "▶ running")
        await poll_after(10)  # 40 % from here on
        await poll_after(800)
        assert cell(app, flat, "state") == "▶ running" and "stalled" not in _main(app)
        await press(pilot, "exclamation_mark")  # needs attention: a running batch that moves is not in it
        await wait_for(pilot, lambda: cell(app, flat, "state") == "")
        await press(pilot, "exclamation_mark")
        await wait_for(pilot, lambda: cell(app, flat, "state") == "▶ running")

        await poll_after(150)  # 950 s without movement: stalled (stall_after is 15 min)
        await wait_for(pilot, lambda: cell(app, flat, "state") == "▶ ⧖ STALLED")
        await wait_for(pilot, lambda: "⧖ 1 stalled" in _main(app))
        assert app.dashboard.table.selected_id == flat  # running rows first
        await wait_for(pilot, lambda: re.search(r"stalled since \d\d:\d\d:\d\d \(15 min\)", screen_text(app)))
        await press(pilot, "exclamation_mark")  # needs attention: the stalled batch is in it
        await wait_for(pilot, lambda: "needs attention" in screen_text(app))
        assert cell(app, flat, "state") == "▶ ⧖ STALLED" and cell(app, OK, "state") == ""
        await press(pilot, "exclamation_mark")
        await press(pilot, "slash", *"stalled", "enter")  # the filter finds it by the word
        await wait_for(pilot, lambda: cell(app, OK, "state") == "")
        assert cell(app, flat, "state") == "▶ ⧖ STALLED"
        await press(pilot, "slash", "ctrl+u", "enter")
        await wait_for(pilot, lambda: cell(app, OK, "state").endswith("succeeded"))

        await poll_after(600)  # past 1500 s: it moves again
        await wait_for(pilot, lambda: cell(app, flat, "state") == "▶ running")
        await wait_for(pilot, lambda: "stalled" not in _main(app))
        assert "stalled since" not in screen_text(app)
