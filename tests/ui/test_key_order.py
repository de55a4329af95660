"""Keys land in the order typed: a burst (a paste, SSH or mosh bunching keys, a loaded machine)
posted without a pause between keys must not run table keys once the filter is opened."""

from __future__ import annotations

from pathlib import Path

from support.fake_fetch import ScenarioFetch
from textual import events
from textual.widgets import Input

from .ui_helpers import OFFLINE, build, wait_for

OK = "1481016600181"  # succeeded in the static scenario
ERRORS = "1481023025871"
SIZE = (120, 30)


KEY_NAMES = {"/": "slash", " ": "space", "\t": "tab", "\r": "enter"}


def burst(app: object, text: str) -> None:
    """Post every key at once, as a terminal delivers a burst: nothing runs between them."""
    for char in text:
        app.post_message(events.Key(KEY_NAMES.get(char, char), char))  # type: ignore[attr-defined]


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


async def test_add_dialog_burst_keeps_id_and_label_apart(tmp_path: Path) -> None:
    """`a`, an ID, Tab, a label and Enter in one burst: the dialog opens before the ID is read, the
    label typed right after Tab lands in the label field, and Enter adds everything typed."""
    stack = build(OFFLINE, tmp_path, ids=[OK], fetch=ScenarioFetch("static"))
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 1)
        burst(app, f"a{ERRORS}\tMain street d\r")
        await wait_for(pilot, lambda: len(stack.watchlist.ids()) == 2)
        assert [(e.batch_id, e.label) for e in stack.watchlist.entries] == [
            (OK, ""),
            (ERRORS, "Main street d"),
        ]
        await wait_for(pilot, lambda: app.screen is app.dashboard and app.dashboard.table.row_count == 2)


async def test_label_dialog_burst_saves_the_whole_label(tmp_path: Path) -> None:
    """`l`, a label and Enter in one burst: the label dialog has the focus before the label is read."""
    stack = build(OFFLINE, tmp_path, ids=[OK], fetch=ScenarioFetch("static"))
    app = stack.app
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 1)
        burst(app, "lNorth depot\r")
        await wait_for(pilot, lambda: stack.watchlist.entries[0].label != "")
        assert stack.watchlist.entries[0].label == "North depot"
        assert [e.batch_id for e in stack.watchlist.entries] == [OK]  # d removed nothing
