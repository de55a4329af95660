"""Building the real app for pilot tests, exactly as dashboard.launch wires it (imports Textual)."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets.data_table import CellDoesNotExist

from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.ui.app import SlvApp, make_app
from slv_tui.watch.poller import Poller
from slv_tui.watch.watchlist import Watchlist


@dataclass
class Stack:
    app: SlvApp
    client: SlvClient
    watchlist: Watchlist
    poller: Poller


def build(
    url: str, folder: Path, *, ids: list[str], interval: float = 0.1, warnings: list[str] | None = None
) -> Stack:
    client = SlvClient(ClientSettings(url, Credentials("admin", Secret("admin")), timeout=5.0))
    watchlist = Watchlist(folder / "watchlist.json")
    watchlist.load()
    watchlist.add(ids)
    poller = Poller(client.get_batch, interval=interval)
    app = make_app(
        client=client, watchlist=watchlist, poller=poller, server_label=url, warnings=warnings or [],
        state_file=folder / "ui-state.json",
    )  # fmt: skip
    return Stack(app, client, watchlist, poller)


async def wait_for(pilot: Pilot[None], predicate: Callable[[], object], limit: float = 15.0) -> None:
    """Let the app run until `predicate()` holds; the timeout only guards against a hang."""
    deadline = asyncio.get_running_loop().time() + limit
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {limit}s")
        await pilot.pause(0.05)


def screen_text(app: SlvApp) -> str:
    """Every character on screen, from the SVG screenshot."""
    svg = app.export_screenshot()
    lines = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(lines)).replace("\xa0", " ")


def cell(app: SlvApp, batch_id: str, column: str) -> str:
    try:
        return str(app.dashboard.table.get_cell(batch_id, column).plain)
    except CellDoesNotExist:
        return ""
