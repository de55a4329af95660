"""The commissioning requests: what `commissionControllerAsync` and its device-list variant are sent."""

from __future__ import annotations

from dataclasses import dataclass

from slv_tui.common.sanitize import clean
from slv_tui.slv.client import SlvClient
from slv_tui.slv.model import Batch

CONTROLLER_PATH = "/api/controllermanagement/commissionControllerAsync"
DEVICES_PATH = "/api/controllermanagement/commissionControllerDevicesListAsync"

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
class CommissionRequest:
    """One commissioning to start: the whole controller (flags) or a list of its devices."""

    controller: str
    flags: int = ALL_FLAGS
    devices: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """The API path this request is posted to."""
        return DEVICES_PATH if self.devices else CONTROLLER_PATH

    @property
    def endpoint(self) -> str:
        """The API method's name, for messages."""
        return self.path.rsplit("/", 1)[1]

    def form(self) -> dict[str, str | list[str]]:
        """The form fields posted (besides `ser=json`)."""
        if self.devices:
            return {"controllerStrId": self.controller, "idOnController": list(self.devices)}
        return {"controllerStrId": self.controller, "flags": str(self.flags)}

    def parts(self) -> list[str]:
        """What will be commissioned, in the SLV web UI's words."""
        if self.devices:
            more = "…" if len(self.devices) > 5 else ""
            return [f"{len(self.devices)} device(s): {', '.join(self.devices[:5])}{more}"]
        return [label for bit, label in PARTS.values() if self.flags & bit]

    def sent(self) -> list[tuple[str, str]]:
        """Exactly what is posted, field by field, for a confirmation (values sanitized)."""
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


async def start_commission(client: SlvClient, request: CommissionRequest) -> Batch:
    """Send the request; the new batch, or ServerError (the refusal, with its label), or another SlvError."""
    return await client.post_batch(request.path, request.form())
