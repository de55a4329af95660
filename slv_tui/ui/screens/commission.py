"""Starting a commissioning from the dashboard: the key, the request and its confirmation.

The key exists only on `CommissioningDashboard`; a read-only dashboard is a plain `DashboardScreen`,
so the action is absent from the footer, help and palette (not merely disabled). The dialogs
(`commission_dialog`) are imported when first asked for: the dashboard's start does without them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work
from textual.binding import Binding

from slv_tui.common.sanitize import clean
from slv_tui.slv.errors import AuthError, ServerError, SlvError, TlsError
from slv_tui.ui.screens import feed_screens
from slv_tui.ui.screens.dashboard import DashboardScreen
from slv_tui.ui.screens.dashboard_keys import narrow_twin
from slv_tui.ui.screens.feed_screens import problem
from slv_tui.ui.wiring import Session

if TYPE_CHECKING:
    from slv_tui.slv.commission import CommissionRequest


REDO_FAILED = Binding(
    "F", "commission_failed", "Redo failed",
    tooltip="Commission again the devices the selected batch reported errors for (reviewed first)",
    id="commission-failed",
)  # fmt: skip


class CommissioningDashboard(DashboardScreen):
    """The dashboard with the commissioning key (every mode but read-only).

    A POST that is on its way is never cancelled: `n` pressed again before the server has answered is
    refused with a toast (the run may already have started; a second one would be a second run), and
    the batch the answer names is watched as soon as it arrives."""

    BINDINGS = [
        Binding(
            "n", "commission", "Commission", show=False,
            tooltip="Start commissioning a controller or its devices", id="commission",
        ),
        REDO_FAILED,
        narrow_twin(REDO_FAILED),  # narrower than 100 columns
    ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.posting: CommissionRequest | None = None
        """The commissioning whose POST waits for the server's answer."""

    def writable(self, session: Session) -> bool:
        read_only = self.settings.read_only if session.read_only is None else session.read_only
        return not read_only

    def commission_target(self) -> Session | None:
        """The highlighted row's server; with no row, the first server that allows commissioning;
        None when the highlighted row's profile is read-only (the key is not there then)."""
        key = self.selected_key
        if key is None:
            return next((s for s in self.servers if self.writable(s)), None)
        session = self.servers.of(key)
        return session if self.writable(session) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The commissioning keys exist only while the highlighted row's profile may change its server."""
        if action.startswith("commission") and self.commission_target() is None:
            return False
        return super().check_action(action, parameters)

    def profile_of(self, session: Session) -> str:
        """The profile's name, shown in the confirmation."""
        return session.name if self.servers.multi else self.settings.profile

    def action_commission(self) -> None:
        """Ask what to commission, confirm it, start it; the new batch joins the watchlist, selected."""
        if self.posting is not None:
            self.app.notify(
                f"Still starting {self.posting.endpoint} for {clean(self.posting.controller)}: waiting for "
                "the server's answer. Press n again once it is confirmed.",
                title="Commissioning in progress", severity="warning", timeout=8, markup=False,
            )  # fmt: skip
            return
        self._ask_and_start()

    def action_commission_failed(self) -> None:
        """The dialog pre-filled with the device-list variant for the devices that reported errors."""
        from slv_tui.slv.failed_devices import failed_devices

        snap = self.servers.snapshot(self.selected_key)
        failed = failed_devices(None if snap is None else snap.batch)
        if not failed:
            self.app.notify("No device of this batch reported an error", timeout=4, markup=False)
        elif self.posting is not None:
            self.action_commission()  # says a POST is still waiting
        else:
            if len(failed) > 1:
                self.app.notify(
                    f"Errors on {len(failed)} controllers: {clean(failed[0].controller)}'s devices first",
                    timeout=6, markup=False,
                )  # fmt: skip
            self._ask_and_start(failed[0].controller, failed[0].devices)

    def action_commission_failed_quietly(self) -> None:
        """F where the footer has no room for it."""
        self.action_commission_failed()

    @work(group="commission")
    async def _ask_and_start(self, controller: str = "", devices: tuple[str, ...] = ()) -> None:
        from slv_tui.ui.screens.commission_dialog import CommissionScreen, ConfirmCommissionScreen

        session = self.commission_target()
        if session is None:  # the row under the cursor moved to a read-only profile meanwhile
            return
        named = session.name if self.servers.multi else ""
        request = await self.app.push_screen_wait(CommissionScreen(controller, devices, named))
        if request is None:
            return
        client = session.client
        creds = client.settings.credentials
        profile = self.profile_of(session)
        confirm = ConfirmCommissionScreen(
            request, client.settings.base_url, creds.username, profile, session.color
        )
        confirmed = await self.app.push_screen_wait(confirm)
        if not confirmed:
            self.app.notify("Nothing started", timeout=3, markup=False)
            return
        if self.posting is not None:  # a second dialog was confirmed while the first POST waits
            self.action_commission()
            return
        self.posting = request
        try:
            await self._start(request, session)
        finally:
            self.posting = None

    async def _start(self, request: CommissionRequest, session: Session) -> None:
        from slv_tui.slv.commission import start_commission

        notify = self.app.notify
        notify(f"Starting {request.endpoint}…", timeout=3, markup=False)
        try:
            batch = await start_commission(session.client, request)
        except ServerError as exc:
            problem(self.app, exc.detail, title="The server refused", severity="error", timeout=30)
            return
        except (TlsError, AuthError) as exc:  # refused before the request was read
            problem(self.app, str(exc), title="Not started", severity="error", timeout=30)
            return
        except SlvError as exc:  # a cut connection, a timeout, an unreadable answer: it may exist anyway
            text = clean(f"{exc} — it may have started: check the SLV web UI")
            problem(self.app, text, title="Commissioning not confirmed", severity="error", timeout=30)
            return
        user = session.client.settings.credentials.username
        feed_screens.commission_started(self.app, batch.batch_id, user, request.controller,
                                        profile=self.profile_of(session))  # fmt: skip
        await self.add_batches([batch.batch_id], request.label, server=session.name)
        notify(f"Commissioning started: batch {batch.batch_id}", title="Started", markup=False)
