"""The calls that start a batch: commissioning a controller (or a list of its devices), calendar
commissioning (`commissionControllersSchedulers`) and the device import from a CSV file."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Literal

from slv_tui.common.sanitize import clean
from slv_tui.slv.client import SlvClient
from slv_tui.slv.model import Batch

CONTROLLER_PATH = "/api/controllermanagement/commissionControllerAsync"
DEVICES_PATH = "/api/controllermanagement/commissionControllerDevicesListAsync"
SCHEDULER_PATH = "/api/dimmingscheduler/commissionControllersSchedulers"
IMPORT_PATH = "/api/loggingmanagement/importDevicesFromCsvFileAsync"
MAX_CSV_BYTES = 10 * 1024 * 1024
"""A device import file larger than this is refused before anything is sent."""
MAX_SCHEDULER_DIGITS = 19
Kind = Literal["controller", "scheduler", "csv"]

PARTS: dict[str, tuple[int, str]] = {
    "config": (1, "Controller configuration"),
    "schedules": (2, "Schedulers"),
    "devices": (4, "OLCs / devices"),
}
"""`--what` names -> (flag bit, the name the SLV web UI gives the part)."""
ALL_FLAGS = 7
MAX_ID_CHARS = 200
MAX_DEVICES = 10_000
SHOWN_DEVICES = 1_000
"""A confirmation lists this many device IDs (and how many more); the count is always exact."""


class CommissionError(ValueError):
    """A commissioning request that cannot be sent (empty or unprintable ID, no part chosen)."""


@dataclass(frozen=True, slots=True)
class CsvFile:
    """A device import file as read: its name (for messages), its bytes, and what its header says."""

    name: str
    data: bytes
    fields: tuple[str, ...]
    """The header row's field names (sanitized), for the confirmation."""
    rows: int
    """Device rows after the header: its non-blank lines (a quoted field may span lines: a hint)."""

    def summary(self) -> str:
        """One line for a confirmation: name, size, rows and fields."""
        fields = ", ".join(self.fields[:12]) + (" …" if len(self.fields) > 12 else "")
        return clean(
            f"{self.name!r}: {len(self.data):,} bytes, {self.rows:,} device row(s); fields: {fields}",
            max_length=2_000,
        )


@dataclass(frozen=True, slots=True)
class CommissionRequest:
    """One batch to start: a controller (flags) or a list of its devices, a controller's calendar
    (`scheduler`), or a device import (`csv`, no controller)."""

    controller: str
    flags: int = ALL_FLAGS
    devices: tuple[str, ...] = ()
    scheduler: str | None = None
    """`schedulerId` (digits): calendar commissioning of the controller."""
    csv: CsvFile | None = None
    """The file whose bytes are the body of a device import."""

    @property
    def kind(self) -> Kind:
        """Which call: controller (either variant), scheduler, or csv."""
        if self.csv is not None:
            return "csv"
        return "scheduler" if self.scheduler is not None else "controller"

    @property
    def method(self) -> Literal["GET", "POST"]:
        """The HTTP method: calendar commissioning is a GET (it starts a batch all the same)."""
        return "GET" if self.kind == "scheduler" else "POST"

    @property
    def path(self) -> str:
        """The API path this request is sent to."""
        if self.kind != "controller":
            return SCHEDULER_PATH if self.kind == "scheduler" else IMPORT_PATH
        return DEVICES_PATH if self.devices else CONTROLLER_PATH

    @property
    def label(self) -> str:
        """The watchlist label of the batch it starts."""
        if self.csv is not None:
            return clean(f"import {self.csv.name}", max_length=200)
        return self.controller

    def query(self) -> dict[str, str]:
        """The query parameters of the GET (besides `ser=json`); empty for a POST."""
        if self.scheduler is None:
            return {}
        return {"schedulerId": self.scheduler, "controllerStrId": self.controller}

    @property
    def endpoint(self) -> str:
        """The API method's name, for messages."""
        return self.path.rsplit("/", 1)[1]

    def form(self) -> dict[str, str | list[str]]:
        """The form fields posted (besides `ser=json`); empty for the GET and the CSV body."""
        if self.kind != "controller":
            return {}
        if self.devices:
            return {"controllerStrId": self.controller, "idOnController": list(self.devices)}
        return {"controllerStrId": self.controller, "flags": str(self.flags)}

    def parts(self) -> list[str]:
        """What will be commissioned, in the SLV web UI's words."""
        if self.csv is not None:
            return [f"{self.csv.rows:,} device row(s) from {self.csv.name!r}"]
        if self.scheduler is not None:
            return [f"calendar (scheduler {self.scheduler})"]
        if self.devices:
            more = "…" if len(self.devices) > 5 else ""
            return [f"{len(self.devices)} device(s): {', '.join(self.devices[:5])}{more}"]
        return [label for bit, label in PARTS.values() if self.flags & bit]

    def sent(self) -> list[tuple[str, str]]:
        """Exactly what is sent, field by field, for a confirmation (values sanitized)."""
        if self.csv is not None:
            return [("POST", self.path), ("body", f"the CSV file {self.csv.summary()}")]
        if self.scheduler is not None:
            rows = [("GET", self.path), ("schedulerId", self.scheduler)]
            return [*rows, ("controllerStrId", clean(self.controller))]
        rows = [("POST", self.path), ("controllerStrId", clean(self.controller))]
        if self.devices:
            shown = ", ".join(_shown(d) for d in self.devices[:SHOWN_DEVICES])
            more = len(self.devices) - SHOWN_DEVICES
            tail = f" … and {more} more" if more > 0 else ""
            rows.append(("idOnController", f"{len(self.devices)} device(s): {shown}{tail}"))
        else:
            rows.append(("flags", f"{self.flags} = {' + '.join(self.parts())}"))
        return rows

    def describe(self) -> str:
        """One line: what is sent (endpoint, controller, parts); every value sanitized."""
        if self.csv is not None:
            return clean(f"{self.endpoint} of {self.csv.summary()}", max_length=2_000)
        if self.scheduler is not None:
            return clean(f"{self.endpoint} controller {self.controller!r} (schedulerId={self.scheduler})")
        what = "; ".join(self.parts())
        detail = f"devices={len(self.devices)}" if self.devices else f"flags={self.flags}"
        return clean(f"{self.endpoint} controller {self.controller!r} ({detail}: {what})")


def _shown(device: str) -> str:
    """A device ID for a list: quoted when a space or comma would make the list ambiguous."""
    return repr(device) if any(c.isspace() or c == "," for c in device) else device


def check_id(text: str, what: str) -> str:
    """An ID as typed, stripped; empty, too long or with control characters is a CommissionError.

    IDs are free text in SLV (`idOnController` values contain spaces): everything else is accepted
    and form-encoded when sent."""
    value = text.strip()
    if not value:
        raise CommissionError(f"no {what} given")
    if len(value) > MAX_ID_CHARS:
        raise CommissionError(f"{what} too long ({len(value)} characters, at most {MAX_ID_CHARS})")
    if clean(value) != value:
        raise CommissionError(f"invalid {what} {clean(value)!r}: no control characters")
    return value


def flags_of(names: list[str]) -> int:
    """The flag sum of part names (config, schedules, devices); an unknown name is a CommissionError."""
    flags = 0
    for name in names:
        key = name.strip().lower()
        if key not in PARTS:
            raise CommissionError(f"unknown part {clean(name)!r} (expected: {', '.join(PARTS)})")
        flags |= PARTS[key][0]
    if not flags:
        raise CommissionError("no part chosen (expected one or more of: " + ", ".join(PARTS) + ")")
    return flags


def make_request(
    controller: str, *, flags: int = ALL_FLAGS, devices: list[str] | None = None
) -> CommissionRequest:
    """A checked request: a controller ID and either flags (1..7) or up to MAX_DEVICES device IDs."""
    controller = check_id(controller, "controller ID")
    if not 1 <= flags <= ALL_FLAGS:
        raise CommissionError(f"flags must be 1 to {ALL_FLAGS}, not {flags}")
    unique: list[str] = []
    for device in devices or []:
        checked = check_id(device, "device ID")
        if checked not in unique:
            unique.append(checked)
    if len(unique) > MAX_DEVICES:
        raise CommissionError(f"too many devices ({len(unique):,}, at most {MAX_DEVICES:,})")
    return CommissionRequest(controller, flags, tuple(unique))


def scheduler_request(controller: str, scheduler: str) -> CommissionRequest:
    """A checked calendar commissioning: a controller ID and a `schedulerId` of 1-19 digits."""
    controller = check_id(controller, "controller ID")
    value = scheduler.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_SCHEDULER_DIGITS):
        shown = clean(value, max_length=40)
        raise CommissionError(f"invalid scheduler ID {shown!r}: expected 1-{MAX_SCHEDULER_DIGITS} digits")
    return CommissionRequest(controller, scheduler=value)


def import_request(name: str, data: bytes) -> CommissionRequest:
    """A checked device import: the file's bytes (not empty, at most MAX_CSV_BYTES) and its header.

    Only the header and the row count are read here, for the confirmation; the server judges the
    fields. Text that is not UTF-8 is summarised with replacement characters and sent as it is."""
    shown = clean(name, max_length=200)
    if len(data) > MAX_CSV_BYTES:
        raise CommissionError(f"{shown}: larger than {MAX_CSV_BYTES // (1024 * 1024)} MiB")
    lines = [line for line in data.decode("utf-8-sig", errors="replace").splitlines() if line.strip()]
    if not lines:
        raise CommissionError(f"{shown}: the CSV file is empty")
    try:
        header = next(csv.reader(lines[:1]), [])
    except csv.Error as exc:
        raise CommissionError(f"{shown}: not a CSV file ({exc})") from None
    fields = tuple(clean(cell.strip(), max_length=60) for cell in header)
    return CommissionRequest("", csv=CsvFile(shown, data, fields, len(lines) - 1))


async def start_commission(client: SlvClient, request: CommissionRequest) -> Batch:
    """Send the request once; the new batch, or ServerError (the refusal, with its label), or another
    SlvError (`UnconfirmedPost` when the answer leaves open whether it started)."""
    if request.csv is not None:
        return await client.start_batch("POST", request.path, content=request.csv.data)
    if request.scheduler is not None:
        return await client.start_batch("GET", request.path, query=request.query())
    return await client.start_batch("POST", request.path, form=request.form())
