"""What a newcomer sees in the detail pane, the footers and the commissioning dialog: a not-found
batch is neutral in 256 colours, each place's footer shows the keys that work there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.color import ColorSystem
from textual.color import Color
from textual.widgets import Static

from slv_tui.sim import ThreadedSim

from .ui_helpers import build, cell, wait_for

StartSim = Callable[..., ThreadedSim]
OK = "1481016600181"
MISSING = "1481099999999"  # the simulator does not know it: 605 Batch not found


def _neutral_in_256_colours(color: Color) -> bool:
    """The colour a 256-colour terminal shows for `color` is a grey (no hue: not red, not amber)."""
    r, g, b = color.rich_color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
    return max(r, g, b) - min(r, g, b) <= 16


async def test_the_not_found_line_is_neutral_in_256_colours(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK, MISSING])
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, MISSING, "state") == "? not found")
        table = app.dashboard.table
        table.move_cursor(row=table.get_row_index(MISSING))
        line = app.dashboard.detail.query_one("#detail-fetch", Static)
        await wait_for(pilot, lambda: "not found" in str(line.render()) and line.display)
        await wait_for(pilot, lambda: line.region.height > 0)
        _, background = line.background_colors
        assert _neutral_in_256_colours(background), background
        assert _neutral_in_256_colours(background + line.styles.color), line.styles.color
