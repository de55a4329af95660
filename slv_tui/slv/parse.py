"""Turn a decoded getBatchResult answer into a `Batch`, tolerating the type drift real servers show."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from slv_tui.slv.errors import ProtocolError
from slv_tui.slv.model import Batch, Counts, Message, Severity, Step

_BATCH_KEYS = frozenset(
    {"batchId", "batchProgressValue", "batchProgressMessage", "batchRunning", "cancelRequested"}
)
_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off", "", "null"})
_LISTS = (
    (Severity.INFO, "infoMessages", "infoMessagesCount"),
    (Severity.WARNING, "warningMessages", "warningMessagesCount"),
    (Severity.ERROR, "errorMessages", "errorMessagesCount"),
)


def as_bool(value: Any) -> bool | None:
    """A JSON boolean, or one sent as a string or number; None when absent or unreadable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        return value != 0
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    return None


def as_number(value: Any) -> float | None:
    """A finite number, or one sent as a string; None when absent, NaN or unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float) and math.isfinite(value):
        return value
    return None


def as_int(value: Any) -> int | None:
    """An integer from a number or a numeric string; None otherwise."""
    number = as_number(value)
    return None if number is None else int(number)


def as_text(value: Any) -> str | None:
    """A string; numbers become their text, containers and null become None."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_progress(value: Any) -> float | None:
    """Progress as 0..100, clamped; None when unknown (-1, negative, NaN, absent)."""
    number = as_number(value)
    if number is None or number < 0:
        return None
    return min(number, 100.0)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _message(raw: Any, severity: Severity) -> Message:
    if isinstance(raw, Mapping):
        return Message(
            severity=severity,
            text=as_text(raw.get("text")) or "",
            status=as_int(raw.get("status")),
            status_text=as_text(raw.get("statusText")),
        )
    return Message(severity=severity, text=as_text(raw) or "")


def _severity_of(raw: Any) -> Severity:
    """Classify a message found only in a step's combined `messages` list."""
    if isinstance(raw, Mapping):
        text = (as_text(raw.get("statusText")) or "").upper()
        if "WARN" in text:
            return Severity.WARNING
        if "ERR" in text or "FAIL" in text:
            return Severity.ERROR
        status = as_int(raw.get("status"))
        if status not in (None, 0):
            return Severity.ERROR
    return Severity.INFO


def parse_step(raw: Any) -> Step:
    """One entry of `stepResults`; its `messages` list is used only when the per-severity lists are absent."""
    if not isinstance(raw, Mapping):
        return Step(name="", label=as_text(raw) or "", status=None)
    grouped: dict[Severity, tuple[Message, ...]] = {}
    counts: dict[Severity, int] = {}
    for severity, list_key, count_key in _LISTS:
        grouped[severity] = tuple(_message(m, severity) for m in _list(raw.get(list_key)))
        reported = as_int(raw.get(count_key))
        counts[severity] = reported if reported is not None and reported >= 0 else len(grouped[severity])
    if not any(grouped.values()) and _list(raw.get("messages")):
        buckets: dict[Severity, list[Message]] = {s: [] for s in Severity}
        for m in _list(raw.get("messages")):
            severity = _severity_of(m)
            buckets[severity].append(_message(m, severity))
        for severity in Severity:
            grouped[severity] = tuple(buckets[severity])
            counts[severity] = max(counts[severity], len(buckets[severity]))
    return Step(
        name=as_text(raw.get("stepName")) or "",
        label=as_text(raw.get("stepLabel")) or as_text(raw.get("label")) or "",
        status=as_int(raw.get("status")),
        infos=grouped[Severity.INFO],
        warnings=grouped[Severity.WARNING],
        errors=grouped[Severity.ERROR],
        counts=Counts(counts[Severity.INFO], counts[Severity.WARNING], counts[Severity.ERROR]),
    )


def _is_commissioning(value: Any) -> bool:
    return isinstance(value, Mapping) and (
        "stepResults" in value or "infoMessagesCount" in value or "errorMessagesCount" in value
    )


def _value_counts(value: Mapping[str, Any], steps: tuple[Step, ...]) -> Counts:
    summed = sum((s.counts for s in steps), Counts())
    totals = []
    for severity, _, count_key in _LISTS:
        reported = as_int(value.get(count_key))
        totals.append(reported if reported is not None and reported >= 0 else summed.get(severity))
    return Counts(*totals)


def parse_batch(data: Any, requested_id: str) -> Batch:
    """Build a `Batch` from a decoded answer; `requested_id` wins over whatever id the server echoes."""
    if not isinstance(data, Mapping):
        raise ProtocolError(f"expected a batch object, got a JSON {_json_kind(data)}")
    error_answer = not (_BATCH_KEYS & data.keys())
    if error_answer and not _is_error_object(data):
        raise ProtocolError("the JSON object is not a batch (no batch fields)")
    value = data.get("value")
    steps: tuple[Step, ...] = ()
    counts = Counts()
    login: str | None = None
    value_status: int | None = None
    raw_value: Any = None
    if isinstance(value, Mapping) and _is_commissioning(value):
        steps = tuple(parse_step(s) for s in _list(value.get("stepResults")))
        counts = _value_counts(value, steps)
        login = as_text(value.get("login"))
        value_status = as_int(value.get("status"))
    elif value is not None:
        raw_value = value
        if isinstance(value, Mapping):
            login = as_text(value.get("login"))
    status = as_text(data.get("status"))
    status_error = as_bool(data.get("statusError"))
    return Batch(
        batch_id=requested_id,
        progress=as_progress(data.get("batchProgressValue")),
        progress_message=as_text(data.get("batchProgressMessage")),
        running=as_bool(data.get("batchRunning")) or False,
        cancel_requested=as_bool(data.get("cancelRequested")) or False,
        cancelled=as_bool(data.get("cancelled")) or False,
        error_code=as_text(data.get("errorCode")),
        error_code_label=as_text(data.get("errorCodeLabel")),
        message=as_text(data.get("message")),
        status=status,
        status_error=bool(status_error),
        status_ok=as_bool(data.get("statusOk")),
        login=login,
        value_status=value_status,
        counts=counts,
        steps=steps,
        raw_value=raw_value,
        error_answer=error_answer,
    )


def _is_error_object(data: Mapping[str, Any]) -> bool:
    """An SLV error answer: status ERROR or an error code/label, without any batch field."""
    status = as_text(data.get("status")) or ""
    return (
        status.upper() == "ERROR"
        or bool(as_bool(data.get("statusError")))
        or ("errorCodeLabel" in data and as_text(data.get("errorCode")) not in (None, "", "0"))
    )


def _json_kind(data: Any) -> str:
    if isinstance(data, list):
        return "array"
    if isinstance(data, str):
        return "string"
    if data is None:
        return "null"
    if isinstance(data, bool):
        return "boolean"
    return "number"
