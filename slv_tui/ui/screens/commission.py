"""Starting a commissioning from the dashboard: the request dialog, the confirmation, and the key.

The key exists only on `CommissioningDashboard`; a read-only dashboard is a plain `DashboardScreen`,
so the action is absent from the footer, help and palette (not merely disabled)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Label, Static, TextArea

from slv_tui.common.sanitize import clean
from slv_tui.slv.commission import PARTS, CommissionError, CommissionRequest, make_request, start_commission
from slv_tui.slv.errors import AuthError, ServerError, SlvError, TlsError
from slv_tui.slv.failed_devices import failed_devices
from slv_tui.ui.safe_input import SafeInput
from slv_tui.ui.screens import feed_screens
from slv_tui.ui.screens.dashboard import DashboardScreen
from slv_tui.ui.screens.dashboard_keys import narrow_twin
from slv_tui.ui.screens.feed_screens import problem
from slv_tui.ui.styles import colour_style
from slv_tui.ui.widgets.commission_kind import CommissionKind, show_kind
from slv_tui.ui.wiring import Session

_SEPARATORS = (",", ";", "\n", "\t")


class CommissionScreen(ModalScreen[CommissionRequest | None]):
    """Controller ID, the parts to commission, or only a pasted list of its devices."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Next", priority=True, id="commission-next"),
        Binding("escape", "cancel", "Cancel", id="commission-cancel"),
        Binding("q", "cancel", "Cancel", show=False),  # typed into the fields; on a checkbox, closes
    ]
    """The dialog's own footer shows these (not the table's keys underneath)."""

    def __init__(self, controller: str = "", devices: tuple[str, ...] = (), server: str = "") -> None:
        super().__init__()
        self.server = server
        """The server it starts on, named in the title (several servers watched)."""
        self.prefill = (controller, devices)
        """Pre-filled for review (the failed devices of a batch): the device-list variant."""

    def compose(self) -> ComposeResult:
        """The fields, an error line and the buttons; compact enough for 60x20."""
        title = "Commission the failed devices again" if self.prefill[1] else "New commissioning"
        if self.server:
            title += f" on {clean(self.server, max_length=24)}"
        with Vertical(classes="dialog", id="commission-dialog"):
            yield Label(title, classes="dialog-title")
            yield CommissionKind(id="commission-kind")
            yield Label("Controller ID (controllerStrId):")
            yield SafeInput(placeholder="e.g. CTRL-PARIS-07", id="commission-controller", compact=True)
            yield Label("Parts (commissionControllerAsync):")
            for key, (_bit, label) in PARTS.items():
                yield Checkbox(label, True, id=f"part-{key}", classes="commission-part")
            yield Label("Or only these devices (idOnController, one per line):")
            yield TextArea(id="commission-device-list", soft_wrap=True, show_line_numbers=False, compact=True)
            yield Static(id="commission-errors", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Next…", variant="primary", id="commission-ok", compact=True)
                yield Button("Cancel", id="commission-cancel-button", compact=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Type the controller ID at once (pre-filled: review the device list)."""
        controller, devices = self.prefill
        box = self.query_one("#commission-controller", SafeInput)
        box.value = controller
        if devices:
            self.query_one("#commission-device-list", TextArea).text = "\n".join(devices)
        box.focus()

    @on(SafeInput.Submitted, "#commission-controller")
    def _entered(self) -> None:
        self.action_submit()

    @on(CommissionKind.Changed)
    def _kind_changed(self, event: CommissionKind.Changed) -> None:
        show_kind(self.query_one("#commission-dialog"), event.kind)
        self.query_one("#commission-errors", Static).remove_class("-shown")  # it was about another kind

    @on(SafeInput.Submitted, "#commission-scheduler, #commission-csv")
    def _kind_entered(self) -> None:
        self.action_submit()

    @work(group="commission-kind", exclusive=True)
    async def _submit_kind(self, kind: CommissionKind, controller: str) -> None:
        """The calendar or CSV kind: check (and read the file) off the event loop, then close."""
        try:
            request = await kind.request(controller)
        except CommissionError as exc:
            errors = self.query_one("#commission-errors", Static)
            errors.update(Text(f"✖ {clean(exc)}"))
            errors.add_class("-shown")
            return
        if self.is_current:  # not closed meanwhile (escape while the file was read)
            self.dismiss(request)

    def action_submit(self) -> None:
        """Check the fields; close with the request, or say what is wrong and stay open."""
        controller = self.query_one("#commission-controller", SafeInput).value
        kind = self.query_one(CommissionKind)
        if kind.kind != "controller":
            self._submit_kind(kind, controller)
            return
        flags = sum(bit for key, (bit, _) in PARTS.items() if self.query_one(f"#part-{key}", Checkbox).value)
        text = self.query_one("#commission-device-list", TextArea).text
        for separator in _SEPARATORS:
            text = text.replace(separator, "\n")
        devices = [line.strip() for line in text.split("\n") if line.strip()]  # an ID may hold spaces
        try:
            if not devices and not flags:
                raise CommissionError("choose at least one part, or list devices")
            request = make_request(controller, flags=flags or 7, devices=devices)
        except CommissionError as exc:
            errors = self.query_one("#commission-errors", Static)
            errors.update(Text(f"✖ {clean(exc)}"))
            errors.add_class("-shown")
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        """Close without starting anything."""
        self.dismiss(None)

    @on(Button.Pressed, "#commission-ok")
    def _ok(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#commission-cancel-button")
    def _cancel(self) -> None:
        self.dismiss(None)


class ConfirmCommissionScreen(ModalScreen[bool]):
    """Shows exactly what will be sent to which server as which user; Cancel has the focus.

    Start and Cancel stay on screen however long the list (the fields scroll above them, 60x20
    included), and no toast covers them while the question is open (one still within its time shows again
    after)."""

    DEFAULT_CSS = """
    ConfirmCommissionScreen #confirm-dialog {
        layout: vertical;
    }
    ConfirmCommissionScreen #confirm-scroll {
        height: auto;
        max-height: 1fr;
    }
    ConfirmCommissionScreen #confirm-end {
        dock: bottom;
        height: auto;
    }
    ConfirmCommissionScreen Toast {
        visibility: hidden;
    }
    """

    BINDINGS = [
        Binding("y", "start", "Start", id="confirm-start"),
        Binding("n,escape", "cancel", "Cancel", id="confirm-cancel"),
        Binding("q", "cancel", "Cancel", show=False),
    ]
    """The confirmation's own footer shows these (not the table's keys underneath)."""

    def __init__(
        self, request: CommissionRequest, server: str, user: str, profile: str, color: str = ""
    ) -> None:
        super().__init__()
        self.request = request
        self.server, self.user, self.profile, self.color = server, user, profile, color

    def compose(self) -> ComposeResult:
        """The target, the fields posted, and Start / Cancel."""
        rows = Text()
        rows.append("Profile: ", style="bold")
        rows.append(clean(self.profile, max_length=100), style=colour_style(self.color))
        rows.append("\n")
        for name, value in [
            ("Server", self.server),
            ("User", f"{self.user} (profile {self.profile})"),
            *self.request.sent(),
        ]:
            rows.append(f"{name}: ", style="bold")
            rows.append(f"{clean(value, max_length=50_000)}\n")
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label("Start this commissioning?", classes="dialog-title")
            with Vertical(id="confirm-end"):
                yield Label("It starts at once; slv-tui cannot cancel it.", classes="dialog-hint")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Start (y)", variant="warning", id="confirm-start-button", compact=True)
                    yield Button("Cancel (n)", id="confirm-cancel-button", compact=True)
            with VerticalScroll(id="confirm-scroll"):
                yield Static(rows, id="confirm-what")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Enter alone never starts a run: the focus is on Cancel."""
        self.query_one("#confirm-cancel-button", Button).focus()

    def action_start(self) -> None:
        """Confirmed."""
        self.dismiss(True)

    def action_cancel(self) -> None:
        """Not confirmed."""
        self.dismiss(False)

    @on(Button.Pressed, "#confirm-start-button")
    def _start(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-cancel-button")
    def _cancel(self) -> None:
        self.dismiss(False)


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
