"""The batch timeline: the wire dict of a batch as a pure function of (spec, elapsed seconds)."""

from __future__ import annotations

import bisect
import math
from typing import Any

from slv_tui.sim.scenario import BatchSpec, StepSpec

STATUS_TEXT = ("OK", "WARNING", "ERROR")
_FINAL_PROGRESS_MESSAGE = {
    "cancelled": "Commissioning process cancelled.",
    "failed": "Commissioning process failed.",
    "done": "Commissioning process finished.",
}


def _progress_at(spec: BatchSpec, t: float) -> int:
    """Percentage at time t: -1 while unknown, else piecewise-linear between points."""
    if t < spec.unknown_until or not spec.points:
        return -1
    points = spec.points
    if t <= points[0][0]:
        value = points[0][1]
    elif t >= points[-1][0]:
        value = points[-1][1]
    else:
        i = bisect.bisect_right([p[0] for p in points], t)
        (t0, v0), (t1, v1) = points[i - 1], points[i]
        value = v0 + (v1 - v0) * (t - t0) / (t1 - t0) if t1 > t0 else v1
    return max(0, min(100, math.floor(value)))


def _message(at_severity: int, text: str) -> dict[str, Any]:
    """One SLV message object."""
    return {"status": at_severity, "statusText": STATUS_TEXT[at_severity], "text": text}


def _step(step: StepSpec, t: float) -> dict[str, Any]:
    """The wire dict of one step with the messages visible at time t."""
    visible = step.messages[: bisect.bisect_right(step.times, t)]
    messages = [_message(m.severity, m.text) for m in visible]
    by_sev: tuple[list[dict[str, Any]], ...] = ([], [], [])
    for m in messages:
        by_sev[m["status"]].append(m)
    status = 2 if by_sev[2] else 1 if by_sev[1] else 0
    return {
        "errorMessages": by_sev[2],
        "errorMessagesCount": len(by_sev[2]),
        "infoMessages": by_sev[0],
        "infoMessagesCount": len(by_sev[0]),
        "label": step.label,
        "messages": messages,
        "status": status,
        "stepLabel": step.label,
        "stepName": step.name,
        "warningMessages": by_sev[1],
        "warningMessagesCount": len(by_sev[1]),
    }


def _value(spec: BatchSpec, t: float) -> dict[str, Any] | None:
    """The commissioning `value` structure at time t."""
    if spec.value_null:
        return None
    steps = [_step(s, t) for s in spec.steps if s.at <= t]
    return {
        "errorMessagesCount": sum(s["errorMessagesCount"] for s in steps),
        "infoMessagesCount": sum(s["infoMessagesCount"] for s in steps),
        "login": spec.login,
        "status": max((s["status"] for s in steps), default=0),
        "stepResults": steps,
        "warningMessagesCount": sum(s["warningMessagesCount"] for s in steps),
    }


def end_time(spec: BatchSpec) -> float | None:
    """When the batch stops running (finish or cancellation), or None if it runs forever."""
    ends = [x for x in (spec.duration, spec.cancelled_at) if x is not None]
    return min(ends) if ends else None


def batch_at(batch_id: str, spec: BatchSpec, elapsed: float) -> dict[str, Any]:
    """The getBatchResult answer for a batch `elapsed` seconds after its creation."""
    e = max(0.0, elapsed)
    if spec.loop:
        e = e % spec.loop
    end = end_time(spec)
    finished = end is not None and e >= end
    t = end if finished and end is not None else e
    cancelled = finished and spec.cancelled_at is not None and spec.cancelled_at == end
    failed = finished and not cancelled and spec.outcome == "failed"
    cancel_requested = cancelled or (spec.cancel_requested_at is not None and t >= spec.cancel_requested_at)
    progress = _progress_at(spec, t)
    message: str | None = None
    progress_message: str | None
    if finished:
        kind = "cancelled" if cancelled else "failed" if failed else "done"
        progress_message = spec.final_progress_message or _FINAL_PROGRESS_MESSAGE[kind]
        if kind == "done":
            progress = 100
        if kind != "done":
            message = spec.final_message
    else:
        i = bisect.bisect_right([p[0] for p in spec.progress_messages], t)
        progress_message = spec.progress_messages[i - 1][1] if i else None
    answer: dict[str, Any] = {
        "batchId": batch_id,
        "batchProgressMessage": progress_message,
        "batchProgressValue": progress,
        "batchRunning": not finished,
        "cancelRequested": cancel_requested,
        "cancelled": cancelled,
        "errorCode": spec.error_code if failed else "0",
        "errorCodeLabel": spec.error_code_label if failed else None,
        "message": message,
        "status": "ERROR" if failed else "OK",
        "statusError": failed,
        "statusOk": not failed,
        "value": spec.error_value if failed and spec.error_value is not None else _value(spec, t),
    }
    if spec.numeric_ids:
        code = answer["errorCode"]
        answer["errorCode"] = int(code) if str(code).isdigit() else code
        answer["batchId"] = int(batch_id) if batch_id.isdigit() else batch_id
    return answer
