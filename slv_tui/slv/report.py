"""The JSON object of `status --json` / `follow --json` / export, exactly as the README documents it."""

from __future__ import annotations

import json
import re
from typing import Any

from slv_tui.slv.errors import SlvError
from slv_tui.slv.model import Batch, Message, Step

_UNSAFE_IN_JSON = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)
_STATE_FIELDS = (
    "state",
    "progress",
    "running",
    "cancelRequested",
    "cancelled",
    "status",
    "errorCode",
    "errorCodeLabel",
    "progressMessage",
    "message",
    "login",
    "counts",
    "steps",
)


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _message(msg: Message) -> dict[str, Any]:
    return {
        "severity": msg.severity.value,
        "status": msg.status,
        "statusText": msg.status_text,
        "text": msg.text,
    }


def _step(step: Step) -> dict[str, Any]:
    return {
        "name": step.name,
        "label": step.label,
        "status": step.status,
        "counts": step.counts.as_dict(),
        "messages": [_message(m) for m in step.in_server_order],
    }


def batch_json(batch_id: str, batch: Batch | None, error: SlvError | str | None = None) -> dict[str, Any]:
    """One batch as the contract's JSON object; with no batch, state fields are null and `error` says why."""
    if batch is None:
        obj: dict[str, Any] = {"batchId": batch_id}
        obj.update(dict.fromkeys(_STATE_FIELDS))
        obj["error"] = str(error) if error is not None else "not fetched yet"
        return obj
    return {
        "batchId": batch_id,
        "state": batch.state.value,
        "progress": _number(batch.progress),
        "running": batch.running,
        "cancelRequested": batch.cancel_requested,
        "cancelled": batch.cancelled,
        "status": batch.status,
        "errorCode": batch.error_code,
        "errorCodeLabel": batch.error_code_label,
        "progressMessage": batch.progress_message,
        "message": batch.message,
        "login": batch.login,
        "counts": batch.counts.as_dict(),
        "steps": [_step(s) for s in batch.steps],
        "error": None,
    }


def dumps(data: Any, *, indent: int | None = None) -> str:
    """JSON text that is also safe to print: C1 controls and bidi overrides are \\u-escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
