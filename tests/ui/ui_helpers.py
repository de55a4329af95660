"""Helpers for the UI tests: a controllable clock, a real stack builder, waiting on conditions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support.clock import FakeClock as FakeClock
from support.pilot import Stack as Stack
from support.pilot import cell as cell
from support.pilot import screen_text as screen_text
from support.pilot import wait_for as wait_for

from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.store.history import HistoryRecorder, HistoryStore
from slv_tui.store.watchlist import Watchlist
from slv_tui.ui.app import AppSettings, Fetch, Seams, make_app, open_board
from slv_tui.watch.alerts import Alerts

OFFLINE = "http://127.0.0.1:9/reports"
"""The client's address in tests that pass a fake `fetch`: nothing ever connects to it."""


def build(
    url: str,
    folder: Path,
    *,
    ids: list[str] | None = None,
    password: str | None = "admin",
    interval: float = 0.1,
    clock: Callable[[], float] | None = None,
    server_label: str | None = None,
    warnings: list[str] | None = None,
    auth: str = "basic",
    fetch: Fetch | None = None,
    read_only: bool = False,
    alerts: Alerts | None = None,
    history: bool | None = None,
    ask_password: bool = False,
) -> Stack:
    """Client + watchlist (in `folder`) + app through the factory; `fetch` replaces the client's HTTP.

    The history recorder (in `folder`/history) stamps events with the wall clock, so it is left out
    by default when a fake `clock` makes frames reproducible (snapshots); `history` decides otherwise.
    """
    secret = None if password is None else Secret(password)
    client = SlvClient(ClientSettings(url, Credentials("admin", secret, auth)))  # type: ignore[arg-type]
    watchlist = Watchlist(folder / "watchlist.json")
    watchlist.load()
    if ids:
        watchlist.add(ids)
    recorded = clock is None if history is None else history
    recorder = HistoryRecorder(HistoryStore(folder / "history")) if recorded else None
    session = open_board(client, watchlist, interval=interval, fetch=fetch, clock=clock, history=recorder)
    settings = AppSettings(
        server_label=server_label or url,
        warnings=warnings or [],
        read_only=read_only,
        ask_password=ask_password,
        export_dir=folder,
        state_file=folder / "ui-state.json",
    )
    app = make_app(settings, [session], seams=Seams(alerts=alerts))
    return Stack(app, client, watchlist, session.board.poller, board=session.board)
