"""What the dashboard says out loud: finished-batch toasts (and the bell), desktop and terminal
alerts (a notifier channel on each Board's watcher events), and the authentication warning."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import Batch, BatchState
from slv_tui.ui.format import STATE_LABELS
from slv_tui.ui.rows import BatchKey
from slv_tui.ui.screens import feed_screens
from slv_tui.ui.screens.dashboard_view import FINISH_TOAST, finish_text
from slv_tui.ui.screens.feed_screens import problem as problem  # the one door for problem toasts
from slv_tui.ui.widgets.header_bar import HeaderBar
from slv_tui.watch.alerts import AlertChannel, Alerts, Delivery
from slv_tui.watch.snapshot import ServerStatus
from slv_tui.watch.watcher import Watcher

if TYPE_CHECKING:
    from slv_tui.ui.screens.dashboard import DashboardScreen
    from slv_tui.ui.wiring import Session


class Announcer:
    """Toasts and alerts for the dashboard; remembers what it announced (what tests check)."""

    def __init__(self, screen: DashboardScreen, alerts: Alerts | None, *, bell: bool) -> None:
        self.screen = screen
        self.alerts = alerts
        self.ring_bell = bell
        self.finished: list[tuple[str, BatchState]] = []
        """Every batch seen finishing, in order (what the toasts announced)."""
        self.finished_keys: list[BatchKey] = []
        """The same, as row keys (server, batch ID)."""
        self.alerted: list[Delivery] = []
        """Every desktop alert sent, in order."""
        self.auth_warned: set[str] = set()
        """The servers whose login failure was announced (again once it cleared)."""

    def finished_batch(self, server: str, batch: Batch, state: BatchState) -> None:
        """A toast (and the bell when asked for) for a batch seen finishing."""
        self.finished.append((batch.batch_id, state))
        self.finished_keys.append(BatchKey(server, batch.batch_id))
        title, severity, timeout = FINISH_TOAST[state]
        symbol = STATE_LABELS[state][0]
        text = finish_text(batch, self.screen.servers.label_of(BatchKey(server, batch.batch_id)))
        app = self.screen.app
        title = self.screen.server_title(f"{symbol} {title}", server)
        app.notify(text, title=title, severity=severity, timeout=timeout, markup=False)
        if self.ring_bell:
            app.bell()

    def listen(self, session: Session) -> None:
        """Desktop alerts for this server: a notifier channel (`AlertChannel`) fed by a watcher of its
        Board, as `slv-tui watch` and `[notify]` are (nothing when no event has a channel)."""
        alerts = self.alerts
        if alerts is None or not alerts.enabled:
            return
        board = session.board

        def batch_of(batch_id: str) -> Batch | None:
            snap = board.snapshot(batch_id)
            return None if snap is None else snap.batch

        channel = AlertChannel(alerts, partial(self._deliver, alerts), batch_of, board.label_of)
        board.subscribe(Watcher(board, channel.offer, name=session.name))

    def _deliver(self, alerts: Alerts, delivery: Delivery) -> None:
        """A command in a thread, an escape, or the bell (on the UI thread: the Board runs there)."""
        self.alerted.append(delivery)
        if delivery.command is not None:
            self.screen.run_worker(partial(alerts.run, delivery.command), thread=True, group="alerts")
        else:
            self.screen.deliver.alert(delivery.escape)

    def auth(self, name: str, server: ServerStatus) -> None:
        """The header says how each client logs in; an auth failure offers P, once until it clears."""
        screen = self.screen
        client = screen.servers.of(name).client
        what = client.settings.credentials.secret_name
        header: HeaderBar | None = getattr(screen, "header", None)  # set on mount; no DOM query a round
        if header is not None and header.is_attached:  # not once torn down
            header.set_auth(client.auth_label, what, server=name)
        if server.auth_problem and name not in self.auth_warned:
            feed_screens.problem(
                screen.app,
                f"{clean(server.reason or 'authentication failed')} — press P to enter the {what}",
                title=screen.server_title("Authentication", name),
                severity="error",
                timeout=15,
            )
        if server.auth_problem:
            self.auth_warned.add(name)
        else:
            self.auth_warned.discard(name)
