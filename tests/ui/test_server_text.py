"""Server text is data: markup, escapes and C1 controls from the server render literally or not at all."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from slv_tui.sim import ThreadedSim
from slv_tui.slv.model import BatchState

from .ui_helpers import FakeClock, build, cell, press, screen_text, wait_for

BATCH = "1000000000001"
HOSTILE = {
    "frozen": False,
    "batches": [
        {
            "id": BATCH,
            "start": 0,
            "duration": 5,
            "login": "[bold]who[/bold]",
            "progress_messages": [[0, "[@click=app.quit]q[/] \u001b]0;pwned\u0007 progress"]],
            "outcome": "failed",
            "error_code": "999",
            "error_code_label": "[/] label \u001b[31mred",
            "final_message": "final [bold]x[/bold] \u009b31m",
            "steps": [
                {
                    "name": "s1",
                    "label": "[bold]x[/bold] step\u001b[31m",
                    "at": 0,
                    "messages": [
                        {
                            "at": 0,
                            "severity": "error",
                            "text": "[@click=app.quit]q[/] err \u001b]0;pwned\u0007",
                        },
                        {"at": 0, "severity": "warning", "text": "[/] warn \u009b31m"},
                        {"at": 0, "severity": "info", "text": "[bold]x[/bold] info \u0007\u0008"},
                    ],
                }
            ],
        }
    ],
}


async def test_hostile_server_text_renders_literally(
    start_sim: Callable[..., ThreadedSim], tmp_path: Path
) -> None:
    scenario = tmp_path / "hostile.json"
    scenario.write_text(json.dumps(HOSTILE))
    sim_clock = FakeClock(0.0)
    sim = start_sim(scenario=str(scenario), clock=sim_clock)
    sim_clock.advance(1)
    stack = build(sim.url, tmp_path, server_label="[bold]srv[/bold] \u001b]0;pwned\u0007", interval=0.05,
                  ids=[BATCH])  # fmt: skip
    stack.watchlist.set_label(BATCH, "[b]lbl[/b]")
    async with stack.app.run_test(size=(160, 45), notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, BATCH, "state") == "▶ running")
        literals = (
            "[bold]srv[/bold]",  # header
            "[b]lbl[/b]",  # table label
            "[bold]x[/bold] step",  # table step and tree
            "[@click=app.quit]q[/] err",  # tree: the Errors group is open by default
            "[bold]who[/bold]",  # detail: login
            "[@click=app.quit]q[/]  progress",  # detail: progress message, OSC removed whole
        )
        await wait_for(pilot, lambda: all(literal in screen_text(app) for literal in literals))
        sim_clock.advance(10)
        await wait_for(pilot, lambda: app.dashboard.finished == [(BATCH, BatchState.FAILED)])
        finals = ("[/] label red", "final [bold]x[/bold]", "([b]lbl[/b])")  # errorCodeLabel, message, toast
        await wait_for(pilot, lambda: all(literal in screen_text(app) for literal in finals))
        text = screen_text(app)
        assert "pwned" not in text
        for control in ("\x1b", "\x9b", "\x07", "\x08"):
            assert control not in text
        await press(pilot, "down", "enter")
        assert app.is_running  # no [@click=app.quit] ever became a link
