"""r says what it does: the row may look the same after a fetch, so a toast names the batch fetched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support.toasts import Toasts

from slv_tui.sim import ThreadedSim

from .ui_helpers import build, cell, press, wait_for

OK = "1481016600181"


async def test_r_says_which_batch_it_fetches(start_sim: Callable[..., ThreadedSim], tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK])
    toasts = Toasts()
    async with stack.app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, OK, "state") == "✔ succeeded")
        before = sim.server.request_count
        await press(pilot, "r")
        await wait_for(pilot, lambda: toasts.said(f"Fetching {OK} now"))
        await wait_for(pilot, lambda: sim.server.request_count > before)  # and it does fetch
