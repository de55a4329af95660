"""Pilot tests from an operator's review: an 80-column console, failure reasons in sight, honest
pause and stale lines, helpful empty states, and a cursor that lands where reading starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support.fake_fetch import ScenarioFetch
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from slv_tui.sim import ThreadedSim
from slv_tui.ui.widgets.header_bar import connection_text
from slv_tui.ui.widgets.step_tree import StepTree
from slv_tui.watch.snapshot import ServerStatus

from .ui_helpers import OFFLINE, FakeClock, build, cell, press, wait_for

StartSim = Callable[..., ThreadedSim]
OK = "1481016600181"  # succeeded
RUNNING = "1481019204417"  # running, 40 %
FAILED = "1481021896034"  # failed: 409 Controller not connected, with a message
ERRORS = "1481023025871"  # completed_with_errors: 2 errors


def _detail(app: object, part: str) -> Static:
    return app.dashboard.detail.query_one(f"#detail-{part}", Static)  # type: ignore[attr-defined,no-any-return]


async def test_80_columns_keep_fetch_state_and_help_in_sight(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[RUNNING, ERRORS, OK], fetch=fetch)
    async with stack.app.run_test(size=(80, 24)) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: cell(app, ERRORS, "fetch") == "■ final")
        for key in ("id", "state", "progress", "warn", "err", "fetch"):
            assert key in table.shown_columns
        assert table.virtual_size.width <= table.size.width  # nothing pushed off to the right
        await press(pilot, "d")  # the toast names undo (the footer keeps its room at 60 columns)
        await wait_for(pilot, lambda: table.row_count == 2)
        footer_keys = {key.key: key for key in app.screen.query(FooterKey)}
        for key in ("question_mark", "q", "a"):
            assert footer_keys[key].region.right <= 80, key
        await press(pilot, "u")
        await wait_for(pilot, lambda: table.row_count == 3)

        # narrow: the fields, full width; enter gives the tree the whole width; esc comes back
        tree = app.dashboard.detail.step_tree
        fields = app.dashboard.detail.query_one("#detail-fields-scroll")
        await wait_for(pilot, lambda: not tree.display and fields.display and fields.size.width > 70)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: tree.has_focus and tree.display and tree.size.width > 70)
        assert not fields.display
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.dashboard.table.has_focus and fields.display)
        assert not tree.display
        await pilot.resize_terminal(160, 45)
        await wait_for(pilot, lambda: tree.display and fields.display)  # wide: side by side


async def test_header_says_what_to_do_before_why() -> None:
    auth = ServerStatus(False, "authentication failed: the server refused the credentials (HTTP 401)", True)
    text = connection_text(auth, paused=False)
    assert text.startswith("authentication failed — press P to enter the password")
    assert text.endswith("the server refused the credentials (HTTP 401)")
    down = connection_text(ServerStatus(False, "connection failed: refused"), paused=False, down_for=65)
    assert down == "server unreachable for 1m 05s — connection failed: refused"
    assert connection_text(ServerStatus(True), paused=True).startswith("PAUSED — press p to resume")


async def test_failed_batch_banner_gives_the_reason(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[FAILED], fetch=fetch)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        banner = _detail(app, "banner")
        await wait_for(pilot, lambda: "FAILED" in str(banner.render()))
        text = str(banner.render())
        assert banner.display and banner.has_class("-failed")
        assert text.startswith("✖ FAILED — 409 Controller not connected: ")
        assert "did not answer" in text  # the server's message too


async def test_empty_watchlist_and_empty_filter_say_what_to_do(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, fetch=fetch)
    async with stack.app.run_test(size=(100, 30)) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: "Nothing to watch yet" in str(_detail(app, "empty").render()))
        guide = str(_detail(app, "empty").render())
        assert "add batch IDs" in guide and "slv-tui 1481016600181" in guide
        assert _detail(app, "empty").display and not app.dashboard.detail.query_one("#detail-body").display
        await app.dashboard.add_batches([OK])
        await wait_for(pilot, lambda: cell(app, OK, "state") == "✔ succeeded")
        assert not _detail(app, "empty").display
        await press(pilot, "slash", *"zzz")
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 0)
        empty = _detail(app, "empty")
        await wait_for(pilot, lambda: "No batch matches the filter “zzz”" in str(empty.render()))
        assert "press a" not in str(_detail(app, "empty").render())  # the batch is watched, only hidden
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 1)


async def test_pause_key_names_what_it_does_and_stale_data_says_why(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    clock = FakeClock()
    stack = build(OFFLINE, tmp_path, ids=[RUNNING], clock=clock, interval=2.0, fetch=fetch)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app

        def footer() -> set[str]:
            return {str(key.description) for key in app.screen.query(FooterKey)}

        await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "● fresh")
        await wait_for(pilot, lambda: "Pause" in footer() and "Resume" not in footer())
        await press(pilot, "p")
        await wait_for(pilot, lambda: "Resume" in footer() and "Pause" not in footer())
        assert stack.poller.paused
        clock.advance(12)
        await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "⌛ STALE")
        await wait_for(pilot, lambda: "auto refresh is paused" in str(_detail(app, "fetch").render()))
        assert "from 12s ago" in str(_detail(app, "fetch").render())
        assert "STALE: as of 12s ago" in str(_detail(app, "title").render())
        await press(pilot, "p")
        await wait_for(pilot, lambda: not stack.poller.paused and "Pause" in footer())
        await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "● fresh")
        assert "STALE" not in str(_detail(app, "title").render())


async def test_enter_lands_on_the_errors(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[ERRORS], fetch=fetch)
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        tree = app.query_one(StepTree)
        await wait_for(pilot, lambda: cell(app, ERRORS, "state") != "… pending")
        await wait_for(pilot, lambda: tree.last_line > 0)
        await press(pilot, "enter")
        await wait_for(pilot, lambda: tree.has_focus)
        node = tree.cursor_node
        assert node is not None and str(node.label) == "Errors (2)"
        await press(pilot, "down", "enter")  # on the first error message: nothing collapses
        assert tree.cursor_node is not None and str(tree.cursor_node.label).startswith("✖ ")


async def test_cursor_stays_on_top_until_a_row_is_picked(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    sim.server.set_fault("unavailable", batch_id=RUNNING)  # the running batch arrives late
    stack = build(sim.url, tmp_path, ids=[OK, RUNNING])
    async with stack.app.run_test(size=(160, 45)) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: cell(app, OK, "state") == "✔ succeeded")
        await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "✖ error")
        assert cell(app, RUNNING, "state") == "? unknown"  # not "pending": fetching it fails
        assert table.selected_id == OK  # the top row, for now
        sim.server.set_fault(None, batch_id=RUNNING)
        await wait_for(pilot, lambda: cell(app, RUNNING, "state") == "▶ running")
        await wait_for(pilot, lambda: table.selected_id == RUNNING)  # still the top row
        assert str(_detail(app, "title").render()).startswith(f"Batch {RUNNING}")
        await press(pilot, "down")  # picked: from now on the cursor follows that batch
        await wait_for(pilot, lambda: table.selected_id == OK)
        fetched = stack.poller.snapshot(RUNNING).fetched_at  # type: ignore[union-attr]
        stack.poller.refresh()
        await wait_for(pilot, lambda: stack.poller.snapshot(RUNNING).fetched_at != fetched)  # type: ignore[union-attr]
        app.dashboard.refresh_view()
        assert table.selected_id == OK
