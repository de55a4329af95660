"""Pilot tests of what an operator meets on a long-running console: narrow screens, ETAs, finish
toasts, cancellation banners, password trouble. The real app; the simulator's scenarios answered
in-process (a fake fetch) unless the HTTP side (the password) is under test."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from support.fake_fetch import ScenarioFetch
from textual.widgets import Static
from textual.widgets._footer import FooterKey
from textual.widgets.data_table import ColumnKey

from slv_tui.sim import ThreadedSim
from slv_tui.ui.screens.help import HelpScreen
from slv_tui.ui.screens.password import PasswordScreen
from slv_tui.ui.widgets.header_bar import HeaderBar

from .ui_helpers import OFFLINE, FakeClock, build, cell, press, screen_text, wait_for

StartSim = Callable[..., ThreadedSim]
CANCELLING = "1481020373648"
CANCELLED = "1481021145590"
SLOW, FAILS, LATE_CANCEL = "2000000000001", "2000000000002", "2000000000003"
STEP = {"name": "push", "label": "Commissioning", "at": 0, "messages": [{"at": 0, "text": "go"}]}
SCENARIO = {
    "frozen": False,
    "batches": [
        {"id": SLOW, "start": 0, "duration": 100, "steps": [STEP]},
        {
            "id": FAILS,
            "start": 0,
            "duration": 5,
            "outcome": "failed",
            "error_code": "605",
            "error_code_label": "Controller CTRL-7 unreachable",
            "steps": [STEP],
        },
        {"id": LATE_CANCEL, "start": 0, "duration": 5, "cancel_requested_at": 1, "steps": [STEP]},
    ],
}


def _scenario_fetch(folder: Path, clock: FakeClock) -> ScenarioFetch:
    path = folder / "operator.json"
    path.write_text(json.dumps(SCENARIO))
    return ScenarioFetch(str(path), clock=clock)


def _banner(app: object) -> Static:
    return app.dashboard.detail.query_one("#detail-banner", Static)  # type: ignore[attr-defined,no-any-return]


async def test_narrow_screen_keeps_what_matters(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(
        OFFLINE, tmp_path, ids=fetch.server.batch_ids(), server_label="https://cms.example.org/reports",
        fetch=fetch,
    )  # fmt: skip
    async with stack.app.run_test(size=(100, 30)) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: all(s.batch is not None for s in stack.poller.snapshots()))
        await wait_for(pilot, lambda: cell(app, CANCELLING, "state") == "⊝ cancelling")
        for key in ("id", "state", "progress", "fetch", "warn", "err", "message"):
            assert key in table.shown_columns
        assert table.virtual_size.width <= table.size.width  # no sideways scrolling
        symbols = ("▶", "⊝", "✖", "⚠", "⊘", "✔")  # every count survives; the server name gives way first

        def main() -> str:
            return str(app.query_one(HeaderBar).query_one("#header-main").render())

        # the header is drawn with the view (at most once a second): the last round may not be in it yet
        await wait_for(pilot, lambda: all(symbol in main() for symbol in symbols))
        footer_keys = {key.key: key for key in app.screen.query(FooterKey)}
        for key in ("question_mark", "q", "a", "slash"):
            assert footer_keys[key].region.right <= 100, key  # help and quit are not pushed off
        await pilot.resize_terminal(220, 60)
        await wait_for(pilot, lambda: len(table.shown_columns) == 13)
        assert table.columns[ColumnKey("message")].width > 30  # the room goes to the message
        assert table.selected_id is not None and cell(app, CANCELLING, "state") == "⊝ cancelling"


async def test_eta_comes_from_recent_progress_and_hides_when_stale(tmp_path: Path) -> None:
    sim_clock, clock = FakeClock(0.0), FakeClock()
    fetch = _scenario_fetch(tmp_path, sim_clock)
    sim_clock.advance(10)  # batches start when the simulator does
    stack = build(OFFLINE, tmp_path, ids=[SLOW], clock=clock, interval=2.0, fetch=fetch)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app

        async def step(seconds: float, progress: str) -> None:
            sim_clock.advance(seconds)
            clock.advance(seconds)
            stack.poller.refresh()
            await wait_for(pilot, lambda: cell(app, SLOW, "progress").endswith(progress))

        await wait_for(pilot, lambda: cell(app, SLOW, "progress").endswith("10%"))
        await step(1, "11%")  # moved, but one second says little about the rate
        assert cell(app, SLOW, "eta") == ""
        await step(9, "20%")
        await wait_for(pilot, lambda: cell(app, SLOW, "eta") == "~1m 20s")  # 1 %/s, 80 % to go
        stack.poller.pause()  # no answer from here on (a fetch would make the data fresh again)
        clock.advance(10)  # no answer for five intervals: the ETA is not trusted any more
        await wait_for(pilot, lambda: cell(app, SLOW, "fetch") == "⌛ STALE")
        await wait_for(pilot, lambda: cell(app, SLOW, "eta") == "")


async def test_finish_toasts_name_the_outcome(tmp_path: Path) -> None:
    sim_clock = FakeClock(1.0)
    fetch = _scenario_fetch(tmp_path, sim_clock)
    stack = build(OFFLINE, tmp_path, ids=[FAILS], interval=0.05, fetch=fetch)
    stack.watchlist.set_label(FAILS, "Depot")
    async with stack.app.run_test(size=(160, 45), notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, FAILS, "state") == "▶ running")
        sim_clock.advance(10)
        await wait_for(pilot, lambda: app.dashboard.finished)
        await wait_for(pilot, lambda: "✖ Batch failed" in screen_text(app))
        text = screen_text(app)
        assert f"{FAILS} (Depot)" in text
        assert "Controller CTRL-7 unreachable" in text  # why, not just that
        assert "finished: " not in text
        toasts = list(app.screen.query("Toast"))
        assert toasts and all(t.has_class("-error") for t in toasts)


async def test_cancellation_is_a_banner(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[CANCELLING, CANCELLED], fetch=fetch)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: cell(app, CANCELLED, "state") == "⊘ cancelled")
        table.move_cursor(row=table.get_row_index(CANCELLING))
        await wait_for(pilot, lambda: "CANCEL REQUESTED" in str(_banner(app).render()))
        assert _banner(app).display and _banner(app).has_class("-cancelling")
        assert "still running" in str(_banner(app).render())
        table.move_cursor(row=table.get_row_index(CANCELLED))
        await wait_for(pilot, lambda: "⊘ CANCELLED" in str(_banner(app).render()))
        assert _banner(app).display and _banner(app).has_class("-cancelled")


async def test_cancel_requested_but_finished_is_not_called_waiting(tmp_path: Path) -> None:
    sim_clock = FakeClock(0.0)
    fetch = _scenario_fetch(tmp_path, sim_clock)
    sim_clock.advance(10)  # cancel asked at 1 s, finished at 5 s
    stack = build(OFFLINE, tmp_path, ids=[LATE_CANCEL], fetch=fetch)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, LATE_CANCEL, "state") == "✔ succeeded")
        await wait_for(pilot, lambda: "CANCEL REQUESTED" in str(_banner(app).render()))
        banner = str(_banner(app).render())
        assert "ended anyway: ✔ succeeded" in banner and "waiting" not in banner


async def test_password_trouble_is_explained_each_time(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static", password="Corr3ct-H0rse")
    stack = build(sim.url, tmp_path, ids=[CANCELLED], password="wrong-guess")
    async with stack.app.run_test(size=(80, 30), notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: "press P to enter the password" in screen_text(app))
        tree = app.dashboard.detail.step_tree
        await wait_for(pilot, lambda: any("not fetched yet" in str(n.label) for n in tree.root.children))
        app.clear_notifications()
        await press(pilot, "P")
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen))
        reason = stack.poller.server.reason
        assert reason and reason in " ".join(screen_text(app).split())  # the whole reason, not clipped
        await press(pilot, *"still-wrong", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, PasswordScreen))
        await wait_for(pilot, lambda: "press P to enter the password" in screen_text(app))  # said again


async def test_help_and_palette_offer_every_key(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[CANCELLED], fetch=fetch)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Refresh all (R)", "Export all (E)", "Password (P)", "Label (l)"):
            assert title in titles  # not in the footer, still in the palette
        assert any(t.startswith("Details (") for t in titles)
        assert not any(t.startswith("Back (") for t in titles)
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await wait_for(pilot, lambda: "Go into the selected batch's step tree" in screen_text(app))
