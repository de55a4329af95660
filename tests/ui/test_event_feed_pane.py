"""The event feed in the dashboard, against the real simulator: a failure, an outage and a recovery
are recorded in order, `slv-tui events --json` lists them, a restarted dashboard shows them behind L,
the header counts unread problems until the feed is opened, and a problem toast lands in the feed."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable

from slv_tui.commands.events import run_events
from slv_tui.common import paths
from slv_tui.sim import ThreadedSim
from slv_tui.ui.app import SlvApp
from slv_tui.ui.feed_hub import FeedHub
from slv_tui.ui.screens import feed_screens
from slv_tui.ui.screens.feed import FeedScreen

from .ui_helpers import build, press, screen_text, wait_for

FAILED = "1481021896034"
RUNNING = "1481019204417"


def feed_app(url: str, folder: Path) -> tuple[SlvApp, FeedHub]:
    """The real stack (support.pilot.build) with an event feed in the (test's) data folder, as
    `slv-tui` builds it: the read mark comes from the UI state file of the previous run."""
    state_file = folder / "ui-state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    hub = FeedHub(paths.data_dir(), state.get("feed_read"))
    stack = build(url, folder, ids=[FAILED, RUNNING], profile="lab", timeout=5.0, feed=hub)
    return stack.app, hub  # the running batch keeps the poller asking


def kinds(hub: FeedHub) -> list[str]:
    return [str(r["kind"]) for r in hub.records]


async def test_failure_outage_recovery_are_kept_and_shown_after_a_restart(
    start_sim: Callable[..., ThreadedSim], tmp_path: Path
) -> None:
    sim = start_sim(scenario="static")
    app, hub = feed_app(sim.url, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "failed" in kinds(hub))
        assert feed_screens.unread(app) == 1  # the failure
        sim.stop()
        await wait_for(pilot, lambda: "server_down" in kinds(hub))
        assert feed_screens.unread(app) == 2
        await wait_for(pilot, lambda: "2 unread problems · L" in screen_text(app))
        sim.restart()
        await wait_for(pilot, lambda: "server_up" in kinds(hub))
        await press(pilot, "L")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen))
        assert feed_screens.unread(app) == 0
        await press(pilot, "escape")
        await wait_for(pilot, lambda: "unread problem" not in screen_text(app))
        await wait_for(pilot, lambda: json.loads((tmp_path / "ui-state.json").read_text()).get("feed_read"))

    out = io.StringIO()
    assert run_events(True, out=out, err=io.StringIO()) == 0
    listed = [(r["kind"], r.get("batchId")) for r in json.loads(out.getvalue())]
    wanted = [("first_seen", FAILED), ("failed", FAILED), ("server_down", None), ("server_up", None)]
    assert [k for k in listed if k in wanted] == wanted
    assert all(r["server"] == "lab" for r in json.loads(out.getvalue()))

    app, hub = feed_app(sim.url, tmp_path)  # a restarted dashboard: the mark is remembered
    async with app.run_test(size=(120, 30)) as pilot:
        assert feed_screens.unread(app) == 0
        await press(pilot, "L")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen))
        text = screen_text(app)
        assert "failed" in text and "server unreachable" in text and "server back" in text
        table = app.screen.query_one(DataTable)
        rows = table.row_count
        await press(pilot, "v", "v")  # errors only
        await wait_for(pilot, lambda: 0 < table.row_count < rows)


async def test_a_problem_toast_lands_in_the_feed_and_counts_as_unread(
    start_sim: Callable[..., ThreadedSim], tmp_path: Path
) -> None:
    sim = start_sim(scenario="static")
    app, hub = feed_app(sim.url, tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "failed" in kinds(hub))
        before = feed_screens.unread(app)
        feed_screens.problem(app, "[b]disk full[/b]", title="Export")
        assert feed_screens.unread(app) == before + 1
        record = hub.records[-1]
        assert record["kind"] == "notice" and record["text"] == "Export: [b]disk full[/b]"
        await press(pilot, "L")
        await wait_for(pilot, lambda: "Export: [b]disk full[/b]" in screen_text(app))  # data, no markup
