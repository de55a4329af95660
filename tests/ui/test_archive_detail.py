"""The archive view against the simulator: an archived batch keeps a summary, and the one opened is
fetched whole, once (fetches counted per batch, never time)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from slv_tui.sim import ThreadedSim
from slv_tui.slv.model import Batch
from slv_tui.watch.poller import Fetch

from .ui_helpers import build, cell, wait_for

StartSim = Callable[..., ThreadedSim]
OK, RUNNING, OTHER = "1481016600181", "1481019204417", "1481021896034"


async def test_the_archive_view_fetches_only_the_batch_opened(start_sim: StartSim, tmp_path: Path) -> None:
    """Catches: an archived batch keeping its whole parsed answer, the archive view fetching every
    archived batch when it opens, or the opened one again on every poll."""
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK, RUNNING, OTHER])
    fetched: Counter[str] = Counter()

    def counting(fetch: Fetch) -> Fetch:
        async def counted(batch_id: str) -> Batch:
            fetched[batch_id] += 1
            return await fetch(batch_id)

        return counted

    stack.poller.wrap_fetch(counting)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: cell(app, OK, "state") == "✔ succeeded")
        await wait_for(pilot, lambda: cell(app, OTHER, "state") not in ("", "…"))
        assert stack.board is not None
        for batch_id in (OK, OTHER):
            table.move_cursor(row=table.get_row_index(batch_id))
            await stack.board.archive([batch_id])
        await wait_for(pilot, lambda: set(table.rows) == {RUNNING})
        for batch_id in (OK, OTHER):
            snap = stack.poller.snapshot(batch_id)
            assert snap is not None and snap.summary and not any(s.in_server_order for s in snap.batch.steps)  # type: ignore[union-attr]
        before = fetched.copy()
        await pilot.press("X")  # the archive view: its selected batch is fetched whole, once
        await wait_for(pilot, lambda: set(table.rows) == {OK, OTHER} and table.selected_id is not None)
        opened = table.selected_id
        assert opened is not None
        await wait_for(pilot, lambda: not stack.poller.snapshot(opened).summary)  # type: ignore[union-attr]
        await wait_for(pilot, lambda: app.dashboard.detail.step_tree.root.children)
        gained = fetched - before
        assert gained[opened] == 1 and sum(n for b, n in gained.items() if b != RUNNING) == 1, gained
        await pilot.press("X")  # back: the opened one is a summary again, nothing more fetched
        await wait_for(pilot, lambda: RUNNING in table.rows and stack.poller.snapshot(opened).summary)  # type: ignore[union-attr]
        gained = fetched - before
        assert sum(n for b, n in gained.items() if b != RUNNING) == 1, gained
