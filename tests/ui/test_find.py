"""Pilot tests of find in the detail pane and the tree's views, against the simulator on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from slv_tui.sim import ThreadedSim
from slv_tui.slv.model import Severity
from slv_tui.ui.app import SlvApp
from slv_tui.ui.widgets.detail_pane import FindInput
from slv_tui.ui.widgets.step_tree import StepTree

from .ui_helpers import Stack, build, cell, press, wait_for

StartSim = Callable[..., ThreadedSim]
BATCH = "1000000000002"
SCENARIO = {
    "frozen": True,
    "templates": {
        "large": {"duration": 10, "outcome": "errors", "steps": [
            {"name": "check", "label": "Check database", "at": 0,
             "messages": [{"at": 0, "severity": "info", "text": "database ok"}]},
            {"name": "push", "label": "Push devices", "at": 1, "generate": {
                "count": 2000, "from": 1, "to": 9, "device": "Lamp-{n:06d}",
                "text": "{device}: configuration pushed", "error_every": 500,
                "error_text": "{device}: not found on controller"}},
        ]},
    },
    "batches": [{"id": BATCH, "template": "large", "at": 100}],
}  # fmt: skip


def _status(tree: StepTree) -> str:
    return str(tree.screen.query_one("#find-status", Static).render())


def _cursor_text(tree: StepTree) -> str:
    node = tree.cursor_node
    return "" if node is None else str(node.label)


def _stack(start_sim: StartSim, tmp_path: Path) -> Stack:
    """The dashboard watching BATCH of SCENARIO, served by the simulator."""
    path = tmp_path / "find.json"
    path.write_text(json.dumps(SCENARIO))
    sim = start_sim(scenario=str(path))
    return build(sim.url, tmp_path, ids=[BATCH])


async def _into_tree(pilot: Pilot[None], app: SlvApp) -> StepTree:
    """Once BATCH has finished, move the focus into its step tree."""
    await wait_for(pilot, lambda: cell(app, BATCH, "state") == "⚠ done w/ errors")
    tree = app.dashboard.detail.step_tree
    await press(pilot, "enter")
    await wait_for(pilot, lambda: tree.has_focus)
    return tree


async def test_find_opens_the_tree_at_each_match(start_sim: StartSim, tmp_path: Path) -> None:
    stack = _stack(start_sim, tmp_path)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        tree = await _into_tree(pilot, app)
        await press(pilot, "slash")
        box = app.screen.query_one(FindInput)
        await wait_for(pilot, lambda: box.has_focus)
        await press(pilot, *"lamp-001234")  # an info message on page 7 of a group never opened
        await wait_for(pilot, lambda: _status(tree) == "1 of 1")
        assert "Lamp-001234: configuration pushed" in _cursor_text(tree)
        assert not app.dashboard.filter_text  # `/` in the tree is find, not the table filter
        box.value = ""
        await press(pilot, *"not found")
        await wait_for(pilot, lambda: _status(tree) == "1 of 4")
        assert "Lamp-000500" in _cursor_text(tree)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: _status(tree) == "2 of 4")
        assert "Lamp-001000" in _cursor_text(tree)
        await press(pilot, "escape")  # back to the tree; n and N go on
        await wait_for(pilot, lambda: tree.has_focus)
        await press(pilot, "n", "n")
        await wait_for(pilot, lambda: _status(tree) == "4 of 4")
        await press(pilot, "n")
        await wait_for(pilot, lambda: _status(tree) == "1 of 4")  # wraps around
        await press(pilot, "N")
        await wait_for(pilot, lambda: _status(tree) == "4 of 4")
        assert "Lamp-002000" in _cursor_text(tree)


async def test_views_only_problems_and_compact(start_sim: StartSim, tmp_path: Path) -> None:
    stack = _stack(start_sim, tmp_path)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        tree = await _into_tree(pilot, app)

        def steps() -> list[str]:
            return [str(node.label) for node in tree.root.children]

        def groups() -> set[Severity | None]:
            return {c.data.severity for n in tree.root.children for c in n.children if c.data}

        await wait_for(pilot, lambda: len(steps()) == 2)
        await press(pilot, "w")
        await wait_for(pilot, lambda: tree.view == "problems")
        assert len(steps()) == 1 and "Push devices" in steps()[0]
        assert Severity.INFO not in groups()
        assert "only warnings and errors" in _status(tree)
        await press(pilot, "slash", *"configuration")  # find stays within the view: no info shown
        await wait_for(pilot, lambda: _status(tree).startswith("no match"))
        await press(pilot, "escape", "w")
        await wait_for(pilot, lambda: tree.view == "all" and len(steps()) == 2)
        await wait_for(pilot, lambda: _status(tree).startswith("1 of 1996"))
        await press(pilot, "C")  # compact: nothing runs, one step failed
        await wait_for(pilot, lambda: tree.view == "compact")
        assert len(steps()) == 1 and "Push devices" in steps()[0]
        assert "compact" in _status(tree)
        await press(pilot, "C")
        await wait_for(pilot, lambda: tree.view == "all" and len(steps()) == 2)
