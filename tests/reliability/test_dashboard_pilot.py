"""Dashboard pilot tests: the real app headless against real servers."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

pytest.importorskip("slv_tui.ui.app", reason="slv_tui/ui/app.py (make_app) is not there yet")
pytest.importorskip("textual")

from slv_tui.sim import ThreadedSim
from slv_tui.ui.widgets.header_bar import HeaderBar

from .hostile import HostileServer, Reply, batch_body
from .pilot_helpers import build, cell, press, screen_text, wait_for
from .test_terminal_safety import HOSTILE_BITS, bad_chars

SIZE = (160, 45)
RUNNING = "1481019204417"
OK = "1481016600181"


def header_text(app: object) -> str:
    bar = app.query_one(HeaderBar)  # type: ignore[attr-defined]
    return " ".join(str(w.render()) for w in bar.query("Static"))


@pytest.mark.parametrize("kind", ["server_error", "truncated_json", "reset", "not_batch", "error_object"])
async def test_header_error_stale_marker_and_recovery(tmp_path: Path, kind: str) -> None:
    with ThreadedSim(scenario="static") as sim:
        stack = build(sim.url, tmp_path, ids=[RUNNING, OK], interval=0.1)
        async with stack.app.run_test(size=SIZE) as pilot:
            app = stack.app
            await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "● fresh")
            sim.server.set_fault(kind)
            await wait_for(pilot, lambda: "server unreachable" in header_text(app))
            line = next(t for t in header_text(app).split("\n") if "server unreachable" in t)
            assert bad_chars(line) == []
            await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "⌛ STALE")
            assert cell(app, RUNNING, "state") == "▶ running"  # the last good data stays
            sim.server.set_fault(None)
            await wait_for(pilot, lambda: cell(app, RUNNING, "fetch") == "● fresh")
            await wait_for(pilot, lambda: "connected" in header_text(app))
            assert app.is_running
        await stack.client.aclose()


async def test_insecure_warning_in_header(tmp_path: Path) -> None:
    with ThreadedSim(scenario="static") as sim:
        warning = "TLS certificate verification is OFF (--insecure or verify = false)"
        stack = build(sim.url, tmp_path, ids=[OK], warnings=[warning])
        async with stack.app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: cell(stack.app, OK, "fetch") != "")
            assert warning in screen_text(stack.app)
        await stack.client.aclose()


async def test_app_starts_on_a_corrupt_watchlist(tmp_path: Path) -> None:
    (tmp_path / "watchlist.json").write_bytes(b"\x00{{ not json")
    with ThreadedSim(scenario="static") as sim:
        stack = build(sim.url, tmp_path, ids=[OK])
        assert stack.watchlist.problem and "moved aside" in stack.watchlist.problem
        async with stack.app.run_test(size=SIZE) as pilot:
            # a finished batch is fresh for one fetch, then final: either means it was read
            await wait_for(pilot, lambda: cell(stack.app, OK, "fetch") in ("● fresh", "■ final"))
        await stack.client.aclose()
    assert any(p.name.startswith("watchlist.json.corrupt-") for p in os.scandir(tmp_path))


async def test_hostile_text_in_every_field_keeps_the_table_intact(tmp_path: Path) -> None:
    evil = "".join(HOSTILE_BITS) * 3
    message = {"status": 2, "statusText": evil, "text": evil}
    step = {"stepName": evil, "stepLabel": evil, "label": evil, "status": 2,
            "errorMessages": [message], "errorMessagesCount": 1}  # fmt: skip
    body = batch_body(
        RUNNING, batchRunning=True, batchProgressValue=40, batchProgressMessage=evil, message=evil,
        errorCodeLabel=evil, value={"login": evil, "stepResults": [step], "errorMessagesCount": 1},
    )  # fmt: skip
    json.loads(body)
    ids = [RUNNING, OK, "42"]
    with HostileServer(Reply(body=body)) as server:
        stack = build(server.url, tmp_path, ids=ids, interval=0.2)
        async with stack.app.run_test(size=SIZE) as pilot:
            app = stack.app
            await wait_for(pilot, lambda: all(cell(app, i, "fetch") == "● fresh" for i in ids))
            table = app.dashboard.table
            assert table.row_count == len(ids)
            text = screen_text(app)
            assert bad_chars(text, allow="\n") == []
            assert "[bold red]markup[/]" not in text or "markup" in text  # shown literally if at all
            assert len(text.splitlines()) <= SIZE[1]
        await stack.client.aclose()


async def test_dashboard_stays_up_when_the_watchlist_cannot_be_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only or full data dir: add, remove, undo and label all keep working in memory."""
    from slv_tui.store import watchlist as watchlist_module

    def read_only(path: Path, payload: bytes) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    with ThreadedSim(scenario="static") as sim:
        stack = build(sim.url, tmp_path, ids=[OK])
        saved = (tmp_path / "watchlist.json").read_bytes()
        monkeypatch.setattr(watchlist_module, "write_atomic", read_only)
        async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
            app = stack.app
            await wait_for(pilot, lambda: cell(app, OK, "fetch") != "")
            await press(pilot, "a", *RUNNING, "enter")
            await wait_for(pilot, lambda: cell(app, RUNNING, "state") == "▶ running")
            assert stack.watchlist.unsaved and stack.watchlist.problem
            assert "Read-only file system" in stack.watchlist.problem
            assert "\n" not in stack.watchlist.problem
            await wait_for(pilot, lambda: "Read-only file system" in screen_text(app))  # the operator is told
            app.dashboard.table.move_cursor(row=app.dashboard.table.get_row_index(RUNNING))
            await press(pilot, "d")
            await wait_for(pilot, lambda: app.dashboard.table.row_count == 1)
            await press(pilot, "u")
            await wait_for(pilot, lambda: app.dashboard.table.row_count == 2)
            assert app.is_running and stack.watchlist.ids() == [OK, RUNNING]
        await stack.client.aclose()
    assert (tmp_path / "watchlist.json").read_bytes() == saved  # nothing half-written
