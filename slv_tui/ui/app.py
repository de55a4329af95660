"""The Textual app (it hosts: theme, help, palette, password) and its one factory, `make_app`."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

from rich.console import RenderableType
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from slv_tui.common import paths
from slv_tui.slv.auth import Secret
from slv_tui.slv.client import SlvClient
from slv_tui.store.history import HistoryRecorder
from slv_tui.store.ui_state import load_theme, save_theme
from slv_tui.store.watchlist import Watchlist
from slv_tui.ui.screens.commission import CommissioningDashboard
from slv_tui.ui.screens.dashboard import DashboardScreen
from slv_tui.ui.screens.help import HelpScreen, help_rows
from slv_tui.ui.screens.password import PasswordScreen
from slv_tui.ui.widgets.batch_table import BatchTable
from slv_tui.ui.widgets.step_tree import StepTree
from slv_tui.watch.alerts import Alerts
from slv_tui.watch.poller import Fetch as Fetch  # re-exported: what make_app's `fetch` is
from slv_tui.watch.poller import Poller


def make_app(
    client: SlvClient,
    watchlist: Watchlist,
    *,
    server_label: str,
    interval: float = 2.0,
    concurrency: int = 4,
    bell: bool = False,
    warnings: Sequence[str] | None = None,
    fetch: Fetch | None = None,
    clock: Callable[[], float] | None = None,
    rng: random.Random | None = None,
    state_file: Path | None = None,
    read_only: bool = False,
    profile: str = "default",
    history: HistoryRecorder | None = None,
    alerts: Alerts | None = None,
) -> SlvApp:
    """Wire the app: a poller fetching through `fetch` (default: the client) on `clock`, the
    dashboard screen drawing what it reports, and the theme saved last time.

    `watchlist` is loaded already (the cli reports a broken one before anything starts).
    """
    poller = Poller(
        fetch or client.get_batch,
        interval=interval,
        concurrency=concurrency,
        clock=clock or time.monotonic,
        rng=rng,
    )
    poller.watch(watchlist.ids(), seen_for=watchlist.watched_for())
    shown_warnings = client.settings.warnings() if warnings is None else warnings
    screen_args = (watchlist, poller, poller.clock, server_label, shown_warnings)
    dashboard = (
        DashboardScreen(*screen_args, client=client, bell=bell, history=history, alerts=alerts)
        if read_only  # nothing that changes the server is offered: no commissioning key at all
        else CommissioningDashboard(
            *screen_args, client=client, bell=bell, history=history, alerts=alerts, profile=profile
        )
    )
    state_file = state_file or paths.ui_state_file()
    return SlvApp(client=client, poller=poller, dashboard=dashboard, state_file=state_file,
                  saved_theme=load_theme(state_file), read_only=read_only)  # fmt: skip


class SlvApp(App[None]):
    """Hosts the dashboard screen (which polls and draws), help, the palette, the theme and the password."""

    TITLE = "slv-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Show every key", id="help"),
        Binding("q", "quit", "Quit", tooltip="Leave slv-tui (the watchlist is kept)", id="quit"),
    ]

    def __init__(
        self,
        *,
        client: SlvClient,
        poller: Poller,
        dashboard: DashboardScreen,
        state_file: Path,
        saved_theme: str | None,
        read_only: bool = False,
    ) -> None:
        """Built by `make_app`."""
        super().__init__()
        self.read_only = read_only
        """Nothing that changes the server is offered: no commissioning key at all."""
        self.client = client
        self.poller = poller
        self.dashboard = dashboard
        self.clock = dashboard.clock
        self.state_file = state_file
        self._saved_theme = saved_theme
        self._theme_write: asyncio.Task[None] | None = None
        """The last theme save (each waits for the one before); quitting waits for it."""

    def get_default_screen(self) -> Screen[None]:
        """The dashboard is the bottom screen."""
        return self.dashboard

    def on_mount(self) -> None:
        """Restore the theme."""
        if self._saved_theme in self.available_themes:
            self.theme = self._saved_theme

    def exit(self, result: None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        """Quit: stop listening to the poller first, so no round is drawn into a screen being torn down."""
        self.poller.on_round = None
        super().exit(result, return_code, message)

    async def on_unmount(self) -> None:
        """Stop listening to the poller and close the client's connections while this loop still runs."""
        self.poller.on_round = None
        if self._theme_write is not None:
            await self._theme_write
        await self.client.aclose()
        history = self.dashboard.history
        if history is not None:
            await asyncio.to_thread(history.close)  # what is queued is written, off the loop

    # -- actions ------------------------------------------------------------------------------

    def _key_targets(self) -> list[tuple[Binding, Widget | App[None]]]:
        """Every declared key with the node that runs its action: table, dashboard, then app."""
        layers: list[tuple[Iterable[object], Widget | App[None]]] = [
            (BatchTable.BINDINGS, self.dashboard.table),
            (DashboardScreen.BINDINGS, self.dashboard),
            ([] if self.read_only else CommissioningDashboard.BINDINGS, self.dashboard),
            (StepTree.BINDINGS, self.dashboard.detail.step_tree),
            (self.BINDINGS, self),
        ]
        return [(b, node) for bindings, node in layers for b in bindings if isinstance(b, Binding)]

    def action_help(self) -> None:
        """Show the keys, generated from the bindings."""
        shown = [binding for binding, _ in self._key_targets()]
        keys = {b.key: self.get_key_display(b) for b in shown}
        self.push_screen(HelpScreen(help_rows(shown, keys)))

    def action_password(self) -> None:
        """Ask for the password; a new one is used at once and every batch is fetched again."""
        server = self.poller.server
        reason = server.reason if server.auth_problem else None
        creds = self.client.settings.credentials
        self.push_screen(PasswordScreen(creds.username, reason, creds.secret_name), self._use_password)

    def _use_password(self, secret: Secret | None) -> None:
        if secret is None:
            return
        self.client.set_password(secret)
        self.dashboard.auth_warned = False  # a wrong password typed here is announced again
        self.poller.refresh()
        what = self.client.settings.credentials.secret_name.capitalize()
        self.notify(f"{what} set for this session; fetching again…", timeout=4)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers every declared key (same actions, hidden ones too) besides the built-ins."""
        yield from super().get_system_commands(screen)
        for binding, target in self._key_targets():
            if binding.description and binding.id:  # "Back" (esc) has no id: it only leaves things
                yield SystemCommand(
                    f"{binding.description} ({self.get_key_display(binding)})",
                    binding.tooltip or binding.description,
                    partial(target.run_action, binding.action),
                )

    # -- theme memory ---------------------------------------------------------------------------

    def watch_theme(self, theme: str) -> None:
        """Remember the theme for the next run (in a thread); redraw the rich-text parts in its colours."""
        if self.is_mounted(self.dashboard):
            self.call_after_refresh(self.dashboard.restyle)
        if theme == self._saved_theme or not self.is_running:
            return
        self._saved_theme = theme
        self._theme_write = asyncio.create_task(self._save_theme(self._theme_write, theme))

    async def _save_theme(self, after: asyncio.Task[None] | None, theme: str) -> None:
        """Write the state file in a thread, after the save before (themes are saved in the order chosen)."""
        if after is not None:
            await after
        await asyncio.to_thread(save_theme, self.state_file, theme)
