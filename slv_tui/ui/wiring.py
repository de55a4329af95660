"""What `make_app` is built from: the app's settings, one `Session` per server (its Board, the client
it fetches through, its history) and the seams that decide where things go."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.app import App

from slv_tui.slv.client import SlvClient
from slv_tui.store.history import HistoryRecorder
from slv_tui.store.watchlist import WatchEntry, Watchlist
from slv_tui.ui.delivery import Deliver, TerminalDelivery
from slv_tui.ui.feed_hub import FeedHub
from slv_tui.watch.alerts import Alerts
from slv_tui.watch.board import Board, RoundApplied
from slv_tui.watch.poller import Fetch, Poller
from slv_tui.watch.stall import DEFAULT_STALL_AFTER


@dataclass(frozen=True)
class AppSettings:
    """What the app shows and offers (the config and command line, read already)."""

    server_label: str
    """The header's name for the server."""
    warnings: Sequence[str] = ()
    """Shown in the header (e.g. TLS checks off)."""
    bell: bool = False
    """Ring the bell when a batch finishes."""
    read_only: bool = False
    """Nothing that changes the server is offered: no commissioning key at all."""
    profile: str = "default"
    ask_password: bool = False
    """No password (or token) source: the masked dialog opens at once, before the first fetch."""
    export_dir: Path | None = None
    """`[ui] export_dir`; None: the user's downloads or documents folder."""
    state_file: Path | None = None
    """The UI state file (theme, sort, view); None: the default place."""


@dataclass(frozen=True)
class Session:
    """One server as the app sees it."""

    board: Board[WatchEntry]
    client: SlvClient
    history: HistoryRecorder | None = None
    """Records each batch's timeline (its own thread); the detail pane reads it from memory."""
    read_only: bool | None = None
    """Nothing that changes this server is offered (None: as `AppSettings.read_only`)."""
    color: str = ""
    """The profile's `color` (a colour name or #rrggbb) for its Server cells and header entry."""
    ask_password: bool | None = None
    """No password source for this server: its dialog opens before its first fetch (None: as the app's)."""

    @property
    def name(self) -> str:
        """The server's name in rows, the Server column and the header (its Board's `server`)."""
        return self.board.server

    @property
    def url(self) -> str:
        return self.client.settings.base_url

    def __post_init__(self) -> None:
        history = self.history
        if history is not None:  # the recorder is one more consumer of the Board's events

            def record(event: object) -> None:
                if isinstance(event, RoundApplied):
                    history.record(event.round)  # only queues: the recorder's thread writes

            self.board.subscribe(record)


def terminal(app: App[Any], settings: AppSettings) -> Deliver:
    """The default delivery: this terminal and the export folder."""
    return TerminalDelivery(app, settings.export_dir)


@dataclass(frozen=True)
class Seams:
    """Where things go, chosen once: alerts, and copies/exports/reports/terminal escapes."""

    alerts: Alerts | None = None
    deliver: Callable[[App[Any], AppSettings], Deliver] = field(default=terminal)
    feed: FeedHub | None = None
    """The event feed this run records into and the L screen shows (None: no feed)."""


def open_board(
    client: SlvClient,
    watchlist: Watchlist,
    *,
    interval: float = 2.0,
    concurrency: int = 4,
    fetch: Fetch | None = None,
    clock: Callable[[], float] | None = None,
    rng: random.Random | None = None,
    history: HistoryRecorder | None = None,
    name: str | None = None,
    read_only: bool | None = None,
    color: str = "",
    ask_password: bool | None = None,
    stall_after: float = DEFAULT_STALL_AFTER,
) -> Session:
    """A Board over a loaded watchlist, polling through `fetch` (default: the client) on `clock`;
    `history` records what it reports; a running batch unmoved for `stall_after` s is stalled.
    `name` (default: the URL) names the server in the UI."""
    poller = Poller(fetch or client.get_batch, interval=interval, concurrency=concurrency,
                    clock=clock or time.monotonic, rng=rng)  # fmt: skip
    board = Board(name or client.settings.base_url, poller, watchlist, stall_after=stall_after)
    return Session(board, client, history, read_only=read_only, color=color, ask_password=ask_password)
