"""Pilot tests: starting a commissioning from the dashboard, read-only mode, and the report key."""

from __future__ import annotations

import asyncio
import functools
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from support.toasts import Toasts
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, TextArea

from slv_tui.sim import ThreadedSim
from slv_tui.sim.server import SimServer
from slv_tui.ui.screens.commission import CommissioningDashboard
from slv_tui.ui.screens.commission_dialog import CommissionScreen, ConfirmCommissionScreen
from slv_tui.ui.screens.help import HelpScreen

from .ui_helpers import Stack, build, cell, press, screen_text, wait_for

StartSim = Callable[..., ThreadedSim]
OK = "1481016600181"
ERRORS = "1481023025871"
CONTROLLER_API = "/reports/api/controllermanagement/"


def posts(sim: ThreadedSim) -> list[str]:
    return [path.rsplit("/", 1)[1] for method, path in sim.server.requests if path.startswith(CONTROLLER_API)]


def commission_dialog_ready(stack: Stack) -> bool:
    """The dialog is up with its fields mounted and the controller ID focused (ready for keys)."""
    focused = stack.app.focused
    return (
        isinstance(stack.app.screen, CommissionScreen)
        and focused is not None
        and (focused.id == "commission-controller")
    )


def visible(stack: Stack, widget_id: str) -> bool:
    """The widget lies wholly on screen (not scrolled or cut away)."""
    widget = stack.app.screen.query_one(widget_id)
    region, screen = widget.region, stack.app.screen.region
    return bool(region.area) and screen.contains_region(region)


async def open_and_confirm(pilot: Pilot[Any], stack: Stack, controller: str, devices: str = "") -> None:
    app = stack.app
    await press(pilot, "n")
    await wait_for(pilot, lambda: commission_dialog_ready(stack))
    await press(pilot, *controller)
    if devices:
        app.screen.query_one("#commission-device-list", TextArea).load_text(devices)
    await press(pilot, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommissionScreen))


@pytest.mark.parametrize("size", [(160, 45), (60, 20)])
async def test_commission_confirm_start_select(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK])
    async with stack.app.run_test(size=size, notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, OK, "state") != "… pending")
        await press(pilot, "n")
        await wait_for(pilot, lambda: commission_dialog_ready(stack))
        for widget in ("#commission-controller", "#part-config", "#part-devices", "#commission-ok"):
            await wait_for(pilot, functools.partial(visible, stack, widget))  # laid out on a later frame
        await press(pilot, *"CTRL-7")
        app.screen.query_one("#part-schedules", Checkbox).value = False
        await press(pilot, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommissionScreen))
        text = screen_text(app)
        assert f"Server: {sim.url}" in text
        assert "User: admin (profile default)" in text
        assert "commissionControllerAsync" in text and "controllerStrId: CTRL-7" in text
        assert "flags: 5 = Controller configuration + OLCs / devices" in text
        assert visible(stack, "#confirm-start-button") and visible(stack, "#confirm-cancel-button")
        assert isinstance(app.focused, Button) and app.focused.id == "confirm-cancel-button"
        assert posts(sim) == []  # nothing is sent before the confirmation
        await press(pilot, "y")
        await wait_for(pilot, lambda: len(stack.watchlist.ids()) == 2)
        new = stack.watchlist.ids()[1]
        assert posts(sim) == ["commissionControllerAsync"]
        assert new in sim.server.batch_ids()
        await wait_for(pilot, lambda: app.dashboard.table.selected_id == new)
        assert [e.label for e in stack.watchlist.entries] == ["", "CTRL-7"]


async def test_enter_on_the_confirmation_cancels(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=(160, 45), notifications=True) as pilot:
        await open_and_confirm(pilot, stack, "CTRL-7")
        await press(pilot, "enter")  # the focus is on Cancel
        await wait_for(pilot, lambda: "Nothing started" in screen_text(stack.app))
        assert posts(sim) == [] and stack.watchlist.ids() == []


async def test_device_list_variant(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=(160, 45), notifications=True) as pilot:
        await open_and_confirm(pilot, stack, "CTRL-7", "Lamp-1, Lamp-2\nlamp 3\nLamp-1")
        text = screen_text(stack.app)
        assert "commissionControllerDevicesListAsync" in text
        # one per line (or comma, semicolon, tab): an idOnController is free text, spaces kept
        assert "idOnController: 3 device(s): Lamp-1, Lamp-2, 'lamp 3'" in text
        await press(pilot, "y")
        await wait_for(pilot, lambda: len(stack.watchlist.ids()) == 1)
        assert posts(sim) == ["commissionControllerDevicesListAsync"]


async def test_invalid_fields_keep_the_dialog_open(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=(60, 20)) as pilot:
        app = stack.app
        await press(pilot, "n")
        await wait_for(pilot, lambda: commission_dialog_ready(stack))
        await press(pilot, "enter")
        await wait_for(pilot, lambda: "no controller ID given" in screen_text(app))
        await press(pilot, *"C1")
        for key in ("config", "schedules", "devices"):
            app.screen.query_one(f"#part-{key}", Checkbox).value = False
        await press(pilot, "enter")
        await wait_for(pilot, lambda: "choose at least one part" in screen_text(app))
        assert isinstance(app.screen, CommissionScreen)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CommissionScreen))
        assert posts(sim) == []


async def test_a_refusal_shows_its_label_and_adds_nothing(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK])
    async with stack.app.run_test(size=(160, 45), notifications=True) as pilot:
        await open_and_confirm(pilot, stack, "unknown-42")
        await press(pilot, "y")
        await wait_for(pilot, lambda: "601 Controller not found" in screen_text(stack.app))
        assert "The server refused" in screen_text(stack.app)
        assert posts(sim) == ["commissionControllerAsync"]
        assert stack.watchlist.ids() == [OK]


async def test_csrf_server(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static", auth="csrf", password="pw")
    stack = build(sim.url, tmp_path, password="pw", auth="auto")
    async with stack.app.run_test(size=(160, 45), notifications=True) as pilot:
        await open_and_confirm(pilot, stack, "CTRL-7")
        await press(pilot, "y")
        await wait_for(pilot, lambda: len(stack.watchlist.ids()) == 1)
        assert posts(sim) == ["commissionControllerAsync"]  # accepted the first time: CSRF headers sent


async def test_read_only_has_no_commissioning_at_all(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK], read_only=True)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        assert not isinstance(app.dashboard, CommissioningDashboard)
        await wait_for(pilot, lambda: cell(app, OK, "state") != "… pending")
        await wait_for(pilot, lambda: "?Help" in screen_text(app).replace(" ", ""))  # the footer is drawn
        assert "nCommission" not in screen_text(app).replace(" ", "")
        assert all(b.binding.action != "commission" for b in app.dashboard.active_bindings.values())
        await press(pilot, "n")
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))  # n opened nothing before it
        assert "Start commissioning" not in screen_text(app) and "Commission " not in screen_text(app)
        assert "Markdown report" in screen_text(app)
        await press(pilot, "escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert not [t for t in titles if "ommission" in t] and "Report (m)" in titles
    assert posts(sim) == []


async def test_commissioning_is_in_help_and_palette(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Start commissioning a controller or its devices" in screen_text(app)
        await press(pilot, "escape")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Commission (n)" in titles


async def test_report_key_writes_markdown_and_names_the_path(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[ERRORS])
    async with stack.app.run_test(size=(160, 45), notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, ERRORS, "state") == "⚠ done w/ errors")
        history = app.session.history
        assert history is not None
        await wait_for(pilot, lambda: history.timeline(ERRORS))  # the recorder's thread took the rounds
        await press(pilot, "m")
        found: list[Path] = []

        def written() -> bool:
            found[:] = tmp_path.glob("slv-report-*.md")
            return bool(found)

        await wait_for(pilot, written)
        path = found[0]
        await wait_for(pilot, lambda: "Report written to" in screen_text(app))
        shown = re.sub(r"[\s▕▌▎▏]", "", screen_text(app))  # the toast wraps the path inside its border
        assert re.sub(r"\s", "", str(path)) in shown
    text = path.read_text()
    assert text.startswith(f"# SLV batch {ERRORS}")
    assert f"| Server | {sim.url} |" in text
    assert "## Warnings and errors (3)" in text
    assert "| First seen | 20" in text  # from the history the dashboard recorded


async def test_n_again_while_the_post_waits_cancels_nothing(
    start_sim: StartSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server takes its time answering the commissioning POST; `n` pressed meanwhile is refused
    with a toast (no second dialog, no second POST), and the run it started is watched once answered."""
    entered, release = threading.Event(), threading.Event()
    answer = SimServer._commission

    async def slow(self: SimServer, request: web.Request) -> web.StreamResponse:
        entered.set()
        await asyncio.to_thread(release.wait, 30)
        return await answer(self, request)

    monkeypatch.setattr(SimServer, "_commission", slow)
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK])
    toasts = Toasts()
    try:
        async with stack.app.run_test(size=(160, 45), notifications=True, message_hook=toasts) as pilot:
            app = stack.app
            await wait_for(pilot, lambda: cell(app, OK, "state") != "… pending")
            await open_and_confirm(pilot, stack, "CTRL-7")
            await press(pilot, "y")
            await wait_for(pilot, entered.is_set)  # the POST is at the server, unanswered
            await press(pilot, "n")
            await wait_for(pilot, lambda: toasts.titled("Commissioning in progress"))
            assert app.screen is app.dashboard  # no second dialog
            release.set()
            await wait_for(pilot, lambda: len(stack.watchlist.ids()) == 2)
            new = stack.watchlist.ids()[1]
            assert new in sim.server.batch_ids() and posts(sim) == ["commissionControllerAsync"]
            await wait_for(pilot, lambda: toasts.titled("Started"))
            await wait_for(pilot, lambda: cell(app, new, "id") == new)  # watched: its row is there
    finally:
        release.set()
