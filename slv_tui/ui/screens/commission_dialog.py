"""The commissioning dialogs: the request (`n`, `F`) and the confirmation.

Imported when `n` or `F` is first pressed (`screens.commission`), not at the dashboard's start: with
them come Textual's TextArea (its document model and themes), Checkbox and RadioSet, the CSV reader."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Label, Static, TextArea

from slv_tui.common.sanitize import clean
from slv_tui.slv.commission import PARTS, CommissionError, CommissionRequest, make_request
from slv_tui.ui.safe_input import SafeInput
from slv_tui.ui.styles import colour_style
from slv_tui.ui.widgets.commission_kind import CommissionKind, show_kind

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
