"""Guards for the console's cost, counting work instead of timing it (the performance review).

A console left open over finished batches must not wake to redraw what cannot change, and a poll
round must redraw only what it changed. Each test counts, on the real app, the widget refreshes
(repaints, layout passes) and table cell updates that a round or a run of timer ticks causes.
Timer ticks are driven by hand on the app's fake clock (the callbacks of the timers the app has
set are called directly), so nothing waits on wall time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from support.fake_fetch import ScenarioFetch
from textual._callback import invoke
from textual.dom import DOMNode
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable

from slv_tui.ui.app import SlvApp

from .ui_helpers import OFFLINE, FakeClock, build, cell, wait_for

SIZE = (160, 45)
FINISHED = [
    "1481016600181", "1481021145590", "1481021896034", "1481022433710", "1481023025871", "1481025112006",
]  # fmt: skip
"""The static scenario's finished batches (succeeded, cancelled, failed, warnings, errors, value null)."""
MINUTE = 60.0


class Work:
    """Widget refreshes and cell updates counted while `counting` (see `count_work`)."""

    def __init__(self) -> None:
        self.layouts: Counter[str] = Counter()
        self.repaints: Counter[str] = Counter()
        self.whole: Counter[str] = Counter()
        """Repaints of a whole widget (no region given): a subset of `repaints` and `layouts`."""
        self.cells = 0
        self.counting = False

    def clear(self) -> None:
        self.layouts.clear()
        self.repaints.clear()
        self.whole.clear()
        self.cells = 0

    @property
    def any(self) -> bool:
        return bool(self.layouts or self.repaints or self.cells)


@contextmanager
def count_work(monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    """Count `Widget.refresh` calls (layout or repaint only) and `DataTable.update_cell` calls."""
    work = Work()
    refresh, update_cell = Widget.refresh, DataTable.update_cell

    def counting_refresh(self: Widget, *args: Any, **kwargs: Any) -> Widget:
        if work.counting:
            name = f"{type(self).__name__}#{self.id}"
            (work.layouts if kwargs.get("layout") else work.repaints)[name] += 1
            if not args:
                work.whole[name] += 1
        return refresh(self, *args, **kwargs)

    def counting_update_cell(self: DataTable[Any], *args: Any, **kwargs: Any) -> None:
        if work.counting:
            work.cells += 1
        update_cell(self, *args, **kwargs)

    monkeypatch.setattr(Widget, "refresh", counting_refresh)
    monkeypatch.setattr(DataTable, "update_cell", counting_update_cell)
    yield work


def live_timers(app: SlvApp) -> list[Timer]:
    """Every timer of the app and its widgets that is running and not paused."""
    nodes: list[DOMNode] = [app, *app.screen_stack]
    for screen in app.screen_stack:
        nodes += list(screen.walk_children(with_self=False))
    timers = [t for node in nodes for t in node._timers]
    return [t for t in timers if t._task is not None and not t._task.done() and t._active.is_set()]


def repeating_under_a_minute(app: SlvApp) -> list[str]:
    return [
        f"{t.name} every {t._interval:g} s ({getattr(t._callback, '__qualname__', t._callback)})"
        for t in live_timers(app)
        if t._repeat != 0 and t._interval < MINUTE
    ]


async def settled_on_finished_batches(app: SlvApp, pilot: Any, clock: FakeClock) -> None:
    """Until every batch shows, is confirmed final (no more polling) and hours have passed."""
    await wait_for(pilot, lambda: app.dashboard.table.row_count == len(FINISHED))
    await wait_for(pilot, lambda: app.poller.all_final)
    clock.advance(2 * 3600 + 7)  # long after the last fetch: every age reads in minutes or hours
    await pilot.pause()


async def fake_ticks(
    app: SlvApp, pilot: Any, clock: FakeClock, minutes: int, work: Work
) -> tuple[int, list[float]]:
    """Drive the app's live timers on the fake clock for `minutes`, in time order: a repeating one at
    each of its intervals, a one-shot once, its delay after it was first seen (the timers the
    callbacks set are picked up as they appear). Returns how many times a timer woke, and the fake
    times at which a wake caused any redraw."""
    due: dict[Timer, float] = {}
    fired: set[Timer] = set()
    end = clock.now + minutes * MINUTE
    wakes, busy_at = 0, []
    while wakes < 10_000:
        live = [t for t in live_timers(app) if t._callback is not None and t not in fired]
        for timer in live:
            due.setdefault(timer, clock.now + timer._interval)
        if not live:
            break
        timer = min(live, key=lambda t: due[t])
        if due[timer] > end:
            break
        clock.now = max(clock.now, due[timer])
        if timer._repeat == 0:
            fired.add(timer)
        else:
            due[timer] += max(timer._interval, 0.001)
        wakes += 1
        work.clear()
        work.counting = True
        assert timer._callback is not None
        await invoke(timer._callback)
        if timer._repeat == 0:
            await pilot.pause()  # a one-shot's callback runs through the message queue
        work.counting = False
        if work.any:
            busy_at.append(clock.now)
    return wakes, busy_at


async def test_an_idle_screen_of_finished_batches_redraws_at_most_once_a_minute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: an age or clock redrawn every second (ages are whole minutes from a minute on), a
    detail pane or header drawn again with the same text (33ca480 made them skip that), any widget
    refreshed on each tick of the screen's timer when nothing it shows changed."""
    clock = FakeClock()
    stack = build(OFFLINE, tmp_path, ids=FINISHED, fetch=ScenarioFetch("static"), clock=clock)
    with count_work(monkeypatch) as work:
        async with stack.app.run_test(size=SIZE) as pilot:
            await settled_on_finished_batches(stack.app, pilot, clock)
            await fake_ticks(stack.app, pilot, clock, 1, work)  # the first tick after the jump redraws ages
            _, busy_at = await fake_ticks(stack.app, pilot, clock, 10, work)
    assert len(busy_at) <= 10, f"redrawn {len(busy_at)} times in 10 idle minutes: {busy_at}"


async def test_an_idle_screen_of_finished_batches_wakes_at_most_once_a_minute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: a timer that wakes the console when nothing can change (an age tick, a history or
    ETA refresh on an interval): all batches final, the server up, nothing typed. A one-shot timer
    to the next visible change (an age turning to the next minute) passes."""
    clock = FakeClock()
    stack = build(OFFLINE, tmp_path, ids=FINISHED, fetch=ScenarioFetch("static"), clock=clock)
    with count_work(monkeypatch) as work:
        async with stack.app.run_test(size=SIZE) as pilot:
            await settled_on_finished_batches(stack.app, pilot, clock)
            await fake_ticks(stack.app, pilot, clock, 1, work)
            wakes, _ = await fake_ticks(stack.app, pilot, clock, 10, work)
            fast = repeating_under_a_minute(stack.app)
    assert wakes <= 11, f"{wakes} timer wake-ups in 10 idle minutes; repeating timers: {fast}"


async def test_a_poll_round_with_nothing_new_redraws_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: cells written again with the same text, the header, detail pane or table redrawn
    (or laid out) by a round that brought the same answers at the same moment."""
    clock = FakeClock()
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=FINISHED, fetch=fetch, clock=clock)
    with count_work(monkeypatch) as work:
        async with stack.app.run_test(size=SIZE) as pilot:
            app = stack.app
            await settled_on_finished_batches(app, pilot, clock)

            async def round_of_everything() -> None:
                calls = fetch.calls
                app.poller.refresh()  # every batch fetched again, finished ones too
                await wait_for(pilot, lambda: fetch.calls == calls + len(FINISHED))
                await wait_for(pilot, lambda: all(s.fetched_at == clock.now for s in app.poller.snapshots()))
                await pilot.pause()
                app.dashboard.refresh_view()  # whatever the round left to draw, drawn now
                await pilot.pause()

            await round_of_everything()  # "fetched 2h ago" becomes "now"
            work.clear()
            work.counting = True
            await round_of_everything()  # the same answers, and the clock stands still
            work.counting = False
    assert work.cells == 0
    assert not work.layouts, work.layouts
    assert not work.repaints, work.repaints


async def test_a_round_that_moves_the_selected_batch_lays_nothing_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: the detail pane laying out the whole screen on every poll of the selected running
    batch (its progress and counts move, its lines do not): once a second on a busy console, the
    biggest share of its drawing (now it lays out only when a height changes). Only the changed
    cells are updated."""
    sim_clock, clock = FakeClock(), FakeClock()
    fetch = ScenarioFetch("demo", clock=sim_clock)
    running = "1481019204417"  # the demo's long commissioning run
    # Polled every 1 s: the 2 s each round moves the clock leave the data fresh (stale after 3 s). With
    # 0.1 s it was stale until the fetch landed, and a view tick in that gap (the busy CI machine's
    # order) truthfully showed STALE and took it back: two layouts no round of a live console makes.
    stack = build(OFFLINE, tmp_path, ids=[running, *FINISHED], fetch=fetch, clock=clock, interval=1.0)
    with count_work(monkeypatch) as work:
        async with stack.app.run_test(size=SIZE) as pilot:
            app = stack.app
            await wait_for(pilot, lambda: app.dashboard.selected_id == running)
            await wait_for(pilot, lambda: cell(app, running, "progress") != "")
            await wait_for(pilot, lambda: app.poller.snapshot(running) is not None)
            for _ in range(3):
                before = cell(app, running, "progress")
                snap = app.poller.snapshot(running)
                assert snap is not None
                sim_clock.advance(20)
                clock.advance(2)
                work.clear()
                work.counting = True
                app.dashboard.painter.tick()  # the view's timer wakes before the fetch lands
                app.poller.refresh([running])
                await wait_for(pilot, lambda s=snap: app.poller.snapshot(running) is not s)  # type: ignore[misc]
                await pilot.pause()
                app.dashboard.refresh_view()
                await pilot.pause()
                work.counting = False
                assert cell(app, running, "progress") != before
                assert not work.layouts, work.layouts
                assert work.cells <= 6, work.cells
