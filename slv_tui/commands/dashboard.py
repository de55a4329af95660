"""The dashboard launcher: load the watchlist, build the app through `make_app`, run it; and the demo."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from slv_tui.common import paths
from slv_tui.common.collector import collection_paused
from slv_tui.common.logs import setup_logging
from slv_tui.common.sanitize import clean
from slv_tui.settings.config import Settings, check_keymap
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.store.history import HistoryRecorder, HistoryStore, history_dir
from slv_tui.store.watchlist import Watchlist, WatchlistError
from slv_tui.watch.alerts import Alerts, Channel

if TYPE_CHECKING:
    from slv_tui.ui.app import SlvApp
    from slv_tui.ui.feed_hub import FeedHub
    from slv_tui.ui.wiring import Session

DEMO_PROFILE = "demo"
DEMO_SESSION_REQUESTS = 200
"""The demo server speaks the 7.8+ CSRF session (found by auto detection); a session dies after this
many calls, so the demo also shows a fresh handshake now and then."""


def server_label(profile: str, url: str) -> str:
    """A short name for the header: profile and host/path."""
    parts = urlsplit(url)
    return f"{profile} · {parts.netloc}{parts.path.rstrip('/')}"


@dataclass(frozen=True)
class Server:
    """One server the dashboard watches: its profile's settings, its client and its watchlist file."""

    settings: Settings
    client_settings: ClientSettings
    client: SlvClient | None = None
    watchlist_path: Path | None = None


def launch(
    servers: Sequence[Server], ids: list[str], *, label: str | None = None, metrics_listen: str | None = None
) -> int:
    """Open the dashboard on these servers (one Board each; `ids` join the first one's watchlist) and
    block until the user quits; an unknown binding ID in `[keymap]` or a bad `--metrics-listen` is
    a ConfigError before anything starts."""
    with collection_paused():  # its imports and what it builds before it runs live until exit
        built = _build(servers, ids, label, metrics_listen)
    if isinstance(built, int):
        return built
    app, sessions, feed, close_room = built
    try:
        app.run()
    finally:
        close_room()
        for session in sessions:
            if session.history is not None:
                session.history.close()  # whatever is still queued (the app closes it on unmount too)
        feed.close()
    return int(app.return_code or 0)


def _build(
    servers: Sequence[Server], ids: list[str], label: str | None, metrics_listen: str | None
) -> tuple[SlvApp, list[Session], FeedHub, Callable[[], None]] | int:
    """The app over one Board per server, its feed and its control room; 2 on a WatchlistError."""
    from slv_tui.commands.control_room import attach  # --metrics-listen and [notify], as `watch`
    from slv_tui.store.ui_state import load_state
    from slv_tui.ui.app import AppSettings, Seams, make_app
    from slv_tui.ui.feed_hub import FeedHub
    from slv_tui.ui.keymap import binding_ids

    first = servers[0].settings
    if first.keymap:  # every binding ID: imports the dialogs, which the start does without otherwise
        check_keymap(first, binding_ids())
    many = len(servers) > 1
    try:
        sessions = [_session(server, ids if i == 0 else []) for i, server in enumerate(servers)]
    except WatchlistError as exc:
        print(clean(f"slv-tui: error: {exc}"), file=sys.stderr)
        return 2
    names = [s.settings.profile for s in servers]
    warnings = [f"{name}: {w}" if many else w for name, session in zip(names, sessions, strict=True)
                for w in session.client.settings.warnings()]  # fmt: skip
    app_settings = AppSettings(
        server_label=label
        or (" + ".join(names) if many else server_label(first.profile, servers[0].client_settings.url)),
        warnings=warnings,
        bell=first.bell,
        read_only=all(s.settings.read_only for s in servers),
        profile="+".join(names),
        ask_password=servers[0].client_settings.credentials.password is None,
        export_dir=first.export_dir,
    )
    alerts = Alerts({event: cast(Channel, channel) for event, channel in first.notify})
    feed = FeedHub(paths.data_dir(), load_state(paths.ui_state_file()).get("feed_read"))
    app = make_app(app_settings, sessions, seams=Seams(alerts=alerts, feed=feed))
    app.set_keymap(dict(first.keymap))  # [keymap] in the config
    close_room = attach([s.board for s in sessions], [s.settings for s in servers], metrics_listen)
    return app, sessions, feed, close_room


def _session(server: Server, ids: list[str]) -> Session:
    """One server's Board over its loaded watchlist (raises WatchlistError), with its history."""
    from slv_tui.ui.app import open_board

    settings = server.settings
    watchlist = Watchlist(server.watchlist_path or paths.watchlist_file(settings.profile))
    watchlist.load()
    if ids:
        watchlist.add(ids)
    history = HistoryRecorder(HistoryStore(history_dir(paths.data_dir(), settings.profile)))
    client = server.client or SlvClient(server.client_settings)
    asks = server.client_settings.credentials.password is None
    return open_board(client, watchlist, interval=settings.interval, concurrency=settings.concurrency,
                      history=history, name=settings.profile, read_only=settings.read_only,
                      color=settings.color, ask_password=asks, stall_after=settings.stall_after)  # fmt: skip


def launch_demo(ids: list[str], *, interval: float, debug: bool = False, read_only: bool = False) -> int:
    """Start the simulator in a background thread and open the dashboard on it."""
    from slv_tui.sim import ThreadedSim

    setup_logging(paths.log_file(), "info", debug=debug)
    sim = ThreadedSim(scenario="demo", auth="csrf", session_max_uses=DEMO_SESSION_REQUESTS)
    try:
        url = sim.start()
    except OSError as exc:
        print(clean(f"slv-tui: error: cannot start the simulator: {exc}"), file=sys.stderr)
        return 2
    try:
        watchlist_path = paths.watchlist_file(DEMO_PROFILE)
        if not watchlist_path.exists():
            ids = sim.server.batch_ids() + ids
        settings = Settings(profile=DEMO_PROFILE, url=url, interval=interval, read_only=read_only)
        client_settings = ClientSettings(url=url, credentials=Credentials("admin", Secret("admin"), "auto"))
        server = Server(settings, client_settings, watchlist_path=watchlist_path)
        return launch([server], ids, label=f"demo · simulator at {urlsplit(url).netloc}")
    finally:
        sim.stop()
