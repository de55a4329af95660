"""Pilot tests: the real app against the simulator on 127.0.0.1, waiting on conditions, never sleeping."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.fake_fetch import ScenarioFetch
from support.locks import lock_held_elsewhere
from textual.widgets import Input, TextArea

from slv_tui.sim import ThreadedSim
from slv_tui.slv.model import Batch, BatchState
from slv_tui.store import files
from slv_tui.store.watchlist import Watchlist
from slv_tui.ui.messages import BatchesPolled
from slv_tui.ui.rows import BatchKey
from slv_tui.ui.screens.add_batches import AddBatchesScreen
from slv_tui.ui.screens.help import HelpScreen
from slv_tui.ui.screens.password import PasswordScreen
from slv_tui.ui.widgets.batch_table import BatchTable
from slv_tui.ui.widgets.header_bar import HeaderBar
from slv_tui.watch.board import RoundApplied
from slv_tui.watch.snapshot import PollRound, Update

from .ui_helpers import OFFLINE, FakeClock, build, cell, press, screen_text, wait_for

StartSim = Callable[..., ThreadedSim]
SIZE = (160, 45)
OK = "1481016600181"  # succeeded
RUNNING = "1481019204417"  # running, 40 % (static)
ERRORS = "1481023025871"  # completed_with_errors: 21 info, 1 warning, 2 errors
CANCELLING = "1481020373648"


def header(app: object) -> str:
    """The header's main line as plain text."""
    bar = app.query_one(HeaderBar)  # type: ignore[attr-defined]
    return f"{bar.query_one('#header-main').render()} {bar.query_one('#header-status').render()}"


async def test_add_validates_every_token_then_adds(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, fetch=fetch)
    async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
        await press(pilot, "a")
        await wait_for(pilot, lambda: isinstance(stack.app.screen, AddBatchesScreen))
        area = stack.app.screen.query_one("#add-ids", TextArea)
        area.load_text("abc\n12345678901234567890")
        await wait_for(pilot, lambda: "0 valid · 2 ignored" in screen_text(stack.app))
        await press(pilot, "enter")
        errors = screen_text(stack.app)
        assert "invalid batch ID 'abc': expected 1 to 19 digits" in errors
        assert "invalid batch ID '12345678901234567890': more than 19 digits" in errors
        assert isinstance(stack.app.screen, AddBatchesScreen)  # stays open while nothing is valid
        area.load_text(f"batch {OK}, {ERRORS}\n{RUNNING}")  # a word pasted from a mail is ignored
        await wait_for(pilot, lambda: "3 valid · 1 ignored" in screen_text(stack.app))
        await press(pilot, "tab")
        await press(pilot, *"ph2")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: not isinstance(stack.app.screen, AddBatchesScreen))
        await wait_for(pilot, lambda: cell(stack.app, ERRORS, "state") == "⚠ done w/ errors")
        assert stack.watchlist.ids() == [OK, ERRORS, RUNNING]
        assert cell(stack.app, OK, "label") == "ph2"
        assert cell(stack.app, RUNNING, "state") == "▶ running"
        # running first
        assert stack.app.dashboard.table.ordered_rows[0].key.value == RUNNING


async def test_remove_then_undo(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[OK, ERRORS], fetch=fetch)
    async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
        table = stack.app.dashboard.table
        await wait_for(pilot, lambda: table.row_count == 2 and cell(stack.app, OK, "state") != "… pending")
        gone = table.selected_id
        assert gone is not None
        await press(pilot, "d")
        assert table.row_count == 1  # at once, and `u` can take it back before the file is written
        assert stack.app.dashboard.check_action("undo", ()) is True
        await stack.app.dashboard.edits.settled()
        assert gone not in stack.watchlist.ids()
        await press(pilot, "u")
        await wait_for(pilot, lambda: table.row_count == 2)
        assert sorted(stack.watchlist.ids()) == sorted([OK, ERRORS])
        assert table.selected_id == gone


async def test_watchlist_and_labels_persist_across_runs(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    first = build(OFFLINE, tmp_path, ids=[OK], fetch=fetch)
    async with first.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: first.app.dashboard.table.row_count == 1)
        await press(pilot, "l")
        await wait_for(pilot, lambda: first.app.screen.query("#label-input"))
        field = first.app.screen.query_one("#label-input", Input)
        field.value = "Main street"
        await press(pilot, "enter")
        await wait_for(pilot, lambda: cell(first.app, OK, "label") == "Main street")
        first.app.theme = "nord"
        await pilot.pause()
    second = build(OFFLINE, tmp_path, fetch=fetch)
    async with second.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: second.app.dashboard.table.row_count == 1)
        assert cell(second.app, OK, "label") == "Main street"
        assert second.app.theme == "nord"
        await wait_for(pilot, lambda: cell(second.app, OK, "state") == "✔ succeeded")


async def test_progress_moves_and_finish_is_announced(start_sim: StartSim, tmp_path: Path) -> None:
    sim_clock = FakeClock()
    sim = start_sim(scenario="static", clock=sim_clock)
    new_id = sim.server.start_batch("commission_devices")  # 12 s run on the simulator's clock
    sim_clock.advance(2)
    stack = build(sim.url, tmp_path, ids=[new_id], interval=0.05)
    async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, new_id, "state") == "▶ running")
        first = cell(app, new_id, "progress")
        sim_clock.advance(4)
        await wait_for(pilot, lambda: cell(app, new_id, "progress") != first)
        assert cell(app, new_id, "progress").endswith("%")
        sim_clock.advance(20)
        await wait_for(pilot, lambda: app.dashboard.finished)
        assert app.dashboard.finished == [(new_id, BatchState.SUCCEEDED)]
        await wait_for(pilot, lambda: "✔ Batch succeeded" in screen_text(app))
        assert cell(app, new_id, "progress") == "██████████ 100%"


async def test_detail_tree_counts_and_expansion(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[ERRORS], fetch=fetch)
    async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, ERRORS, "state") == "⚠ done w/ errors")
        tree = app.dashboard.query_one("#step-tree")
        await wait_for(pilot, lambda: len(tree.root.children) > 0)  # type: ignore[attr-defined]
        steps = tree.root.children  # type: ignore[attr-defined]
        labels = [s.label.plain for s in steps]
        with_errors = [s for s in steps if "e 0" not in s.label.plain]
        assert with_errors, labels
        for step in with_errors:  # expanded by default, Errors open
            assert step.is_expanded
            groups = {g.label.plain.split(" (")[0]: g for g in step.children}
            errors = groups["Errors"]
            assert errors.is_expanded
            count = int(errors.label.plain.split("(")[1].rstrip(")"))
            assert len(errors.children) == count > 0
        closed = next(s for s in steps if not s.is_expanded)
        assert len(closed.children) == 0  # lazily built
        await press(pilot, "enter")  # into the tree
        assert tree.has_focus
        closed.expand()
        await wait_for(pilot, lambda: len(closed.children) == 3)
        info = closed.children[0]
        n = int(info.label.plain.split("(")[1].rstrip(")"))
        info.expand()
        await wait_for(pilot, lambda: len(info.children) == n)
        assert sum(int(label.rsplit("e ", 1)[1]) for label in labels) == 2  # the batch's 2 errors


async def test_server_down_marks_stale_and_recovers(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[RUNNING, OK], interval=0.1)
    async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "● fresh")
        sim.stop()
        await wait_for(pilot, lambda: "server unreachable" in header(app))
        await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "⌛ STALE")
        assert cell(app, RUNNING, "state") == "▶ running"  # last good data stays
        # The batch's own failed fetch reaches the detail pane with the next draw (at most a second).
        await wait_for(pilot, lambda: "last fetch failed: connection failed" in screen_text(app))
        sim.restart()
        await wait_for(pilot, lambda: "● connected" in header(app))
        await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "● fresh")
        assert app.is_running


async def test_wrong_password_then_right_one(start_sim: StartSim, tmp_path: Path) -> None:
    secret = "Corr3ct-H0rse"
    sim = start_sim(scenario="static", password=secret)
    stack = build(sim.url, tmp_path, ids=[OK], password="wrong-guess")
    async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: "authentication failed" in header(app))
        await wait_for(pilot, lambda: "press P to enter the password" in screen_text(app))
        await press(pilot, "P")
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen))
        await press(pilot, *secret)
        shown = screen_text(app)
        assert secret not in shown
        assert "•" * len(secret) in shown or "*" * len(secret) in shown
        await press(pilot, "enter")
        await wait_for(pilot, lambda: cell(app, OK, "state") == "✔ succeeded")
        await wait_for(pilot, lambda: "● connected" in header(app))
        assert secret not in screen_text(app)
        assert secret not in repr(stack.client.settings)


async def test_pause_stops_requests_and_resume_restarts(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[RUNNING], interval=0.05)
    async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: sim.server.request_count >= 3)
        await press(pilot, "p")
        await wait_for(pilot, lambda: "PAUSED" in header(app))
        await pilot.pause(0.1)  # a round already in flight may still land
        count = sim.server.request_count
        await pilot.pause(0.5)  # ten intervals
        assert sim.server.request_count == count
        await press(pilot, "p")
        await wait_for(pilot, lambda: sim.server.request_count > count + 2)
        assert "PAUSED" not in header(app)


async def test_help_palette_and_export(tmp_path: Path) -> None:
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[ERRORS], fetch=fetch)
    async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, ERRORS, "state") == "⚠ done w/ errors")
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        keys = (
            "Add",
            "Remove",
            "Undo",
            "Label",
            "Refresh all",
            "Filter",
            "Export",
            "Copy",
            "Password",
            "Pause",
        )
        for words in keys:
            assert words in text
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Add (a)" in titles and "Pause (p)" in titles and "Theme" in titles
        await press(pilot, "e")
        await wait_for(pilot, lambda: list(tmp_path.glob("slv-batch-*.json")))
        exported = json.loads(next(tmp_path.glob("slv-batch-*.json")).read_text())  # noqa: ASYNC240
        assert exported[0]["batchId"] == ERRORS
        assert exported[0]["state"] == "completed_with_errors"
        assert exported[0]["counts"] == {"info": 21, "warning": 1, "error": 2}
        await press(pilot, "slash")
        await press(pilot, *"zzz")
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 0)
        await press(pilot, "escape")
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 1)


async def test_elapsed_survives_a_restart(tmp_path: Path) -> None:
    """Elapsed counts from when the batch was added to the watchlist, not from when the app started."""
    entries = [{"batchId": RUNNING, "label": "", "addedAt": time.time() - 2 * 3600 - 90}]
    (tmp_path / "watchlist.json").write_text(json.dumps({"version": 1, "entries": entries}))
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, fetch=fetch)
    async with stack.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: cell(stack.app, RUNNING, "state") == "▶ running")
        assert cell(stack.app, RUNNING, "elapsed") == "2h 01m"


async def test_a_poll_round_during_teardown_draws_nothing(tmp_path: Path) -> None:
    """On quit the widgets are pruned before the screen; a round or a tick arriving then is ignored
    (it used to raise NoMatches('#detail-title') from the detail pane)."""
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[OK], fetch=fetch)
    rounds: list[PollRound] = []
    async with stack.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: cell(stack.app, OK, "state") != "")
        assert stack.board is not None
        stack.board.subscribe(lambda e: rounds.append(e.round) if isinstance(e, RoundApplied) else None)
        stack.poller.refresh()
        await wait_for(pilot, lambda: bool(rounds))
        dashboard = stack.app.dashboard
        await dashboard.detail.remove()  # what teardown does first: the pane and its children go
        assert not dashboard.drawable
        dashboard.apply_round(rounds[-1])  # no NoMatches
        dashboard.refresh_view()
        dashboard.restyle()
        assert stack.app.return_code is None
    assert stack.app.poller.on_round is None  # quitting stopped listening before the teardown


async def test_a_save_waiting_for_a_lock_never_freezes_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another slv-tui holds the watchlist lock: `d` waits for it in a thread while keys still work."""
    monkeypatch.setattr(files, "LOCK_TIMEOUT", 60.0)  # the save stays pending until the holder lets go
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[OK, ERRORS], fetch=fetch)
    lock_file = stack.watchlist.path.with_name(stack.watchlist.path.name + ".lock")
    with lock_held_elsewhere(lock_file) as release:
        async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
            table = stack.app.dashboard.table
            await wait_for(pilot, lambda: table.row_count == 2)
            await press(pilot, "d")
            await press(pilot, "slash")  # handled while the save waits: the event loop is free
            box = stack.app.dashboard.query_one("#filter", Input)
            await wait_for(pilot, lambda: box.has_class("-shown"))
            # the row went at once; the file waits for the lock
            assert table.row_count == 1 and len(stack.watchlist.ids()) == 2
            release()
            await wait_for(pilot, lambda: len(stack.watchlist.ids()) == 1)
            await stack.app.dashboard.edits.settled()
            assert len(Watchlist(stack.watchlist.path).load()) == 1 and not stack.watchlist.unsaved


async def test_a_fifo_as_the_ui_state_file_neither_hangs_nor_fails(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(tmp_path / "ui-state.json")  # nobody writes: a blocking open would hang right here
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[OK], fetch=fetch)
    async with stack.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: stack.app.dashboard.table.row_count == 1)
        assert stack.app.theme == "textual-dark"


def test_a_hostile_ui_state_file_gives_the_default_theme(tmp_path: Path) -> None:
    """Deep nesting, a huge file or a link to a device: ignored (logged), never a crash or a hang."""
    state = tmp_path / "ui-state.json"
    url = "http://127.0.0.1:9/reports"  # nothing is fetched: only the factory reads the file
    state.write_bytes(b'{"theme": "nord"}')
    assert build(url, tmp_path).app._saved_theme == "nord"  # the file is read at all
    for content in (b"[" * 100_000, b'{"theme": "' + b"x" * (128 * 1024) + b'"}'):
        state.write_bytes(content)
        assert build(url, tmp_path).app._saved_theme is None
    if Path("/dev/zero").exists():
        state.unlink()
        state.symlink_to("/dev/zero")
        assert build(url, tmp_path).app._saved_theme is None


async def test_only_cells_whose_text_changed_are_touched(
    start_sim: StartSim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redrawing unchanged data touches no cell; a minute later exactly the cells that read differently."""
    sim = start_sim(scenario="static")
    clock = FakeClock()
    ids = sim.server.batch_ids()
    stack = build(sim.url, tmp_path, ids=ids, clock=clock, interval=2.0)
    touched: list[tuple[str, str]] = []
    update_cell = BatchTable.update_cell

    def counting(self: BatchTable, row_key: Any, column_key: Any, value: Any, **kwargs: Any) -> None:
        touched.append((str(row_key), str(column_key)))
        update_cell(self, row_key, column_key, value, **kwargs)

    monkeypatch.setattr(BatchTable, "update_cell", counting)
    async with stack.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: all(cell(stack.app, b, "updated") == "<1m ago" for b in ids))
        stack.poller.pause()
        dashboard = stack.app.dashboard
        columns = dashboard.table.shown_columns

        def texts() -> dict[tuple[str, str], str]:
            return {(b, c): cell(stack.app, b, c) for b in ids for c in columns}

        touched.clear()
        dashboard.refresh_view()
        dashboard.refresh_view()
        assert touched == []
        before = texts()
        clock.advance(61)
        dashboard.refresh_view()
        after = texts()
        changed = {key for key in before if before[key] != after[key]}
        assert sorted(touched) == sorted(changed)  # each changed cell once, nothing else
        assert {c for _, c in changed} <= {"elapsed", "updated", "fetch", "eta"}
        assert all(after[b, "updated"] == "1m ago" for b in ids)
        touched.clear()
        dashboard.refresh_view()
        assert touched == []


async def test_a_round_posted_before_a_remove_or_an_add_keeps_what_the_screen_watches(tmp_path: Path) -> None:
    """A poll round carries the data of its moment; drawn after a remove or an add handled first,
    it neither brings the removed batch back nor hides the added one (the Board's copy is drawn)."""
    fetch = ScenarioFetch("static")
    stack = build(OFFLINE, tmp_path, ids=[OK, ERRORS], fetch=fetch)
    rounds: list[PollRound] = []
    async with stack.app.run_test(size=SIZE) as pilot:
        dashboard = stack.app.dashboard
        assert stack.board is not None
        await wait_for(pilot, lambda: cell(stack.app, ERRORS, "state") == "⚠ done w/ errors")
        stack.board.subscribe(lambda e: rounds.append(e.round) if isinstance(e, RoundApplied) else None)
        stack.poller.refresh()
        await wait_for(pilot, lambda: {OK, ERRORS} <= {s.batch_id for r in rounds for s in r.snapshots})
        old = rounds[-1]
        stack.board.pause()  # no newer round from here on: the old one is the last drawn
        dashboard.edits.remove(BatchKey(stack.board.server, OK))
        await dashboard.edits.settled()
        await dashboard.add_batches([RUNNING])
        dashboard.apply_round(old)  # the round from before both changes arrives late
        dashboard.refresh_view()
        shown = {row.key.value for row in dashboard.table.ordered_rows}
        assert shown == {ERRORS, RUNNING}


async def test_rounds_queued_together_are_drawn_once_and_lose_no_finish(tmp_path: Path) -> None:
    """Two round messages queued before the screen reads either: Textual lets the newer replace the
    older (`can_replace`), which takes in its updates; one is handled and both finishes are announced."""
    stack = build(OFFLINE, tmp_path, ids=[OK, ERRORS], fetch=ScenarioFetch("static"))
    handled: list[object] = []
    async with stack.app.run_test(size=SIZE, message_hook=handled.append) as pilot:
        dashboard = stack.app.dashboard
        board = stack.board
        assert board is not None
        await wait_for(pilot, lambda: cell(stack.app, ERRORS, "state") == "⚠ done w/ errors")
        board.pause()
        running = Batch("0", running=True, progress=10)
        first, second = (
            BatchesPolled(board.server, PollRound((Update(snap, running),), board.status, 1.0))
            for snap in (board.snapshot(OK), board.snapshot(ERRORS))
            if snap is not None
        )
        dashboard.post_message(first)
        dashboard.post_message(second)  # both queued before the screen runs again
        await wait_for(pilot, lambda: len(dashboard.finished) == 2)
        assert sorted(dashboard.finished) == sorted(
            [(OK, BatchState.SUCCEEDED), (ERRORS, BatchState.COMPLETED_WITH_ERRORS)]
        )
        assert [m for m in handled if m is first or m is second] == [second]  # coalesced: one handled
