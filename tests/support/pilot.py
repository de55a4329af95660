"""Driving the real Textual app in pilot tests: the built stack, waiting on conditions, reading the screen."""

from __future__ import annotations

import asyncio
import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot
from textual.widgets.data_table import CellDoesNotExist

from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.store.history import HistoryRecorder, HistoryStore
from slv_tui.store.watchlist import WatchEntry, Watchlist
from slv_tui.ui.app import AppSettings, Fetch, Seams, SlvApp, make_app, open_board
from slv_tui.ui.feed_hub import FeedHub
from slv_tui.watch.alerts import Alerts
from slv_tui.watch.board import Board
from slv_tui.watch.poller import Poller

OFFLINE = "http://127.0.0.1:9/reports"
"""The client's address in tests that pass a fake `fetch`: nothing ever connects to it."""


@dataclass
class Stack:
    """The real parts one app is built from."""

    app: SlvApp
    client: SlvClient
    watchlist: Watchlist
    poller: Poller
    clients: list[SlvClient] = field(default_factory=list)
    board: Board[WatchEntry] | None = None
    """The Board the app watches (the poller, the watched list and the snapshots are its)."""


SETTLE_PASSES = 100
"""A bound on `settle`'s passes: an app that keeps posting to itself (a busy poller) is let go on."""


async def settle(pilot: Pilot[Any]) -> None:
    """Let the app handle every message queued so far and every message those queued in turn: pass
    after pass, each message pump (the app, the screen, its widgets) takes what it has queued, until
    one pass ends with every queue empty and no animation running; then the layout is brought up to
    date. Pure message order, no clock: what Textual's `Pilot.press` guesses by waiting until the
    process looks idle (20 ms sleeps twice per key, ~0.1 s a key while a poller is busy)."""
    app = pilot.app
    for _ in range(SETTLE_PASSES):
        await pilot._wait_for_screen()
        await app.animator.wait_until_complete()
        pumps = [app, *app.screen_stack, *app.screen.walk_children(with_self=False)]
        if all(pump.message_queue_size == 0 for pump in pumps):
            break
    app.screen._on_timer_update()  # the layout now (Pilot.pause does the same): regions are current


def _key_event(app: SlvApp | Any, key: str) -> events.Key:
    """The Key event `Pilot.press` sends for `key` (built as Textual's App._press_keys builds it)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    event = events.Key(key, char)
    event.set_sender(app)
    return event


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press `keys` in order, each handled to the end (`settle`) before the next is sent: the
    same Key events as `pilot.press`, without its idle-guessing sleeps."""
    for key in keys:
        pilot.app.post_message(_key_event(pilot.app, key))
        await settle(pilot)


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Let the app run until `predicate()` is true; the timeout is only a failure guard.

    Each check follows a `settle` (what was queued is handled) and a short wait for the outside
    (a server's answer, a worker), growing from 5 ms to 50 ms: a condition one hop away is seen at
    once, a slow one costs no more checks than a fixed 50 ms poll."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    step = 0.005
    await settle(pilot)
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {predicate}")
        await asyncio.sleep(step)
        step = min(2 * step, 0.05)
        await settle(pilot)


def screen_text(app: SlvApp) -> str:
    """Every character on screen (from the SVG screenshot), for literal-text checks."""
    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(parts)).replace("\xa0", " ")


def cell(app: SlvApp, batch_id: str, column: str) -> str:
    """The plain text of one table cell ("" while the row is not there)."""
    try:
        return str(app.dashboard.table.get_cell(batch_id, column).plain)
    except CellDoesNotExist:
        return ""


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
    timeout: float = 10.0,
    profile: str = "default",
    feed: FeedHub | bool | None = None,
) -> Stack:
    """Client + watchlist (in `folder`) + app through the factory; `fetch` replaces the client's HTTP.

    The history recorder (in `folder`/history) stamps events with the wall clock, so it is left out
    by default when a fake `clock` makes frames reproducible (snapshots); `history` decides otherwise.
    `feed`: the event feed the app records into and shows (the L screen); True: one in `folder`/data,
    as `slv-tui` always has (the header's unread count); none by default.
    """
    secret = None if password is None else Secret(password)
    settings = ClientSettings(url, Credentials("admin", secret, auth), timeout=timeout)  # type: ignore[arg-type]
    client = SlvClient(settings)
    watchlist = Watchlist(folder / "watchlist.json")
    watchlist.load()
    if ids:
        watchlist.add(ids)
    recorded = clock is None if history is None else history
    recorder = HistoryRecorder(HistoryStore(folder / "history")) if recorded else None
    session = open_board(client, watchlist, interval=interval, fetch=fetch, clock=clock, history=recorder)
    app_settings = AppSettings(
        server_label=server_label or url,
        warnings=warnings or [],
        read_only=read_only,
        ask_password=ask_password,
        export_dir=folder,
        state_file=folder / "ui-state.json",
        profile=profile,
    )
    hub = FeedHub(folder / "data") if feed is True else feed or None
    app = make_app(app_settings, [session], seams=Seams(alerts=alerts, feed=hub))
    return Stack(app, client, watchlist, session.board.poller, board=session.board)
