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
from slv_tui.ui.app import make_app
from slv_tui.watch.poller import Poller
from slv_tui.watch.watchlist import Watchlist


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
    ask_password: bool = False,
) -> Stack:
    """Client + watchlist (in `folder`) + poller + app, exactly as the cli wires them."""
    secret = None if password is None else Secret(password)
    settings = ClientSettings(url, Credentials("admin", secret, auth))  # type: ignore[arg-type]
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
        export_dir=folder,
        ask_password=ask_password,
    )
    return Stack(app, client, watchlist, poller)
