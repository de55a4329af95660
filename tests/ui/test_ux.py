"""Operator UX at 160x45, 80x24 and 60x20: not found, keys, undo, sort and triage, small dialogs,
columns, export and copy, the password on start, one vocabulary, contextual footers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.toasts import Toasts
from textual.widget import Widget
from textual.widgets import Button, TextArea
from textual.widgets._footer import FooterKey

from slv_tui.sim import ThreadedSim
from slv_tui.store.watchlist import Watchlist
from slv_tui.ui.app import SlvApp
from slv_tui.ui.screens.add_batches import AddBatchesScreen
from slv_tui.ui.screens.help import HelpScreen
from slv_tui.ui.screens.label import LabelScreen
from slv_tui.ui.screens.password import PasswordScreen
from slv_tui.ui.widgets.batch_table import BatchTable
from slv_tui.ui.widgets.header_bar import HeaderBar
from slv_tui.watch.poller import NOT_FOUND_EVERY

from .ui_helpers import build, cell, press, screen_text, wait_for

StartSim = Callable[..., ThreadedSim]
SIZES = [(160, 45), (80, 24), (60, 20)]
OK = "1481016600181"
RUNNING = "1481019204417"
CANCELLING = "1481020373648"
CANCELLED = "1481021145590"
FAILED = "1481021896034"
ERRORS = "1481023025871"
MISSING = "1481099999999"  # the simulator does not know it: 605 Batch not found
ALL = [OK, RUNNING, CANCELLING, CANCELLED, FAILED, ERRORS]


def header(app: SlvApp) -> str:
    return str(app.query_one(HeaderBar).query_one("#header-main").render())


def inside(widget: Widget, size: tuple[int, int]) -> bool:
    """The widget is fully on screen."""
    region = widget.region
    return region.width > 0 and region.right <= size[0] and region.bottom <= size[1]


def footer_keys(app: SlvApp) -> dict[str, FooterKey]:
    return {key.key: key for key in app.screen.query(FooterKey)}


def rows(app: SlvApp) -> list[str]:
    return [str(r.key.value) for r in app.dashboard.table.ordered_rows]


@pytest.mark.parametrize("size", SIZES)
async def test_not_found_is_neutral_probed_slowly_and_not_failed(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK, MISSING])
    async with stack.app.run_test(size=size) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, MISSING, "state") == "? not found")
        await wait_for(pilot, lambda: cell(app, OK, "state") == "✔ succeeded")
        assert cell(app, MISSING, "fetch") == "↻ probing"
        assert "✖" not in header(app) or "✖ 0" in header(app)  # never counted as failed
        assert "? 1" in header(app)
        snap = stack.poller.snapshot(MISSING)
        due = stack.poller.next_attempt(MISSING)
        assert snap is not None and snap.fetched_at is None and due is not None
        assert due - stack.poller.clock() > 0.7 * NOT_FOUND_EVERY  # slow, not every 0.1 s
        assert stack.poller.server.ok is True  # "not found" is an answer: the server is up
        await press(pilot, "G")  # the not-found row sorts last: select it
        await wait_for(pilot, lambda: app.dashboard.selected_id == MISSING)
        await wait_for(pilot, lambda: "605 Batch not found" in screen_text(app))


@pytest.mark.parametrize("size", SIZES)
async def test_vim_keys_and_q_goes_back_one_level(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=ALL)
    async with stack.app.run_test(size=size) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: table.row_count == 6 and cell(app, OK, "state") == "✔ succeeded")
        # Every row read once: the order is final (a late first answer re-sorts, the cursor follows).
        await wait_for(pilot, lambda: all(cell(app, b, "state") not in ("", "… pending") for b in ALL))
        await press(pilot, "j", "j")
        assert table.cursor_row == 2
        await press(pilot, "k")
        assert table.cursor_row == 1
        await press(pilot, "G")
        assert table.cursor_row == 5
        await press(pilot, "g")
        assert table.cursor_row == 0
        await press(pilot, "ctrl+d")
        assert table.cursor_row > 0
        await press(pilot, "ctrl+u")
        assert table.cursor_row == 0
        # into the tree: j/k move there, q comes back to the table (the app keeps running)
        await press(pilot, "enter")
        tree = app.dashboard.detail.step_tree
        await wait_for(pilot, lambda: tree.has_focus)
        await press(pilot, "g")
        assert tree.cursor_line == 0
        await press(pilot, "j")
        assert tree.cursor_line == 1
        keys = footer_keys(app)
        assert "q" in keys and "enter" in keys and "w" in keys and "a" not in keys  # the tree's own keys
        assert all(k.region.right <= size[0] for k in keys.values())
        await press(pilot, "slash", *"o", "escape")  # a search: n joins the footer, which still fits
        await wait_for(pilot, lambda: tree.has_focus and "n" in footer_keys(app))
        assert all(k.region.right <= size[0] for k in footer_keys(app).values())
        await press(pilot, "q")
        await wait_for(pilot, lambda: table.has_focus)
        assert app.is_running
        # help: j/k scroll it, q closes it
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await press(pilot, "j", "q")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        assert app.is_running
        # a dialog: ctrl+c quits from anywhere
        await press(pilot, "a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddBatchesScreen))
        await press(pilot, "ctrl+c")
        await wait_for(pilot, lambda: not app.is_running)


@pytest.mark.parametrize("size", SIZES)
async def test_q_from_the_table_quits(start_sim: StartSim, tmp_path: Path, size: tuple[int, int]) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK])
    async with stack.app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: stack.app.dashboard.table.row_count == 1)
        await press(pilot, "q")
        await wait_for(pilot, lambda: not stack.app.is_running)


@pytest.mark.parametrize("size", SIZES)
async def test_undo_several_removals_and_say_so(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK, FAILED, ERRORS])
    toasts = Toasts()
    async with stack.app.run_test(size=size, notifications=True, message_hook=toasts) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: table.row_count == 3 and cell(app, OK, "state") == "✔ succeeded")
        first = table.selected_id
        await press(pilot, "d")
        await wait_for(pilot, lambda: table.row_count == 2)
        second = table.selected_id
        await press(pilot, "d")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert first is not None and second is not None
        await wait_for(
            pilot, lambda: any(f"Removed {second}" in n.message and "2 removals" in n.message for n in toasts)
        )
        assert all(k.region.right <= size[0] for k in footer_keys(app).values())  # nothing cut
        await press(pilot, "u")
        await wait_for(pilot, lambda: table.row_count == 2)
        assert second in stack.watchlist.ids() and first not in stack.watchlist.ids()
        await press(pilot, "u")
        await wait_for(pilot, lambda: table.row_count == 3)
        assert sorted(stack.watchlist.ids()) == sorted([OK, FAILED, ERRORS])
        await press(pilot, "u")
        await wait_for(pilot, lambda: any(n.message == "Nothing to undo" for n in toasts))


@pytest.mark.parametrize("size", SIZES)
async def test_sort_by_key_and_header_and_attention_view_remembered(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[*ALL, MISSING])
    async with stack.app.run_test(size=size) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: table.row_count == 7 and cell(app, MISSING, "state") == "? not found")
        await wait_for(pilot, lambda: all(cell(app, b, "state") != "… pending" for b in ALL))
        await press(pilot, "s")  # state → ID
        await wait_for(pilot, lambda: rows(app) == sorted([*ALL, MISSING]))
        await press(pilot, "S")
        await wait_for(pilot, lambda: rows(app) == sorted([*ALL, MISSING], reverse=True))
        # a click on the Progress header sorts by progress
        x = 0
        for key, column in table.columns.items():
            if key.value == "progress":
                break
            x += column.get_render_width(table)
        await pilot.click(BatchTable, offset=(x + 2, 0))
        await wait_for(pilot, lambda: app.dashboard.sort_column == "progress")
        assert rows(app)[0] == RUNNING or cell(app, rows(app)[0], "progress") != ""
        assert rows(app)[-1] == MISSING  # unknown progress last
        await press(pilot, "exclamation_mark")
        await wait_for(pilot, lambda: sorted(rows(app)) == sorted([CANCELLING, FAILED, ERRORS, MISSING]))
        await wait_for(pilot, lambda: "Show all" in {str(k.description) for k in footer_keys(app).values()})
        await pilot.pause()
    state = json.loads((tmp_path / "ui-state.json").read_text())
    assert state["attention"] is True
    assert state["sorts"]["default"] == {"column": "progress", "reverse": False}
    again = build(sim.url, tmp_path)
    async with again.app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: again.app.dashboard.table.row_count == 4)
        assert again.app.dashboard.attention_only and again.app.dashboard.sort_column == "progress"
        await press(pilot, "exclamation_mark")
        await wait_for(pilot, lambda: again.app.dashboard.table.row_count == 7)


async def test_the_sort_is_remembered_per_profile(start_sim: StartSim, tmp_path: Path) -> None:
    """Another profile (another server, another job) starts with its own sort, not the last one chosen."""
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK], profile="plant-a")
    async with stack.app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: stack.app.dashboard.table.row_count == 1)
        await press(pilot, "s", "S")  # state -> ID, reversed
        await wait_for(pilot, lambda: (tmp_path / "ui-state.json").exists()
                       and "plant-a" in (tmp_path / "ui-state.json").read_text())  # fmt: skip
    other = build(sim.url, tmp_path, ids=[OK], profile="plant-b")
    assert (other.app.dashboard.sort_column, other.app.dashboard.sort_reverse) == ("state", False)
    same = build(sim.url, tmp_path, ids=[OK], profile="plant-a")
    assert (same.app.dashboard.sort_column, same.app.dashboard.sort_reverse) == ("id", True)


@pytest.mark.parametrize("size", SIZES)
async def test_every_dialog_fits_and_add_counts_valid_ids(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK])
    toasts = Toasts()
    async with stack.app.run_test(size=size, notifications=True, message_hook=toasts) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 1)
        await press(pilot, "a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddBatchesScreen))
        app.screen.query_one("#add-ids", TextArea).load_text(f"batch {FAILED}, {ERRORS}\n{RUNNING} x {OK}")
        # OK is watched already: counted apart, not as valid (adding it changes nothing)
        await wait_for(pilot, lambda: "3 valid · 1 already watched · 2 ignored" in screen_text(app))
        # Laid out and the footer recomposed for the dialog (both land after a refresh; a pause alone
        # is not enough on a busy machine: Textual's idle check sees a starved process as idle).
        parts = [*app.screen.query(Button), app.screen.query_one("#add-label")]
        await wait_for(pilot, lambda: all(w.region.width > 0 for w in parts) and "escape" in footer_keys(app))
        for widget in parts:
            assert inside(widget, size), widget.id
        keys = footer_keys(app)
        assert "escape" in keys and "a" not in keys  # the dialog's keys, not the table's
        assert all(k.region.right <= size[0] for k in keys.values())
        await press(pilot, "enter")
        await wait_for(pilot, lambda: app.dashboard.table.row_count == 4)
        await wait_for(
            pilot, lambda: any("Added 3 batches" in n.message and "2 ignored" in n.message for n in toasts)
        )
        for key, screen in (("l", LabelScreen), ("P", PasswordScreen), ("question_mark", HelpScreen)):
            await press(pilot, key)
            await wait_for(pilot, lambda screen=screen: isinstance(app.screen, screen))  # type: ignore[misc]
            dialog = app.screen.query_one(".dialog")
            await wait_for(pilot, lambda: dialog.region.width > 0 and "escape" in footer_keys(app))  # noqa: B023
            assert inside(dialog, size), key
            assert "esc" in screen_text(app)
            await press(pilot, "escape")
            await wait_for(pilot, lambda screen=screen: not isinstance(app.screen, screen))  # type: ignore[misc]


@pytest.mark.parametrize("size", SIZES)
async def test_columns_message_and_the_detail_toggle(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=ALL)
    stack.watchlist.set_label(FAILED, "Main street")
    async with stack.app.run_test(size=size) as pilot:
        app = stack.app
        table = app.dashboard.table
        await wait_for(pilot, lambda: cell(app, FAILED, "state") == "✖ failed")
        shown = table.shown_columns
        assert {"id", "state", "progress", "fetch"} <= set(shown)
        if size[0] >= 80:
            assert {"warn", "err"} <= set(shown)  # the error counts outrank the label
        if size[0] >= 160:
            assert {"message", "elapsed", "label"} <= set(shown)
            assert "Watched" in screen_text(app)
            assert cell(app, FAILED, "message") == "Controller not connected"
        assert table.virtual_size.width <= table.size.width
        keys = footer_keys(app)
        assert all(k.region.right <= size[0] for k in keys.values())  # nothing cut
        assert "question_mark" in keys and "q" in keys
        detail = app.dashboard.detail
        before = table.size.height
        await press(pilot, "plus")
        await wait_for(pilot, lambda: not detail.display or detail.size.height == 0)
        assert table.size.height >= before  # the table takes the screen
        await press(pilot, "plus")
        await wait_for(pilot, lambda: detail.size.height > 0 and table.size.height == 0)
        await press(pilot, "escape")  # back to both
        await wait_for(pilot, lambda: detail.size.height > 0 and table.size.height > 0 and table.has_focus)


@pytest.mark.parametrize("size", SIZES)
async def test_export_shown_and_copy_tell_the_truth(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=[OK, FAILED, ERRORS])
    toasts = Toasts()
    async with stack.app.run_test(size=size, notifications=True, message_hook=toasts) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: cell(app, ERRORS, "state") == "⚠ done w/ errors")
        await press(pilot, "slash", *"completed_with", "enter")  # the state's name matches too
        await wait_for(pilot, lambda: rows(app) == [ERRORS])
        await press(pilot, "E")
        await wait_for(pilot, lambda: list(tmp_path.glob("slv-batch*.json")))
        (path,) = tmp_path.glob("slv-batch*.json")  # noqa: ASYNC240
        assert [o["batchId"] for o in json.loads(path.read_text())] == [ERRORS]  # only what is shown
        await wait_for(pilot, lambda: toasts.titled("Exported"))
        toast = toasts.titled("Exported")[0]
        assert toast.title == "Exported 1 batch (the 1 shown of 3 watched)" and toast.message == str(path)
        await press(pilot, "c")
        await wait_for(pilot, lambda: any(ERRORS in n.message for n in toasts if n is not toast))
        said = [n for n in toasts if ERRORS in n.message and n is not toast][-1]
        # either the system clipboard took it, or the ID is shown to copy by hand: never a bare "Copied"
        assert said.message == f"Copied {ERRORS} to the system clipboard" or (
            said.title == "Copy not confirmed" and said.message.startswith(f"{ERRORS}\n")
        )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("auth", ["basic", "bearer"])
async def test_no_password_source_opens_the_dialog_at_start(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int], auth: str
) -> None:
    # secrets typed here are registered for redaction for the whole run: never a word like "admin"
    sim = start_sim(scenario="static", auth=auth, password="Pw-at-start-5", token="T0ken-for-test")
    stack = build(sim.url, tmp_path, ids=[OK], password=None, auth=auth, ask_password=True)
    async with stack.app.run_test(size=size) as pilot:
        app = stack.app
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen))
        title = "Bearer token" if auth == "bearer" else "Password for admin"  # a token has its own user
        await wait_for(pilot, lambda: title in screen_text(app))
        assert sim.server.request_count == 0  # nothing is fetched before it is entered
        assert inside(app.screen.query_one(".dialog"), size)
        await press(pilot, *("T0ken-for-test" if auth == "bearer" else "Pw-at-start-5"), "enter")
        await wait_for(pilot, lambda: cell(app, OK, "state") == "✔ succeeded")


@pytest.mark.parametrize("size", SIZES)
async def test_one_vocabulary_and_palette(start_sim: StartSim, tmp_path: Path, size: tuple[int, int]) -> None:
    sim = start_sim(scenario="static")
    stack = build(sim.url, tmp_path, ids=ALL)
    async with stack.app.run_test(size=size) as pilot:
        app = stack.app
        table = app.dashboard.table
        words = {OK: "✔ succeeded", RUNNING: "▶ running", CANCELLING: "⊝ cancelling",  # not ⏸ (pause)
                 CANCELLED: "⊘ cancelled", FAILED: "✖ failed", ERRORS: "⚠ done w/ errors"}  # fmt: skip
        await wait_for(pilot, lambda: all(cell(app, b, "state") == w for b, w in words.items()))

        def palette_applied() -> bool:  # the state colours land after the words: wait for them
            style = {b: table.get_cell(b, "state").style for b in ALL}
            return (
                style[ERRORS] == style[FAILED]  # with errors: the alarm colour, as failed
                and style[CANCELLED] != style[FAILED]  # cancelled is neutral ...
                and style[CANCELLED] != style[RUNNING]  # ... and not the running accent
            )

        await wait_for(pilot, palette_applied)
        await press(pilot, "slash", *"done w/")
        await wait_for(pilot, lambda: rows(app) == [ERRORS])  # the label matches as well


@pytest.mark.parametrize("size", [(160, 45), (60, 20)])
async def test_a_remembered_sort_on_a_hidden_column_falls_back_visibly(
    start_sim: StartSim, tmp_path: Path, size: tuple[int, int]
) -> None:
    """label ↓ remembered; at 60 columns the Label column is hidden: the rows keep the default order
    (state) and the header says the label sort is hidden; wide, the label order applies."""
    sim = start_sim(scenario="static")
    saved = Watchlist(tmp_path / "watchlist.json")  # what the dashboard loads
    saved.add([OK], "b plant")
    saved.add([ERRORS], "a plant")
    stack = build(sim.url, tmp_path)
    stack.app.dashboard.sort_column, stack.app.dashboard.sort_reverse = "label", True
    toasts = Toasts()
    async with stack.app.run_test(size=size, message_hook=toasts) as pilot:
        app = stack.app
        await wait_for(
            pilot, lambda: all(cell(app, b, "state") not in ("", "… pending") for b in (OK, ERRORS))
        )
        wide = size[0] >= 100
        await wait_for(pilot, lambda: ("label" in app.dashboard.table.shown_columns) is wide)
        assert rows(app) == ([OK, ERRORS] if wide else [ERRORS, OK])  # label ↓: b, a; state: errors first
        await wait_for(pilot, lambda: ("(label hidden)" in screen_text(app)) is not wide)
        assert ("sort state ↑" in screen_text(app)) is not wide
        await press(pilot, "S")  # label ↑ now: the toast names the order the rows follow, as the strip
        said = "Sorted by state ↑ (label is hidden at this width)" if not wide else "Sorted by label ↑"
        await wait_for(pilot, lambda: toasts.said(said))
