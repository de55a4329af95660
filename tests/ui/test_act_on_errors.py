"""Pilot tests: acting on a batch's errors from its detail — F (the failed devices commissioned
again, reviewed and confirmed first), y (yank a message or the failed device IDs), o (the report
in $PAGER, the app suspended meanwhile)."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.toasts import Toasts
from textual.pilot import Pilot
from textual.widgets import TextArea
from textual.widgets._footer import FooterKey

from slv_tui.sim import ThreadedSim
from slv_tui.ui.app import SlvApp
from slv_tui.ui.screens.commission_dialog import CommissionScreen, ConfirmCommissionScreen
from slv_tui.ui.screens.help import HelpScreen
from slv_tui.ui.widgets.step_tree import StepTree

from .ui_helpers import build, cell, press, screen_text, wait_for

StartSim = Callable[..., ThreadedSim]
ERRORS = "1481023025871"
OK = "1481016600181"
FAILED = ["Lamp-0311", "Lamp-0315"]
CONTROLLER_API = "/reports/api/controllermanagement/"
STATE = {ERRORS: "⚠ done w/ errors", OK: "✔ succeeded"}


@pytest.fixture
def copied(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What reached the system clipboard (the delivery seam's copy)."""
    seen: list[str] = []

    def copy(text: str) -> bool:
        seen.append(text)
        return True

    monkeypatch.setattr("slv_tui.ui.clipboard.system_copy", copy)
    return seen


def footer_keys(app: object) -> set[str]:
    return {key.key for key in app.screen.query(FooterKey)}  # type: ignore[attr-defined]


def kind_under_cursor(tree: StepTree) -> str | None:
    node = tree.cursor_node
    return None if node is None or node.data is None else node.data.kind


async def into_tree(pilot: Pilot[Any], app: object) -> None:
    await press(pilot, "enter")
    tree = app.dashboard.detail.step_tree  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: tree.has_focus)


@contextlib.asynccontextmanager
async def in_the_tree(
    start_sim: StartSim,
    folder: Path,
    batch: str,
    *,
    size: tuple[int, int] = (160, 45),
    toasts: Toasts | None = None,
    read_only: bool = False,
) -> AsyncIterator[tuple[Pilot[None], SlvApp]]:
    """The dashboard on the static simulator watching `batch`, read, with its detail tree focused."""
    sim = start_sim(scenario="static")
    stack = build(sim.url, folder, ids=[batch], read_only=read_only)
    async with stack.app.run_test(size=size, message_hook=toasts) as pilot:
        await wait_for(pilot, lambda: cell(stack.app, batch, "state") == STATE[batch])
        await into_tree(pilot, stack.app)
        yield pilot, stack.app


async def test_F_prefills_the_device_list_with_the_failed_devices_then_confirms(
    start_sim: StartSim, tmp_path: Path
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[ERRORS])
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, ERRORS, "state") == "⚠ done w/ errors")
        await press(pilot, "F")  # from the table: not offered (the detail's key)
        await pilot.pause()
        assert not isinstance(app.screen, CommissionScreen)
        await into_tree(pilot, app)
        assert {"F", "y", "o"} <= set(footer_keys(app))  # the tree's footer names them
        await press(pilot, "F")
        await wait_for(pilot, lambda: isinstance(app.screen, CommissionScreen))
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.query_one("#commission-device-list", TextArea).text != "")
        assert dialog.query_one("#commission-device-list", TextArea).text.split("\n") == FAILED
        assert dialog.query_one("#commission-controller").value == "CTRL-TOULOUSE-09"  # type: ignore[attr-defined]
        assert "failed devices again" in screen_text(app)
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommissionScreen))
        text = screen_text(app)
        assert "commissionControllerDevicesListAsync" in text and all(d in text for d in FAILED)
        sent_before = [p for _m, p in sim.server.requests if p.startswith(CONTROLLER_API)]
        assert sent_before == []  # nothing is sent before the confirmation
        await press(pilot, "y")
        await wait_for(pilot, lambda: len(app.board.snapshots()) == 2)  # the new batch is watched
    paths = [p for _m, p in sim.server.requests if p.startswith(CONTROLLER_API)]
    assert [p.rsplit("/", 1)[1] for p in paths] == ["commissionControllerDevicesListAsync"]


async def test_F_on_a_batch_without_device_errors_says_so(start_sim: StartSim, tmp_path: Path) -> None:
    toasts = Toasts()
    async with in_the_tree(start_sim, tmp_path, OK, toasts=toasts) as (pilot, app):
        await press(pilot, "F")
        await wait_for(pilot, lambda: toasts.said("No device of this batch reported an error"))
        assert not isinstance(app.screen, CommissionScreen)


async def test_read_only_has_no_F_but_y_and_o(start_sim: StartSim, tmp_path: Path) -> None:
    async with in_the_tree(start_sim, tmp_path, ERRORS, read_only=True) as (pilot, app):
        keys = set(footer_keys(app))
        assert "F" not in keys and {"y", "o"} <= keys
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        assert "Yank" in text and "Pager" in text and "Redo failed" not in text


@pytest.mark.parametrize("size", [(160, 45), (60, 20)])
async def test_y_yanks_the_failed_device_ids_then_the_highlighted_message(
    start_sim: StartSim, tmp_path: Path, copied: list[str], size: tuple[int, int]
) -> None:
    """Below 100 columns y, o and F work the same but leave the footer (which fits) to the tree's keys."""
    async with in_the_tree(start_sim, tmp_path, ERRORS, size=size) as (pilot, app):
        shown = {key.key: key for key in app.screen.query(FooterKey)}
        assert all(key.region.right <= size[0] for key in shown.values())
        assert ({"F", "y", "o"} <= set(shown)) is (size[0] >= 100)
        tree = app.dashboard.detail.step_tree
        await wait_for(pilot, lambda: tree.cursor_node is not None)
        assert kind_under_cursor(tree) != "message"  # the Errors group: the device IDs
        await press(pilot, "y")
        await wait_for(pilot, lambda: len(copied) == 1)
        assert copied[0] == "\n".join(FAILED)
        await press(pilot, "j")  # the first error message
        await wait_for(pilot, lambda: kind_under_cursor(tree) == "message")
        await press(pilot, "y")
        await wait_for(pilot, lambda: len(copied) == 2)
        assert copied[1].startswith("Lamp-0311 @ controller CTRL-TOULOUSE-09: configuration rejected")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Yank (y)" in titles and "Pager (o)" in titles and "Redo failed (F)" in titles


def pager_script(tmp_path: Path) -> tuple[str, Path]:
    """A pager that writes what it reads to a file."""
    out = tmp_path / "paged.md"
    script = tmp_path / "pager.sh"
    script.write_text(f"#!/bin/sh\ncat > '{out}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), out


async def test_o_pipes_the_report_to_the_pager_with_the_app_suspended(
    start_sim: StartSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pager, out = pager_script(tmp_path)
    monkeypatch.setenv("PAGER", pager)
    suspended: list[bool] = []

    @contextlib.contextmanager
    def suspend() -> Iterator[None]:  # the pilot's headless driver cannot suspend: count the calls
        suspended.append(True)
        yield

    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[ERRORS])
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        monkeypatch.setattr(app, "suspend", suspend)
        await wait_for(pilot, lambda: cell(app, ERRORS, "state") == "⚠ done w/ errors")
        await into_tree(pilot, app)
        await press(pilot, "o")
        await wait_for(pilot, lambda: out.exists() and out.read_text().endswith("\n"))
        assert suspended == [True]
    text = out.read_text()
    assert text.startswith(f"# SLV batch {ERRORS}") and "## Warnings and errors (3)" in text


@pytest.mark.parametrize("pager", ["", "unset"])
async def test_o_without_a_way_to_page_says_why(
    start_sim: StartSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pager: str
) -> None:
    """Headless (no suspend), or no pager at all: a clear toast, nothing run."""
    if pager == "unset":
        monkeypatch.delenv("PAGER", raising=False)
        monkeypatch.setenv("PATH", str(tmp_path))  # no less either
    else:
        monkeypatch.setenv("PAGER", pager_script(tmp_path)[0])
    toasts = Toasts()
    async with in_the_tree(start_sim, tmp_path, ERRORS, toasts=toasts) as (pilot, _app):
        await press(pilot, "o")
        await wait_for(pilot, lambda: bool(toasts.titled("No pager")))
        why = toasts.titled("No pager")[0].message
        assert ("set $PAGER" in why) if pager == "unset" else ("cannot hand the screen" in why)
    assert not (tmp_path / "paged.md").exists()
    assert os.environ.get("PAGER", "") == ("" if pager == "unset" else pager_script(tmp_path)[0])


@pytest.mark.parametrize("size", [(160, 45), (60, 20)])
async def test_a_keymap_moves_y_o_and_F_at_every_width(
    start_sim: StartSim, tmp_path: Path, copied: list[str], size: tuple[int, int]
) -> None:
    """`[keymap]` rebinding yank, pager and commission-failed moves the keys below 100 columns too
    (where the footer-less copies of y, o and F do the work): the old keys do nothing, the new ones act."""
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[ERRORS])
    stack.app.set_keymap({"yank": "Y", "pager": "O", "commission-failed": "ctrl+r"})
    toasts = Toasts()
    async with stack.app.run_test(size=size, message_hook=toasts) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, ERRORS, "state") == "⚠ done w/ errors")
        await into_tree(pilot, app)
        tree = app.dashboard.detail.step_tree
        await wait_for(pilot, lambda: tree.cursor_node is not None)
        bound = {key: b.binding.action for key, b in app.screen.active_bindings.items() if b.enabled}
        assert not {"y", "o", "F"} & bound.keys()  # the old keys: nothing (at no width)
        assert {"Y", "O", "ctrl+r"} <= bound.keys()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert [t for t in titles if t.startswith(("Yank", "Pager", "Redo failed"))] == [
            "Yank (Y)", "Pager (O)", "Redo failed (^r)"
        ]  # fmt: skip
        await press(pilot, "Y")
        await wait_for(pilot, lambda: copied == ["\n".join(FAILED)])
        await press(pilot, "O")
        await wait_for(pilot, lambda: bool(toasts.titled("No pager")))  # headless: o's answer, moved to O
        await press(pilot, "ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, CommissionScreen))
