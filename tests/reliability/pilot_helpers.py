"""Building the real app for pilot tests through the factory, `make_app` (imports Textual).

Waiting, screen text and table cells come from support.pilot, shared with the UI tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support.pilot import Stack
from support.pilot import cell as cell
from support.pilot import screen_text as screen_text
from support.pilot import wait_for as pilot_wait_for
from textual.pilot import Pilot

from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.store.watchlist import Watchlist
from slv_tui.ui.app import AppSettings, make_app, open_board


def build(
    url: str, folder: Path, *, ids: list[str], interval: float = 0.1, warnings: list[str] | None = None
) -> Stack:
    client = SlvClient(ClientSettings(url, Credentials("admin", Secret("admin")), timeout=5.0))
    watchlist = Watchlist(folder / "watchlist.json")
    watchlist.load()
    watchlist.add(ids)
    session = open_board(client, watchlist, interval=interval)
    settings = AppSettings(server_label=url, warnings=warnings or [], export_dir=folder,
                           state_file=folder / "ui-state.json")  # fmt: skip
    app = make_app(settings, [session])
    return Stack(app, client, watchlist, session.board.poller, board=session.board)


async def wait_for(pilot: Pilot[None], predicate: Callable[[], object], limit: float = 15.0) -> None:
    """Let the app run until `predicate()` holds; the 15 s limit only guards against a hang."""
    await pilot_wait_for(pilot, predicate, timeout=limit)
