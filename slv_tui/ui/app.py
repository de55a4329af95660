"""The Textual app (it hosts: theme, help, palette, password) and its one factory, `make_app`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from textual.app import App, SystemCommand
from textual.binding import Binding, Keymap
from textual.driver import Driver
from textual.screen import Screen
from textual.widget import Widget

from slv_tui.common import paths
from slv_tui.store.ui_state import load_state, profile_sort, save_state, with_profile_sort
from slv_tui.ui.delivery import announcing
from slv_tui.ui.key_order import is_opening_copy
from slv_tui.ui.rows import SORTS
from slv_tui.ui.screens import feed_screens
from slv_tui.ui.screens.commission import CommissioningDashboard
from slv_tui.ui.screens.dashboard import DashboardScreen
from slv_tui.ui.screens.dashboard_keys import is_narrow_twin
from slv_tui.ui.screens.help import HelpScreen, help_rows
from slv_tui.ui.widgets.batch_table import BatchTable
from slv_tui.ui.widgets.step_tree import StepTree
from slv_tui.ui.wiring import AppSettings as AppSettings
from slv_tui.ui.wiring import Seams as Seams
from slv_tui.ui.wiring import Session as Session
from slv_tui.ui.wiring import open_board as open_board
from slv_tui.watch.poller import Fetch as Fetch  # re-exported: what open_board's `fetch` is


def make_app(settings: AppSettings, boards: Sequence[Session], *, seams: Seams | None = None) -> SlvApp:
    """Wire the app: the dashboard screen drawing what the Board reports, the theme saved last time.

    `boards` holds one `Session` per server, each with its own Board, client and history; rows are
    keyed by (server, batch ID). `seams` decides where alerts and deliveries go.
    """
    seams = seams or Seams()
    writable = [s for s in boards if not (settings.read_only if s.read_only is None else s.read_only)]
    screen = CommissioningDashboard if writable else DashboardScreen  # read-only: no key at all
    dashboard = screen(boards, settings, seams)
    state_file = settings.state_file or paths.ui_state_file()
    ui_state = load_state(state_file)
    column, dashboard.sort_reverse = profile_sort(ui_state, settings.profile)  # each profile its own
    if column in SORTS:
        dashboard.sort_column = column
    dashboard.attention_only = ui_state.get("attention") is True
    scope = ui_state.get("scope")
    if dashboard.servers.multi and isinstance(scope, str) and scope in dashboard.servers.names:
        dashboard.servers.scope = scope
    app = SlvApp(dashboard=dashboard, state_file=state_file, ui_state=ui_state, read_only=not writable)
    for session in dashboard.servers:
        name = session.name if dashboard.servers.multi else settings.profile
        feed_screens.attach(app, seams.feed, session, name, ui_state.get(feed_screens.STATE_KEY))
    return app


class SlvApp(App[None]):
    """Hosts the dashboard screen (which polls and draws), help, the palette, the theme and the password."""

    TITLE = "slv-tui"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Show every key", id="help"),
        Binding(
            "q", "back_or_quit", "Quit", tooltip="Back one level; from the table, leave slv-tui", id="quit"
        ),
        Binding("L", "feed", "Event feed", show=False, tooltip="Every event, all servers", id="feed"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, tooltip="Leave slv-tui from anywhere"),
    ]

    def __init__(
        self,
        *,
        dashboard: DashboardScreen,
        state_file: Path,
        ui_state: dict[str, Any],
        read_only: bool = False,
    ) -> None:
        """Built by `make_app`."""
        super().__init__()
        self.read_only = read_only
        """Nothing that changes the server is offered: no commissioning key at all."""
        self.servers = dashboard.servers
        self.session = session = dashboard.session
        """The first server (single-server callers and tests; the dashboard asks `servers`)."""
        self.client = session.client
        self.board = session.board
        self.poller = session.board.poller
        self.dashboard = dashboard
        self.clock = dashboard.clock
        self.state_file = state_file
        self._ui_state = ui_state
        """The UI state as last saved (theme, sort, attention view)."""
        theme = ui_state.get("theme")
        self._saved_theme = theme if isinstance(theme, str) else None
        self._state_write: asyncio.Task[None] | None = None
        """The last UI state save (each waits for the one before); quitting waits for it."""

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform, announced to the delivery seam (terminal alerts)."""
        return announcing(super().get_driver_class())

    def get_default_screen(self) -> Screen[None]:
        """The dashboard is the bottom screen."""
        return self.dashboard

    def on_mount(self) -> None:
        """Restore the theme."""
        if self._saved_theme in self.available_themes:
            self.theme = self._saved_theme

    def exit(self, result: None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        """Quit: close the Boards first, so no round is drawn into a screen being torn down."""
        self.servers.close()
        super().exit(result, return_code, message)

    async def on_unmount(self) -> None:
        """Close the Boards and the clients' connections while this loop still runs."""
        self.servers.close()
        if self._state_write is not None:
            await self._state_write
        for session in self.servers:
            await session.client.aclose()
        await asyncio.to_thread(feed_screens.close, self)
        for session in self.servers:
            if session.history is not None:
                await asyncio.to_thread(session.history.close)  # what is queued is written, off the loop

    # -- actions ------------------------------------------------------------------------------

    def action_feed(self) -> None:
        """Open the event feed (the unread count goes back to 0)."""
        feed_screens.open_feed(self)

    def _key_targets(self) -> list[tuple[Binding, Widget | App[None]]]:
        """Every declared key with the node that runs its action: table, dashboard, then app."""
        layers: list[tuple[Iterable[object], Widget | App[None]]] = [
            (
                [b for b in BatchTable.BINDINGS if not (isinstance(b, Binding) and is_opening_copy(b))],
                self.dashboard.table,
            ),
            (DashboardScreen.BINDINGS, self.dashboard),
            ([] if self.read_only else CommissioningDashboard.BINDINGS, self.dashboard),
            (StepTree.BINDINGS, self.dashboard.detail.step_tree),
            (self.BINDINGS, self),
        ]
        multi = self.servers.multi  # the scope key (w) exists with several servers only
        return [
            (self.rebound(b), node) for bindings, node in layers for b in bindings
            if isinstance(b, Binding) and not is_narrow_twin(b) and (multi or b.action != "scope")
        ]  # fmt: skip

    async def action_back_or_quit(self) -> None:
        """q: close a dialog, leave the tree or the filter; only from the table does it quit (once
        the watchlist changes still being written are saved)."""
        screen = self.screen
        if screen is not self.dashboard:
            screen.dismiss(None)
        elif self.dashboard.at_top:
            await self.dashboard.edits.settled()
            self.exit()
        else:
            self.dashboard.action_back()

    def action_help(self) -> None:
        """Show the keys, generated from the bindings."""
        shown = [binding for binding, _ in self._key_targets()] + feed_screens.help_keys()
        keys = {b.key: self.get_key_display(b) for b in shown}
        self.push_screen(HelpScreen(help_rows(shown, keys)))

    def action_password(self) -> None:
        """Ask for the password of the highlighted row's server (or the one that refused it)."""
        self.dashboard.action_password()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette offers every declared key (same actions, hidden ones too) besides the built-ins."""
        yield from super().get_system_commands(screen)
        yield from feed_screens.palette(screen)
        for binding, target in self._key_targets():
            if binding.description and binding.id:  # "Back" (esc) has no id: it only leaves things
                yield SystemCommand(
                    f"{binding.description} ({self.get_key_display(binding)})",
                    binding.tooltip or binding.description,
                    partial(target.run_action, binding.action),
                )

    # -- [keymap] from the config: Textual rebinds; help and palette show the keys it now has ------

    keymap: dict[str, str] = {}
    """Binding ID -> keys, as given to `set_keymap`."""

    def set_keymap(self, keymap: Keymap) -> None:
        """Rebind keys by binding ID (Textual's keymap), remembered for the help screen and palette."""
        self.keymap = dict(keymap)
        super().set_keymap(keymap)

    def rebound(self, binding: Binding) -> Binding:
        """The binding with the keys the keymap gives its ID (all shown, the first one its key)."""
        keys = self.keymap.get(binding.id) if binding.id else None
        if not keys:
            return binding
        shown = "/".join(self.get_key_display(binding.with_key(k.strip())) for k in keys.split(","))
        return binding.with_key(keys.split(",")[0].strip(), key_display=shown)

    # -- theme memory ---------------------------------------------------------------------------

    def action_save_ui_state(self) -> None:
        """Remember theme, sort and view for the next run (written in a thread, saves in order)."""
        board = self.dashboard
        state: dict[str, Any] = {
            **{k: v for k, v in self._ui_state.items() if k not in ("sort", "sort_reverse")},
            "theme": self._saved_theme,
            "attention": board.attention_only,
            **({"scope": board.servers.scope} if board.servers.multi else {}),
            **feed_screens.state(self),
        }
        state = with_profile_sort(state, board.settings.profile, board.sort_column, board.sort_reverse)
        if state == self._ui_state:
            return
        self._ui_state = state
        self._state_write = asyncio.create_task(self._save_state(self._state_write, state))

    def watch_theme(self, theme: str) -> None:
        """Remember the theme for the next run (in a thread); redraw the rich-text parts in its colours."""
        if self.is_mounted(self.dashboard):
            self.call_after_refresh(self.dashboard.restyle)
        if theme == self._saved_theme or not self.is_running:
            return
        self._saved_theme = theme
        self.action_save_ui_state()

    async def _save_state(self, after: asyncio.Task[None] | None, state: dict[str, Any]) -> None:
        """Write the state file in a thread, after the save before (saved in the order chosen)."""
        if after is not None:
            await after
        await asyncio.to_thread(save_state, self.state_file, state)
