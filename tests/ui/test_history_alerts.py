"""Pilot tests against the simulator: the detail pane's recorded timeline and sparkline, desktop alerts."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from support.spy import spy
from support.toasts import Toasts
from textual.app import App
from textual.drivers import headless_driver
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import Sparkline, Static

from slv_tui.sim import ThreadedSim
from slv_tui.store.history import HistoryStore
from slv_tui.store.watchlist import Watchlist
from slv_tui.ui.delivery import TerminalDelivery, announcing
from slv_tui.watch.alerts import Alerts

from .ui_helpers import FakeClock, build, cell, press, wait_for

StartSim = Callable[..., ThreadedSim]
SLOW, FAILS, LATE_CANCEL = "2000000000001", "2000000000002", "2000000000003"
STEP = {"name": "push", "label": "Commissioning", "at": 0, "messages": [{"at": 0, "text": "go"}]}
SCENARIO = {
    "frozen": False,
    "batches": [
        {"id": SLOW, "start": 0, "duration": 100, "steps": [STEP]},
        {"id": FAILS, "start": 0, "duration": 5, "outcome": "failed", "error_code": "605",
         "error_code_label": "Controller \x1b]0;owned\x07CTRL-7 unreachable", "steps": [STEP]},
        {"id": LATE_CANCEL, "start": 0, "duration": 5, "cancel_requested_at": 3, "steps": [STEP]},
    ],
}  # fmt: skip


def _sim(start_sim: StartSim, folder: Path, clock: FakeClock) -> ThreadedSim:
    path = folder / "scenario.json"
    path.write_text(json.dumps(SCENARIO))
    return start_sim(scenario=str(path), clock=clock)


async def test_timeline_and_sparkline_follow_a_batch(start_sim: StartSim, tmp_path: Path) -> None:
    sim_clock = FakeClock(1.0)
    sim = _sim(start_sim, tmp_path, sim_clock)
    stack = build(sim.url, tmp_path, ids=[SLOW], interval=0.05)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        detail = app.dashboard.detail
        timeline = detail.query_one("#detail-timeline", Static)
        await wait_for(pilot, lambda: "first seen" in str(timeline.render()))
        recorder = app.dashboard.history
        assert recorder is not None
        for moment, seen in ((30, 2), (60, 3), (200, 4)):  # first seen, 20-odd %, 50-odd %, finished
            sim_clock.advance(moment - sim_clock())
            await wait_for(pilot, lambda: len(recorder.timeline(SLOW)) >= seen)  # noqa: B023
        await wait_for(pilot, lambda: cell(app, SLOW, "state") == "✔ succeeded")
        await wait_for(pilot, lambda: "finished" in str(timeline.render()))
        text = str(timeline.render())
        assert text.index("first seen") < text.index("progress") < text.index("finished")
        assert detail.has_class("-history")
        data = list(detail.query_one("#detail-spark", Sparkline).data or [])
        assert data and data[-1] == 100 and data == sorted(data)
    events = HistoryStore(tmp_path / "history").read(SLOW)
    assert events[0]["kind"] == "first_seen" and events[-1]["state"] == "succeeded"


async def test_desktop_alerts_for_failure_and_cancel_request(
    start_sim: StartSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terminal alert reaches the terminal through Textual's driver (in order with its frames),
    the driver the app announced from `get_driver_class`: here the headless driver `run_test` picks,
    announced the same way."""
    monkeypatch.setattr(headless_driver, "HeadlessDriver", announcing(HeadlessDriver))
    written = spy(monkeypatch, HeadlessDriver, "write", lambda _self, data: data)
    sim_clock = FakeClock(1.0)
    sim = _sim(start_sim, tmp_path, sim_clock)
    ran: list[Sequence[str]] = []
    alerts = Alerts(
        {"failed": "desktop", "cancel_requested": "terminal", "finished": "off"},
        run=ran.append, platform="linux", which=lambda name: f"/usr/bin/{name}", env={"TERM": "foot"},
    )  # fmt: skip
    stack = build(sim.url, tmp_path, ids=[FAILS, LATE_CANCEL], interval=0.05, alerts=alerts)
    stack.watchlist.set_label(FAILS, "Depot\x1b[31m")
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, LATE_CANCEL, "state") == "▶ running")
        await wait_for(pilot, lambda: cell(app, FAILS, "state") == "▶ running")
        sim_clock.advance(3)  # the cancel request
        await wait_for(pilot, lambda: any(d.channel == "terminal" for d in app.dashboard.alerted))
        sim_clock.advance(10)  # both finish: the failure alerts, the success is off
        await wait_for(pilot, lambda: ran)
        await wait_for(pilot, lambda: len(app.dashboard.finished) == 2)
    escape = next(d.escape for d in app.dashboard.alerted if d.channel == "terminal")
    assert escape is not None and escape.startswith("\x1b]777;notify;slv-tui: cancel requested;")
    assert escape.count("\x1b") == 1 and escape.endswith("\x07") and escape.count("\x07") == 1
    assert escape in written
    (command,) = ran
    assert list(command[:4]) == ["/usr/bin/notify-send", "--app-name=slv-tui", "--", "slv-tui: batch failed"]
    assert command[4].startswith(f"{FAILS} (Depot):") and "CTRL-7 unreachable" in command[4]
    assert not any("\x1b" in part or "\x07" in part for part in command)
    assert [d.channel for d in app.dashboard.alerted] == ["terminal", "desktop"]


async def test_archive_a_finished_batch_and_browse_it(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    ok, running = "1481016600181", "1481019204417"
    stack = build(sim.url, tmp_path, ids=[ok, running])
    toasts = Toasts()
    async with stack.app.run_test(size=(160, 45), notifications=True, message_hook=toasts) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: cell(app, ok, "state") == "✔ succeeded")
        await wait_for(pilot, lambda: cell(app, running, "state") == "▶ running")
        table.move_cursor(row=table.get_row_index(running))
        await press(pilot, "x")  # a running batch stays
        await wait_for(pilot, lambda: any("Only a finished batch" in str(n.message) for n in toasts))
        assert not any(e.archived for e in stack.watchlist.entries)
        table.move_cursor(row=table.get_row_index(ok))
        await press(pilot, "x")
        await wait_for(pilot, lambda: ok not in table.rows)
        await app.dashboard.edits.settled()
        assert [e.batch_id for e in stack.watchlist.entries if e.archived] == [ok]
        reloaded = Watchlist(tmp_path / "watchlist.json")
        assert [e.archived for e in reloaded.load() if e.batch_id == ok] == [True]  # persisted
        await press(pilot, "X")  # the archive: the batch with its history
        await wait_for(pilot, lambda: list(table.rows) == [ok] and table.selected_id == ok)
        assert app.dashboard.has_class("-archive")
        timeline = app.dashboard.detail.query_one("#detail-timeline", Static)
        await wait_for(pilot, lambda: "first seen" in str(timeline.render()))
        await press(pilot, "x")  # brought back
        await wait_for(pilot, lambda: ok not in table.rows)
        await press(pilot, "X")
        await wait_for(pilot, lambda: set(table.rows) == {ok, running})
        assert not any(e.archived for e in stack.watchlist.entries)


async def test_the_app_runs_on_an_announced_driver_and_rings_the_bell_without_one(
    start_sim: StartSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The platform driver Textual picks is the one the app announces; a driver Textual picks on its
    own (headless, inline) was never announced: the alert rings the bell, writes no escape."""
    stack = build(start_sim().url, tmp_path)
    platform = App.get_driver_class(stack.app)
    assert issubclass(stack.app.driver_class, platform) and stack.app.driver_class is not platform
    written = spy(monkeypatch, HeadlessDriver, "write", lambda _self, data: data)
    bells = spy(monkeypatch, App, "bell", lambda _self: "bell")  # Textual rings none when headless
    async with stack.app.run_test(size=(80, 24)) as pilot:
        TerminalDelivery(stack.app).alert("\x1b]9;slv-tui: test\x07")
        await pilot.pause()
    assert bells == ["bell"] and not any("\x1b]9" in data for data in written)


async def test_a_burst_of_archives_archives_each_row_it_lands_on(start_sim: StartSim, tmp_path: Path) -> None:
    """`x x x` typed fast over finished batches: each key archives the row it is on (the row goes at
    once, before the file is written), not the first one three times."""
    finished = {"1481016600181": "✔ succeeded", "1481021145590": "⊘ cancelled", "1481021896034": "✖ failed"}
    stack = build(start_sim(scenario="static").url, tmp_path, ids=list(finished))
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: all(cell(app, b, "state") == s for b, s in finished.items()))
        table.move_cursor(row=0)
        for _ in finished:
            await press(pilot, "x")
        assert not table.rows  # before any save: what is shown moved with the keys
        await app.dashboard.edits.settled()
        assert [e.archived for e in Watchlist(tmp_path / "watchlist.json").load()] == [True] * 3


async def test_a_burst_of_removes_removes_each_row_it_lands_on(start_sim: StartSim, tmp_path: Path) -> None:
    """`d d d` typed fast: three batches go, not the first one three times (the row leaves at once)."""
    ids = ["1481016600181", "1481021145590", "1481021896034", "1481022433710"]
    stack = build(start_sim(scenario="static").url, tmp_path, ids=ids)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: table.row_count == 4)
        table.move_cursor(row=0)
        for _ in range(3):
            await press(pilot, "d")
        await app.dashboard.edits.settled()
        assert table.row_count == 1 and len(stack.watchlist.entries) == 1
        assert len(Watchlist(tmp_path / "watchlist.json").load()) == 1
        await press(pilot, "u")  # the undo stack holds the three removals
        await app.dashboard.edits.settled()
        assert len(stack.watchlist.entries) == 2


async def test_undo_typed_right_after_remove_takes_it_back(start_sim: StartSim, tmp_path: Path) -> None:
    """`d u` typed in one burst: the undo waits for the removal's save, then takes it back."""
    ids = ["1481016600181", "1481021145590"]
    stack = build(start_sim(scenario="static").url, tmp_path, ids=ids)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        table = stack.app.dashboard.table
        await wait_for(pilot, lambda: table.row_count == 2)
        await press(pilot, "d", "u")
        await stack.app.dashboard.edits.settled()
        await wait_for(pilot, lambda: table.row_count == 2)
        assert sorted(e.batch_id for e in Watchlist(tmp_path / "watchlist.json").load()) == ids
