"""Driving the real Textual app in pilot tests: the built stack, waiting on conditions, reading the screen."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.pilot import Pilot
from textual.widgets.data_table import CellDoesNotExist

from slv_tui.slv.client import SlvClient
from slv_tui.store.watchlist import WatchEntry, Watchlist
from slv_tui.ui.app import SlvApp
from slv_tui.watch.board import Board
from slv_tui.watch.poller import Poller


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


async def wait_for(pilot: Pilot[None], predicate: Callable[[], object], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Let the app run until `predicate()` is true; the timeout is only a failure guard."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {predicate}")
        await pilot.pause(0.05)


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
