"""Helpers for the UI tests: a controllable clock, a real stack builder, waiting on conditions."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets.data_table import CellDoesNotExist

from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.ui.app import SlvApp, make_app
from slv_tui.watch.poller import Poller
from slv_tui.watch.watchlist import Watchlist


@dataclass
class FakeClock:
    """A clock that only moves when told (used frozen for snapshots)."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Stack:
    """The real parts one app is built from."""

    app: SlvApp
    client: SlvClient
    watchlist: Watchlist
    poller: Poller
    clients: list[SlvClient] = field(default_factory=list)


def build(
    url: str,
    folder: Path,
    *,
    ids: list[str] | None = None,
    password: str = "admin",
    interval: float = 0.1,
    clock: Callable[[], float] | None = None,
    server_label: str | None = None,
    warnings: list[str] | None = None,
    auth: str = "basic",
) -> Stack:
    """Client + watchlist (in `folder`) + poller + app, exactly as the cli wires them."""
    settings = ClientSettings(url, Credentials("admin", Secret(password), auth))  # type: ignore[arg-type]
    client = SlvClient(settings)
    watchlist = Watchlist(folder / "watchlist.json")
    watchlist.load()
    if ids:
        watchlist.add(ids)
    kwargs = {} if clock is None else {"clock": clock}
    poller = Poller(client.get_batch, interval=interval, **kwargs)  # type: ignore[arg-type]
    app = make_app(
        client=client,
        watchlist=watchlist,
        poller=poller,
        server_label=server_label or url,
        warnings=warnings or [],
        clock=clock,
        state_file=folder / "ui-state.json",
    )
    return Stack(app, client, watchlist, poller)


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
        return app.dashboard.table.get_cell(batch_id, column).plain
    except CellDoesNotExist:
        return ""
