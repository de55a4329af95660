"""The dashboard launcher: load the watchlist, build the app through `make_app`, run it; and the demo."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from slv_tui.common import paths
from slv_tui.common.logs import setup_logging
from slv_tui.common.sanitize import clean
from slv_tui.settings.config import Settings, check_keymap
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.store.history import HistoryRecorder, HistoryStore, history_dir
from slv_tui.store.watchlist import Watchlist, WatchlistError
from slv_tui.watch.alerts import Alerts, Channel

DEMO_PROFILE = "demo"
DEMO_SESSION_REQUESTS = 200
"""The demo server speaks the 7.8+ CSRF session (found by auto detection); a session dies after this
many calls, so the demo also shows a fresh handshake now and then."""


def server_label(profile: str, url: str) -> str:
    """A short name for the header: profile and host/path."""
    parts = urlsplit(url)
    return f"{profile} · {parts.netloc}{parts.path.rstrip('/')}"


def launch(
    settings: Settings,
    client_settings: ClientSettings,
    ids: list[str],
    *,
    watchlist_path: Path,
    label: str | None = None,
    client: SlvClient | None = None,
    metrics_listen: str | None = None,
) -> int:
    """Open the dashboard on one server and block until the user quits; an unknown binding ID in
    `[keymap]` is a ConfigError before anything starts."""
    from slv_tui.ui.app import AppSettings, Seams, make_app, open_board
    from slv_tui.ui.keymap import binding_ids

    check_keymap(settings, binding_ids())

    watchlist = Watchlist(watchlist_path)
    try:
        watchlist.load()
        if ids:
            watchlist.add(ids)
    except WatchlistError as exc:
        print(clean(f"slv-tui: error: {exc}"), file=sys.stderr)
        return 2
    history = HistoryRecorder(HistoryStore(history_dir(paths.data_dir(), settings.profile)))
    alerts = Alerts({event: cast(Channel, channel) for event, channel in settings.notify})
    client = client or SlvClient(client_settings)
    session = open_board(client, watchlist, interval=settings.interval, concurrency=settings.concurrency,
                         history=history, stall_after=settings.stall_after)  # fmt: skip
    app_settings = AppSettings(
        server_label=label or server_label(settings.profile, client_settings.url),
        warnings=client.settings.warnings(),
        bell=settings.bell,
        read_only=settings.read_only,
        profile=settings.profile,
        ask_password=client_settings.credentials.password is None,
        export_dir=settings.export_dir,
    )
    from slv_tui.store.ui_state import load_state
    from slv_tui.ui.feed_hub import FeedHub

    feed = FeedHub(paths.data_dir(), load_state(paths.ui_state_file()).get("feed_read"))
    app = make_app(app_settings, [session], seams=Seams(alerts=alerts, feed=feed))
    app.set_keymap(dict(settings.keymap))  # [keymap] in the config
    from slv_tui.commands.control_room import attach  # --metrics-listen and [notify], as `watch`

    close_room = attach([session.board], settings, metrics_listen)
    try:
        app.run()
    finally:
        close_room()
        history.close()  # whatever is still queued (the app closes it on unmount too)
        feed.close()
    return int(app.return_code or 0)


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
        return launch(
            settings,
            client_settings,
            ids,
            watchlist_path=watchlist_path,
            label=f"demo · simulator at {urlsplit(url).netloc}",
        )
    finally:
        sim.stop()
