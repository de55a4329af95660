"""The dashboard's keys that go to a server rather than a row: refresh, pause, the password, and the
scope (`w`: one server or all, when several are watched). Each goes to the server of the highlighted
row, or to every server, never to "the first one"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slv_tui.common.sanitize import clean
from slv_tui.slv.auth import Secret
from slv_tui.ui.screens.dashboard_keys import DetailKeys
from slv_tui.ui.screens.password import PasswordScreen

if TYPE_CHECKING:
    from slv_tui.ui.rows import BatchKey
    from slv_tui.ui.screens.announce import Announcer
    from slv_tui.ui.servers import Servers
    from slv_tui.ui.wiring import Session


class ServerKeys(DetailKeys):
    """Actions that ask a server (or all of them); mixed into the dashboard."""

    servers: Servers
    announcer: Announcer

    def refresh_view(self, select: BatchKey | None = None) -> None:
        raise NotImplementedError

    def server_title(self, title: str, name: str) -> str:
        """A toast title naming the server when several are watched."""
        if not self.servers.multi:
            return title
        return f"{title} · {name}" if title else name

    def action_refresh(self) -> None:
        """Fetch the selected batch now (said: the row may look the same afterwards)."""
        if (key := self.selected_key) is not None:
            self.servers.of(key).board.refresh([key.batch_id])
            self.app.notify(f"Fetching {key.batch_id} now…", timeout=2, markup=False)

    def action_refresh_all(self) -> None:
        """Fetch every batch now (of the servers in scope)."""
        self.servers.refresh()
        self.app.notify("Refreshing every batch…", timeout=2, markup=False)

    def action_pause(self) -> None:
        """Pause auto refresh (nothing is fetched until resumed; data ages into stale)."""
        self._set_paused(True, "Auto refresh paused — press p to resume", 4)

    def action_resume(self) -> None:
        """Resume auto refresh."""
        self._set_paused(False, "Auto refresh resumed", 3)

    def _set_paused(self, paused: bool, note: str, timeout: float) -> None:
        if self.servers.paused is not paused:
            (self.servers.pause if paused else self.servers.resume)()
            self.app.notify(note, timeout=timeout)
        self.refresh_view()
        self.refresh_bindings()

    def action_scope(self) -> None:
        """Show one server's batches, the next one's, or all servers' again (remembered)."""
        scope = self.servers.next_scope()
        self.app.notify(f"Showing {'all servers' if scope is None else 'server ' + clean(scope)}",
                        timeout=3, markup=False)  # fmt: skip
        self.refresh_view()
        self.app.call_later(self.app.run_action, "save_ui_state")

    # -- the password: for the server of the highlighted row (or the one that refused it) ----------

    def password_target(self) -> Session:
        """The highlighted row's server when it refused the login or nobody did; else the first
        server that refused it."""
        mine = self.servers.of(self.selected_key)
        if mine.board.status.auth_problem:
            return mine
        return next((s for s in self.servers if s.board.status.auth_problem), mine)

    def action_password(self) -> None:
        """Ask for the server password (masked); it is used at once and every batch is fetched again."""
        session = self.password_target()
        status = session.board.status
        creds = session.client.settings.credentials
        named = session.name if self.servers.multi else ""
        screen = PasswordScreen(creds.username, status.reason if status.auth_problem else None,
                                creds.secret_name, named)  # fmt: skip
        self.app.push_screen(screen, lambda secret: self._use_password(session, secret))

    def _use_password(self, session: Session, secret: Secret | None) -> None:
        if secret is None:
            return
        session.client.set_password(secret)
        self.announcer.auth_warned.discard(session.name)  # a wrong one typed here is announced again
        session.board.refresh()
        what = session.client.settings.credentials.secret_name.capitalize()
        self.app.notify(f"{what} set for this session; fetching again…", timeout=4, markup=False)
