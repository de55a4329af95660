"""The simulator's other calls that answer a batch: the device import from a CSV file and calendar
(scheduler) commissioning of one controller."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

from aiohttp import web

from slv_tui.sim import wire

if TYPE_CHECKING:
    from slv_tui.sim.server import SimServer

IMPORT_PATH = "/api/loggingmanagement/importDevicesFromCsvFileAsync"
SCHEDULER_PATH = "/api/dimmingscheduler/commissionControllersSchedulers"
MAX_BODY = 16 * 1024 * 1024
"""Request bodies up to this size are read (a larger one is answered 413)."""
MAX_STEPS = 10_000
"""At most this many device rows get a step of their own; the summary counts every row."""
KNOWN_FIELDS = frozenset(
    {
        "controllerStrId", "idOnController", "name", "categoryStrId", "modelFunctionId", "geoZone",
        "geoZoneNamesPath", "lat", "lng", "address", "location", "macAddress", "installDate",
        "comment", "power", "lampType", "firmwareVersion", "serialNumber",
    }
)  # fmt: skip
"""The header fields the simulator accepts (a real server knows more: its device model's fields)."""
REQUIRED_FIELDS = ("controllerStrId", "idOnController")


def _answer(request: web.Request, obj: Any) -> web.Response:
    """JSON with `ser=json` in the query, XML otherwise (as SLV)."""
    return wire.json_response(obj) if request.query.get("ser") == "json" else wire.xml_response(obj)


def _invalid_csv(request: web.Request, detail: str) -> web.Response:
    return _answer(request, wire.error_object("602", "Invalid CSV file", detail))


def _literal(text: str) -> str:
    """Text from the file, protected from the timeline's `{placeholder}` filling."""
    return text.replace("{", "{{").replace("}", "}}")


def parse_devices(body: bytes) -> tuple[list[str], list[dict[str, str]]] | str:
    """(header fields, one dict per device row) of a CSV body, or why it is refused (one line)."""
    text = body.decode("utf-8-sig", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "The CSV file is empty"
    delimiter = ";" if ";" in lines[0] and "," not in lines[0] else ","
    try:
        rows = list(csv.reader(lines, delimiter=delimiter))
    except csv.Error as exc:
        return f"The CSV file cannot be read: {exc}"
    header = [cell.strip() for cell in rows[0]]
    if not any(cell in KNOWN_FIELDS for cell in header):
        return f"No header row: the first line must name the fields, e.g. {','.join(REQUIRED_FIELDS)},name"
    unknown = [cell for cell in header if cell not in KNOWN_FIELDS]
    if unknown:
        return f"Unknown field {unknown[0]!r} in the header row"
    missing = [field for field in REQUIRED_FIELDS if field not in header]
    if missing:
        return f"Missing field {missing[0]!r} in the header row"
    padded = ([*row, *[""] * len(header)] for row in rows[1:])
    devices = [{field: cells[i].strip() for i, field in enumerate(header)} for cells in padded]
    return header, devices


def import_timeline(devices: list[dict[str, str]]) -> tuple[dict[str, Any], int]:
    """The raw timeline of an import: a check step, one step per device row, a summary; and how
    many rows are refused (a missing ID, or a controller whose ID starts with `unknown`)."""
    count = len(devices)
    duration = min(60.0, 4.0 + 0.5 * count)
    span = duration - 3.0
    steps: list[dict[str, Any]] = [
        {"name": "check", "label": "Check CSV file", "at": 0, "messages": [
            {"at": 1, "severity": "info", "text": f"{count} device row(s) read from the CSV file"},
        ]},
    ]  # fmt: skip
    refused = 0
    for n, device in enumerate(devices, start=1):
        controller, device_id = device.get("controllerStrId", ""), device.get("idOnController", "")
        name = device.get("name") or device_id
        if not controller or not device_id:
            severity, text = "error", f"Row {n}: controllerStrId and idOnController are required"
        elif controller.lower().startswith("unknown"):
            severity, text = "error", f"Row {n}: controller {controller} not found; {device_id} not imported"
        else:
            severity, text = "info", f"Device {name!r} ({device_id}) created on controller {controller}"
        refused += severity == "error"
        if n > MAX_STEPS:
            continue
        at = 2.0 + span * (n - 1) / max(count, 1)
        label = f"Row {n}: {device_id or '?'} @ {controller or '?'}"
        message = {"at": at, "severity": severity, "text": _literal(text)}
        steps.append({"name": f"row{n}", "label": _literal(label), "at": at, "messages": [message]})
    summary = f"{count} device row(s): {count - refused} imported, {refused} not imported"
    steps.append({"name": "import", "label": "Device import", "at": duration - 1, "messages": [
        {"at": duration - 1, "severity": "info", "text": summary},
    ]})  # fmt: skip
    raw: dict[str, Any] = {
        "duration": duration,
        "progress": {"unknown_until": 1},
        "progress_messages": [[0, "Reading the CSV file"], [2, f"Importing {count} devices"]],
        "final_progress_message": "Device import finished.",
        "outcome": "errors" if refused else "ok",
        "steps": steps,
    }
    return raw, refused


async def import_devices(server: SimServer, request: web.Request) -> web.StreamResponse:
    """POST importDevicesFromCsvFileAsync: the body is the CSV file; a bad file is an error object."""
    body = await request.read()
    parsed = parse_devices(body)
    if isinstance(parsed, str):
        return _invalid_csv(request, parsed)
    header, devices = parsed
    raw, refused = import_timeline(devices)
    batch_id = server.start_timeline(raw)
    server.started.append(("import_devices", {"fields": header, "rows": len(devices), "refused": refused}))
    return _answer(request, server.batch_json(batch_id))


async def schedulers(server: SimServer, request: web.Request) -> web.StreamResponse:
    """GET commissionControllersSchedulers: calendar commissioning of one controller."""
    scheduler = request.query.get("schedulerId", "").strip()
    controller = request.query.get("controllerStrId", "").strip()
    if not scheduler.isascii() or not scheduler.isdigit():
        err = wire.error_object("602", "Invalid parameter", f"Missing or invalid schedulerId: {scheduler!r}")
        return _answer(request, err)
    if not controller:
        return _answer(request, wire.error_object("602", "Invalid parameter", "Missing controllerStrId"))
    if controller.lower().startswith("unknown"):
        err = wire.error_object("601", "Controller not found", f"No controller with id {controller}")
        return _answer(request, err)
    params = {"controller": controller, "scheduler": scheduler}
    batch_id = server.start_batch("commission_scheduler", params=params)
    server.started.append(("commission_scheduler", {"controller": controller, "scheduler": scheduler}))
    return _answer(request, server.batch_json(batch_id))
