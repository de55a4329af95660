"""Keys land in the order typed: a burst (a paste, SSH or mosh bunching keys, a loaded machine)
posted without a pause between keys must not run table keys once the filter is opened."""

from __future__ import annotations

from pathlib import Path

from support.fake_fetch import ScenarioFetch
from textual import events
from textual.widgets import Input

from .ui_helpers import OFFLINE, build, wait_for

OK = "1481016600181"  # succeeded in the static scenario
SIZE = (120, 30)


def burst(app: object, text: str) -> None:
    """Post every key at once, as a terminal delivers a burst: nothing runs between them."""
    for char in text:
        key = "slash" if char == "/" else char
        app.post_message(events.Key(key, char))  # type: ignore[attr-defined]


async def test_slash_then_letters_in_one_burst_go_to_the_filter(tmp_path: Path) -> None:
    stack = build(OFFLINE, tmp_path, ids=[OK], fetch=ScenarioFetch("static"))
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 1)
        burst(app, "/ed")
        box = app.screen.query_one("#filter", Input)
        await wait_for(pilot, lambda: box.value == "ed")
        assert [e.batch_id for e in stack.watchlist.entries] == [OK]  # d removed nothing
        assert not list(tmp_path.glob("slv-batch-*.json"))  # noqa: ASYNC240  (e exported nothing)


async def test_enter_right_after_a_burst_keeps_everything_typed(tmp_path: Path) -> None:
    stack = build(OFFLINE, tmp_path, ids=[OK], fetch=ScenarioFetch("static"))
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 1)
        burst(app, "/zzz")
        app.post_message(events.Key("enter", "\r"))
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 0 and app.dashboard.table.has_focus)
        assert app.dashboard.filter_text == "zzz"
