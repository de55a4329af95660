"""The header tells the truth about the table: counts of the rows it shows, in the table's words,
marked stale when the data is old; a status strip names the sort, filter and view; the sorted
column's title carries the arrow; at 80 columns the error counts outrank labels."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support.fake_fetch import ScenarioFetch
from textual.widgets.data_table import ColumnKey

from slv_tui.sim import ThreadedSim
from slv_tui.ui.widgets.header_bar import HeaderBar

from .ui_helpers import OFFLINE, FakeClock, build, cell, press, wait_for

StartSim = Callable[..., ThreadedSim]
OK = "1481016600181"


def _main(app: object) -> str:
    return str(app.query_one(HeaderBar).query_one("#header-main").render())  # type: ignore[attr-defined]


def _view(app: object) -> str:
    return str(app.query_one(HeaderBar).query_one("#header-view").render())  # type: ignore[attr-defined]


def _succeeded_rows(app: object) -> int:
    table = app.dashboard.table  # type: ignore[attr-defined]
    states = [cell(app, row.key.value, "state") for row in table.ordered_rows]  # type: ignore[arg-type]
    return sum(1 for state in states if state.startswith("✔"))


async def test_after_archiving_the_header_counts_what_the_table_shows(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=fetch.server.batch_ids(), fetch=fetch)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        ids = fetch.server.batch_ids()
        # every batch on screen before counting (a count taken while answers still land is short)
        await wait_for(pilot, lambda: all(cell(app, b, "state") not in ("", "… pending") for b in ids))
        before = _succeeded_rows(app)
        await wait_for(pilot, lambda: f"✔ {before} succeeded" in _main(app))
        table = app.dashboard.table
        table.move_cursor(row=table.get_row_index(OK))
        await wait_for(pilot, lambda: table.selected_id == OK)
        await press(pilot, "x")
        await wait_for(pilot, lambda: _succeeded_rows(app) == before - 1)
        await wait_for(pilot, lambda: f"✔ {before - 1} succeeded" in _main(app))
        await press(pilot, "X")  # the archive view: its one batch
        await wait_for(pilot, lambda: "archive" in _view(app) and "✔ 1 succeeded" in _main(app))


async def test_a_wrong_password_counts_unknown_not_pending(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    ids = sim.server.batch_ids()[:5]
    stack = build(sim.url, tmp_path, ids=ids, password="wrong", interval=0.05)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: all(cell(app, b, "state") == "? unknown" for b in ids))
        await wait_for(pilot, lambda: "? 5 unknown" in _main(app))
        assert "pending" not in _main(app)


async def test_during_an_outage_the_counts_carry_the_stale_mark(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    clock = FakeClock()
    stack = build(OFFLINE, tmp_path, ids=fetch.server.batch_ids(), fetch=fetch, clock=clock, interval=2.0)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: all(s.batch is not None for s in stack.poller.snapshots()))
        await wait_for(pilot, lambda: "▶" in _main(app))
        assert "STALE" not in _main(app)
        clock.advance(10.0)  # five intervals without an answer: the running rows go stale
        app.dashboard.refresh_view()
        await wait_for(pilot, lambda: "⌛ STALE" in cell(app, "1481019204417", "fetch"))
        await wait_for(pilot, lambda: "⌛ STALE" in _main(app))


async def test_the_sort_shows_in_the_column_title_and_the_strip(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=fetch.server.batch_ids(), fetch=fetch, read_only=True)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: cell(app, OK, "state").endswith("succeeded"))
        await wait_for(pilot, lambda: str(table.columns[ColumnKey("state")].label) == "State ↑")
        assert _view(app) == "read-only · sort state ↑"
        app.dashboard.action_sort("err")
        app.dashboard.action_sort("err")  # the same column again: reversed
        await wait_for(pilot, lambda: str(table.columns[ColumnKey("err")].label) == "Err ↓")
        assert str(table.columns[ColumnKey("state")].label) == "State"
        await wait_for(pilot, lambda: "sort errors ↓" in _view(app))
        await press(pilot, "slash", *"ed")
        await wait_for(pilot, lambda: "filter “ed”" in _view(app))
        await press(pilot, "escape", "exclamation_mark")
        await wait_for(pilot, lambda: _view(app) == "read-only · sort errors ↓ · needs attention")


async def test_at_80_columns_error_counts_outrank_labels_and_filtering_keeps_the_layout(
    tmp_path: Path,
) -> None:
    fetch = ScenarioFetch("static")
    ids = fetch.server.batch_ids()
    stack = build(OFFLINE, tmp_path, ids=ids, fetch=fetch)
    stack.watchlist.set_label(ids[0], "north depot")
    async with stack.app.run_test(size=(80, 24)) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: all(s.batch is not None for s in stack.poller.snapshots()))
        await wait_for(pilot, lambda: table.row_count == len(ids))
        assert cell(app, ids[0], "label") == "north depot" or "label" not in table.shown_columns
        assert {"warn", "err"} <= set(table.shown_columns)
        layout = table.shown_columns
        await press(pilot, "slash", *ids[1][-4:])  # a filter leaving only unlabelled rows
        await wait_for(pilot, lambda: table.row_count < len(ids))
        assert table.shown_columns == layout
