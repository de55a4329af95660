"""Pilot tests: the `n` dialog's other kinds of batch (calendar commissioning, device import)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Label

from slv_tui.sim import ThreadedSim
from slv_tui.ui.screens.commission_dialog import CommissionScreen, ConfirmCommissionScreen
from slv_tui.ui.widgets.commission_kind import CommissionKind

from .ui_helpers import Stack, build, press, screen_text, wait_for

StartSim = Callable[..., ThreadedSim]
IMPORT = "/reports/api/loggingmanagement/importDevicesFromCsvFileAsync"
SCHEDULER = "/reports/api/dimmingscheduler/commissionControllersSchedulers"
CSV = "controllerStrId,idOnController,name\nCTRL-1,lamp 1,Lamp one\nCTRL-1,L2,Lamp two\n"


def flat(text: str) -> str:
    """Text without whitespace and borders: a dialog wraps long lines where it must."""
    return re.sub(r"[\s\u2500-\u259f]", "", text)


def starts(sim: ThreadedSim) -> list[tuple[str, str]]:
    """Every call that may start a batch, as (method, path)."""
    return [r for r in sim.server.requests if "management/" in r[1] or "dimmingscheduler" in r[1]]


def shown(stack: Stack, selector: str) -> bool:
    """The widget is displayed and lies wholly on screen."""
    widget = stack.app.screen.query_one(selector)
    region, screen = widget.region, stack.app.screen.region
    return widget.display and bool(region.area) and screen.contains_region(region)


def caption_shown(stack: Stack, text: str) -> bool:
    labels = [w for w in stack.app.screen.query(Label) if str(w.render()).startswith(text)]
    assert labels, text
    return all(label.display and label.region.area > 0 for label in labels)


async def choose(pilot: Pilot[Any], stack: Stack, kind: str) -> None:
    """Open the dialog and pick a kind by clicking it."""
    app = stack.app
    await press(pilot, "n")
    await wait_for(pilot, lambda: isinstance(app.screen, CommissionScreen))
    await wait_for(pilot, lambda: shown(stack, f"#{kind}"))
    await pilot.click(f"#{kind}")
    await wait_for(pilot, lambda: app.screen.query_one(CommissionKind).kind != "controller")


@pytest.mark.parametrize("size", [(160, 45), (60, 20)])
async def test_calendar_commissioning_confirm_start(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=size, notifications=True) as pilot:
        app = stack.app
        await choose(pilot, stack, "kind-scheduler")
        await wait_for(pilot, lambda: shown(stack, "#commission-scheduler"))
        assert not app.screen.query_one("#part-config").display  # the parts are not this kind's
        assert not app.screen.query_one("#commission-device-list").display
        assert not caption_shown(stack, "Parts") and not caption_shown(stack, "Or only these devices")
        assert shown(stack, "#commission-controller") and caption_shown(stack, "Controller ID")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#commission-scheduler"))
        await press(pilot, *"12")
        app.screen.query_one("#commission-controller").focus()
        await press(pilot, *"CTRL 7", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommissionScreen))
        await wait_for(pilot, lambda: shown(stack, "#confirm-start-button"))
        text = flat(screen_text(app))
        assert flat(f"Server: {sim.url}") in text and flat("User: admin (profile default)") in text
        assert flat("GET: /api/dimmingscheduler/commissionControllersSchedulers") in text
        assert flat("schedulerId: 12") in text and flat("controllerStrId: CTRL 7") in text
        assert shown(stack, "#confirm-start-button") and shown(stack, "#confirm-cancel-button")
        assert isinstance(app.focused, Button) and app.focused.id == "confirm-cancel-button"
        assert starts(sim) == []  # nothing before the confirmation
        await press(pilot, "y")
        await wait_for(pilot, lambda: len(stack.watchlist.ids()) == 1)
        new = stack.watchlist.ids()[0]
        assert starts(sim) == [("GET", SCHEDULER)]
        assert sim.server.started[-1] == ("commission_scheduler", {"controller": "CTRL 7", "scheduler": "12"})
        assert new in sim.server.batch_ids()
        await wait_for(pilot, lambda: app.dashboard.table.selected_id == new)
        assert [e.label for e in stack.watchlist.entries] == ["CTRL 7"]


async def test_a_bad_scheduler_id_keeps_the_dialog_open(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=(60, 20)) as pilot:
        app = stack.app
        await choose(pilot, stack, "kind-scheduler")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#commission-scheduler"))
        await press(pilot, *"1a")
        app.screen.query_one("#commission-controller").focus()
        await press(pilot, *"CTRL-7", "enter")
        await wait_for(pilot, lambda: "invalid scheduler ID '1a'" in screen_text(app))
        assert isinstance(app.screen, CommissionScreen) and starts(sim) == []


@pytest.mark.parametrize("size", [(160, 45), (60, 20)])
async def test_device_import_confirm_start(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    csv = tmp_path / "new lamps.csv"
    csv.write_text(CSV, encoding="utf-8")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=size, notifications=True) as pilot:
        app = stack.app
        await choose(pilot, stack, "kind-csv")
        await wait_for(pilot, lambda: shown(stack, "#commission-csv"))
        for hidden in ("#commission-controller", "#part-devices", "#commission-device-list"):
            assert not app.screen.query_one(hidden).display, hidden  # no controller for an import
        assert not caption_shown(stack, "Controller ID")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#commission-csv"))
        await press(pilot, *csv.name, "enter")  # relative: the test runs in tmp_path (ui/conftest.py)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommissionScreen))
        await wait_for(pilot, lambda: shown(stack, "#confirm-start-button"))
        text = flat(screen_text(app))
        assert flat("POST: /api/loggingmanagement/importDevicesFromCsvFileAsync") in text
        assert flat(f"body: the CSV file 'new lamps.csv': {len(CSV)} bytes, 2 device row(s)") in text
        assert flat("fields: controllerStrId, idOnController, name") in text
        assert shown(stack, "#confirm-start-button") and shown(stack, "#confirm-cancel-button")
        assert starts(sim) == []
        await press(pilot, "y")
        await wait_for(pilot, lambda: len(stack.watchlist.ids()) == 1)
        assert starts(sim) == [("POST", IMPORT)]
        fields = ["controllerStrId", "idOnController", "name"]
        assert sim.server.started[-1] == ("import_devices", {"fields": fields, "rows": 2, "refused": 0})
        assert [e.label for e in stack.watchlist.entries] == ["import new lamps.csv"]


async def test_a_missing_csv_file_keeps_the_dialog_open(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=(60, 20)) as pilot:
        app = stack.app
        await choose(pilot, stack, "kind-csv")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#commission-csv"))
        await press(pilot, "enter")
        await wait_for(pilot, lambda: "no CSV file given" in screen_text(app))
        await press(pilot, *"nowhere.csv", "enter")
        await wait_for(pilot, lambda: "nowhere.csv: no such file" in screen_text(app))
        assert isinstance(app.screen, CommissionScreen) and starts(sim) == []
        await pilot.click("#kind-controller")  # another kind: that error no longer applies
        await wait_for(pilot, lambda: "no such file" not in screen_text(app))


async def test_a_refused_import_shows_the_reason_and_adds_nothing(
    start_sim: StartSim, tmp_path: Path
) -> None:
    sim = start_sim(scenario="static")
    csv = tmp_path / "bad.csv"
    csv.write_text("controllerStrId,idOnController,colour\nC,L,red\n", encoding="utf-8")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=(160, 45), notifications=True) as pilot:
        app = stack.app
        await choose(pilot, stack, "kind-csv")
        await wait_for(pilot, lambda: app.focused is app.screen.query_one("#commission-csv"))
        await press(pilot, *csv.name, "enter")  # relative: the test runs in tmp_path (ui/conftest.py)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommissionScreen))
        await press(pilot, "y")
        await wait_for(pilot, lambda: "Unknown field 'colour'" in screen_text(app))
        assert "The server refused" in screen_text(app)
        assert starts(sim) == [("POST", IMPORT)] and stack.watchlist.ids() == []


async def test_back_to_controller_shows_its_fields_again(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        await choose(pilot, stack, "kind-csv")
        await wait_for(pilot, lambda: not app.screen.query_one("#part-config").display)
        await pilot.click("#kind-controller")
        await wait_for(pilot, lambda: app.screen.query_one(CommissionKind).kind == "controller")
        await wait_for(pilot, lambda: shown(stack, "#part-config") and shown(stack, "#commission-controller"))
        assert caption_shown(stack, "Parts") and caption_shown(stack, "Controller ID")
        assert not app.screen.query_one("#commission-kind-csv").display  # its row is hidden again
