"""The kind of batch the `n` dialog starts: a controller's commissioning (the dialog's own fields),
its calendar (a scheduler ID), or a device import (a CSV file's path).

The widget owns its choice and its two fields; `show_kind` hides the dialog's controller fields a
kind does not use (each with its caption: the Label just before it), so the dialog's own layout
stays as it is.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, RadioButton, RadioSet

from slv_tui.slv.commission import CommissionError, CommissionRequest, Kind, scheduler_request
from slv_tui.store.device_csv import read_device_csv
from slv_tui.ui.safe_input import SafeInput

HIDDEN = "-commission-kind-hidden"
_KINDS: dict[str, Kind] = {"kind-controller": "controller", "kind-scheduler": "scheduler", "kind-csv": "csv"}
_USED_BY: dict[str, tuple[Kind, ...]] = {
    "#commission-controller": ("controller", "scheduler"),
    ".commission-part": ("controller",),
    "#commission-device-list": ("controller",),
}
"""The dialog's own fields (selectors) and the kinds that use them."""
_SCHEDULER_TIP = "commissionControllersSchedulers: the calendar of one controller"
_CSV_TIP = "importDevicesFromCsvFileAsync: the file's bytes are sent"


class CommissionKind(Vertical):
    """A row of three choices, then the scheduler ID or the CSV path when that kind is chosen."""

    SCOPED_CSS = False  # the hiding class applies to the dialog's own fields too
    DEFAULT_CSS = """
    .-commission-kind-hidden { display: none; }
    CommissionKind { height: auto; }
    #commission-kind-choice { layout: horizontal; width: 100%; height: auto; border: none; padding: 0;
                              background: transparent; }
    #commission-kind-choice > RadioButton { width: auto; margin-right: 2; background: transparent; }
    CommissionKind .commission-kind-field { height: 1; width: 100%; }
    CommissionKind .commission-kind-field Label { width: auto; }
    CommissionKind .commission-kind-field SafeInput { width: 1fr; }
    """

    class Changed(Message):
        """Another kind was chosen."""

        def __init__(self, kind: Kind) -> None:
            super().__init__()
            self.kind: Kind = kind

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind: Kind = "controller"

    def compose(self) -> ComposeResult:
        """The choice, and one field per kind that needs one (hidden until chosen)."""
        with RadioSet(id="commission-kind-choice", compact=True):
            yield RadioButton("Controller", True, id="kind-controller", compact=True)
            yield RadioButton("Calendar", id="kind-scheduler", compact=True, tooltip=_SCHEDULER_TIP)
            yield RadioButton("CSV import", id="kind-csv", compact=True, tooltip=_CSV_TIP)
        with Horizontal(id="commission-kind-scheduler", classes=f"commission-kind-field {HIDDEN}"):
            yield Label("Scheduler ID (schedulerId): ")
            yield SafeInput(placeholder="digits, e.g. 12", id="commission-scheduler", compact=True)
        with Horizontal(id="commission-kind-csv", classes=f"commission-kind-field {HIDDEN}"):
            yield Label("CSV file: ")
            yield SafeInput(placeholder="e.g. ~/devices.csv (a header row, one device a row)",
                            id="commission-csv", compact=True)  # fmt: skip

    @on(RadioSet.Changed, "#commission-kind-choice")
    def _chosen(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.kind = _KINDS.get(event.pressed.id or "", "controller")
        self.query_one("#commission-kind-scheduler").set_class(self.kind != "scheduler", HIDDEN)
        self.query_one("#commission-kind-csv").set_class(self.kind != "csv", HIDDEN)
        self.post_message(self.Changed(self.kind))
        field = {"scheduler": "#commission-scheduler", "csv": "#commission-csv"}.get(self.kind)
        if field is not None:
            self.call_after_refresh(self.query_one(field, SafeInput).focus)

    async def request(self, controller: str) -> CommissionRequest:
        """The checked request of the scheduler or CSV kind (the file is read in a thread)."""
        if self.kind == "scheduler":
            return scheduler_request(controller, self.query_one("#commission-scheduler", SafeInput).value)
        text = self.query_one("#commission-csv", SafeInput).value.strip()
        if not text:
            raise CommissionError("no CSV file given")
        return await asyncio.to_thread(_read, text)


def _read(path: str) -> CommissionRequest:
    """The device import of the file at `path` (`~` expanded), read in a worker thread."""
    return read_device_csv(Path(path).expanduser())


def show_kind(dialog: Widget, kind: Kind) -> None:
    """Hide the dialog's fields that `kind` does not use, each with its caption; show the others."""
    for selector, kinds in _USED_BY.items():
        hide = kind not in kinds
        for field in dialog.query(selector):
            node = field  # a container holding only such fields (a row of checkboxes) goes too
            while (
                isinstance(node.parent, Widget)
                and node.parent is not dialog
                and all(type(child) is type(field) for child in node.parent.children)
            ):
                node = node.parent
            caption = _caption(node)
            for widget in (field, node) if caption is None else (field, node, caption):
                widget.set_class(hide, HIDDEN)


def _caption(field: Widget) -> Label | None:
    """The Label just before a field (skipping fields of the same type, e.g. a row of checkboxes)."""
    parent = field.parent
    if not isinstance(parent, Widget):
        return None
    siblings = list(parent.children)
    for previous in reversed(siblings[: siblings.index(field)]):
        if isinstance(previous, Label):
            return None if previous.has_class("dialog-title") else previous
        if type(previous) is not type(field):
            return None
    return None
