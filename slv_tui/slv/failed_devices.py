"""The devices a batch's step messages report errors for: what "commission the failed devices
again" sends (the device-list variant, `commissionControllerDevicesListAsync`).

A device's message reads `DEVICE @ controller CONTROLLER: what happened`; the device is the text
before ` @ controller ` (free text: spaces occur), the controller the text up to the next `: `.
Only error messages count (a warning is not a failure); each device once, in server order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from slv_tui.slv.model import Batch

_DEVICE_MESSAGE = re.compile(r"^(?P<device>\S.*?) @ controller (?P<controller>\S+?): ")


@dataclass(frozen=True, slots=True)
class FailedDevices:
    """The devices of one controller whose messages were errors."""

    controller: str
    devices: tuple[str, ...]


def failed_devices(batch: Batch | None) -> list[FailedDevices]:
    """Per controller (in order of first error), the devices an error message names; empty when none does."""
    found: dict[str, dict[str, None]] = {}
    for step in () if batch is None else batch.steps:
        for message in step.errors:
            match = _DEVICE_MESSAGE.match(message.text)
            if match is not None:
                device = match["device"].strip()
                found.setdefault(match["controller"], {})[device] = None
    return [FailedDevices(controller, tuple(devices)) for controller, devices in found.items()]


def device_lines(failed: list[FailedDevices]) -> str:
    """The failed device IDs as text to copy: one per line (each controller's under its name when several)."""
    if len(failed) == 1:
        return "\n".join(failed[0].devices)
    return "\n".join(f"{f.controller}:\n" + "\n".join(f"  {d}" for d in f.devices) for f in failed)
