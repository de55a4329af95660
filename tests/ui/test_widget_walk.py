"""What a newcomer sees in the detail pane, the footers and the commissioning dialog: a not-found
batch is neutral in 256 colours, each place's footer shows the keys that work there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.color import ColorSystem
from support.fake_fetch import ScenarioFetch
from textual.color import Color
from textual.widgets import Static, TextArea
from textual.widgets._footer import FooterKey

from slv_tui.sim import ThreadedSim
from slv_tui.ui.screens.commission_dialog import CommissionScreen, ConfirmCommissionScreen

from .test_commission import visible
from .ui_helpers import OFFLINE, build, cell, press, screen_text, wait_for

StartSim = Callable[..., ThreadedSim]
OK = "1481016600181"
ERRORS = "1481023025871"  # completed with errors: messages to search
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


def _footer(app: object) -> dict[str, str]:
    """The footer's keys and what each says, as drawn on the current screen."""
    keys = app.screen.query(FooterKey)  # type: ignore[attr-defined]
    return {key.key: key.description for key in keys if key.region.area}


def _covered_by_a_toast(app: object, widget_id: str) -> bool:
    region = app.screen.query_one(widget_id).region  # type: ignore[attr-defined]
    toasts = app.screen.query("Toast")  # type: ignore[attr-defined]
    return any(toast.region.overlaps(region) for toast in toasts if toast.region.area and toast.visible)


async def test_the_confirmation_at_60x20_keeps_start_and_cancel_in_view(
    start_sim: StartSim, tmp_path: Path
) -> None:
    """A long device list scrolls above the buttons; a 30 s toast does not sit on them; the
    dialogs have their own footers."""
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK])
    devices = "\n".join(f"lamp-{n:03d}" for n in range(40))
    async with stack.app.run_test(size=(60, 20), notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, OK, "state") != "… pending")
        await press(pilot, "n")
        await wait_for(pilot, lambda: isinstance(app.screen, CommissionScreen))
        await wait_for(pilot, lambda: "ctrl+s" in _footer(app))
        assert _footer(app)["ctrl+s"] == "Next" and "a" not in _footer(app) and "q" not in _footer(app)
        await press(pilot, *"CTRL-7")
        app.screen.query_one("#commission-device-list", TextArea).load_text(devices)
        app.notify("A long warning that stays a while", severity="error", timeout=30)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommissionScreen))
        await wait_for(pilot, lambda: "y" in _footer(app))
        assert _footer(app)["y"] == "Start" and "slash" not in _footer(app)
        for button in ("#confirm-start-button", "#confirm-cancel-button"):
            await wait_for(pilot, lambda b=button: visible(stack, b))  # type: ignore[misc]
            assert not _covered_by_a_toast(app, button), button
        assert "lamp-000" in screen_text(app)


async def test_the_tree_and_find_box_footers_show_their_own_keys(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=fetch.server.batch_ids(), fetch=fetch)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        table, tree = app.dashboard.table, app.dashboard.detail.step_tree
        await wait_for(pilot, lambda: cell(app, ERRORS, "state") != "")
        await wait_for(
            pilot, lambda: _footer(app).get("q") == "Quit" and _footer(app).get("slash") == "Filter"
        )
        table.move_cursor(row=table.get_row_index(ERRORS))
        await wait_for(pilot, lambda: table.selected_id == ERRORS)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: tree.has_focus and _footer(app).get("q") == "Back")
        keys = _footer(app)
        assert keys.get("w") == "Issues" and keys.get("C") == "Brief" and "slash" in keys
        assert "n" not in keys and "N" not in keys  # no search yet: nothing to go to
        await press(pilot, "slash")
        await wait_for(pilot, lambda: "slash" not in _footer(app))
        assert _footer(app).get("escape") == "Back to the tree" and "q" not in _footer(app)
        await press(pilot, *"lamp", "escape")
        await wait_for(pilot, lambda: tree.has_focus and _footer(app).get("n") == "Next")
        await press(pilot, "q")  # back to the table, not out of the app
        await wait_for(pilot, lambda: table.has_focus and _footer(app).get("q") == "Quit")
