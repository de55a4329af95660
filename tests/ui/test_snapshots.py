"""Snapshot tests at 160x45: the static scenario and a frozen clock make every frame reproducible."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from slv_tui.sim import ThreadedSim
from slv_tui.ui.screens.help import HelpScreen

from .ui_helpers import FakeClock, Stack, build, cell, press, wait_for

SIZE = (160, 45)
ERRORS = "1481023025871"
LARGE = "1481024400630"


@pytest.fixture
def static_stack(
    start_sim: Callable[..., ThreadedSim], tmp_path: Path
) -> Iterator[tuple[Stack, ThreadedSim]]:
    """The whole static scenario on a watchlist, a frozen clock, a fixed server label."""
    sim = start_sim(scenario="static")
    stack = build(
        sim.url,
        tmp_path,
        ids=sim.server.batch_ids(),
        clock=FakeClock(),
        interval=2.0,
        server_label="sim (static scenario)",
        warnings=["TLS certificate verification is OFF (--insecure)"],
    )
    yield stack, sim


async def _all_fetched(pilot: Pilot[Any], stack: Stack) -> None:
    await wait_for(pilot, lambda: all(s.batch is not None for s in stack.poller.snapshots()))
    await wait_for(
        pilot, lambda: all(cell(stack.app, b, "updated") == "<1m ago" for b in stack.watchlist.ids())
    )


def test_watchlist_screen(snap_compare: Any, static_stack: tuple[Stack, ThreadedSim]) -> None:
    stack, _ = static_stack

    async def run_before(pilot: Pilot[Any]) -> None:
        await _all_fetched(pilot, stack)

    assert snap_compare(stack.app, terminal_size=SIZE, run_before=run_before)


def test_detail_with_expanded_tree(snap_compare: Any, static_stack: tuple[Stack, ThreadedSim]) -> None:
    stack, _ = static_stack

    async def run_before(pilot: Pilot[Any]) -> None:
        await _all_fetched(pilot, stack)
        table = stack.app.dashboard.table
        table.move_cursor(row=table.get_row_index(ERRORS))
        title = stack.app.dashboard.detail.query_one("#detail-title")
        await wait_for(pilot, lambda: ERRORS in str(title.render()))
        await press(pilot, "enter")
        tree = stack.app.dashboard.detail.step_tree
        await wait_for(pilot, lambda: tree.has_focus and len(tree.root.children) > 0)
        first = tree.root.children[0]
        first.expand()
        await wait_for(pilot, lambda: len(first.children) == 3)
        first.children[0].expand()
        await wait_for(pilot, lambda: len(first.children[0].children) > 0)

    assert snap_compare(stack.app, terminal_size=SIZE, run_before=run_before)


def test_trouble_server_down_and_stale(snap_compare: Any, static_stack: tuple[Stack, ThreadedSim]) -> None:
    stack, sim = static_stack

    async def run_before(pilot: Pilot[Any]) -> None:
        await _all_fetched(pilot, stack)
        sim.stop()
        clock = stack.app.clock
        assert isinstance(clock, FakeClock)
        clock.advance(10.0)  # five intervals: stale
        stack.poller.refresh()
        await wait_for(pilot, lambda: stack.poller.server.ok is False)
        running = ["1481018818069", "1481019204417", "1481019867302", "1481020373648"]  # and cancelling
        await wait_for(pilot, lambda: all(cell(stack.app, b, "fetch") == "⌛ STALE" for b in running))

    assert snap_compare(stack.app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare: Any, static_stack: tuple[Stack, ThreadedSim]) -> None:
    stack, _ = static_stack

    async def run_before(pilot: Pilot[Any]) -> None:
        await _all_fetched(pilot, stack)
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(stack.app.screen, HelpScreen))

    assert snap_compare(stack.app, terminal_size=SIZE, run_before=run_before)


def test_large_batch_opens_instantly(static_stack: tuple[Stack, ThreadedSim]) -> None:
    """5003 messages: only one page of nodes is built when the Info group opens."""
    stack, _ = static_stack

    async def check() -> None:
        async with stack.app.run_test(size=SIZE) as pilot:
            await _all_fetched(pilot, stack)
            table = stack.app.dashboard.table
            table.move_cursor(row=table.get_row_index(LARGE))
            tree = stack.app.dashboard.detail.step_tree
            await wait_for(pilot, lambda: any("i 4982" in str(s.label) for s in tree.root.children))
            big = max(tree.root.children, key=lambda s: int(str(s.label).split("i ")[-1].split()[0]))
            big.expand()
            await wait_for(pilot, lambda: len(big.children) == 3)
            info = big.children[0]
            info.expand()
            await wait_for(pilot, lambda: len(info.children) > 0)
            assert len(info.children) == 201  # a page of 200 and a "more" node
            assert "more — press enter" in str(info.children[-1].label)
            tree.focus()
            more = info.children[-1]
            await wait_for(pilot, lambda: more.line >= 0)  # laid out
            tree.move_cursor(more)
            await press(pilot, "enter")
            await wait_for(pilot, lambda: len(info.children) == 401)

    asyncio.run(check())
