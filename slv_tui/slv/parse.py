"""Turn a decoded getBatchResult answer into a `Batch`, tolerating the type drift real servers show."""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import repeat
from operator import itemgetter
from typing import Any

from slv_tui.slv.errors import ProtocolError, ServerError
from slv_tui.slv.model import Batch, Counts, Severity, Step, StepMessage

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


MAX_STEPS = 10_000
MAX_MESSAGES = 1_000_000
"""Per batch, far above any real run (a 5,000-device run reports some 20,000 messages)."""
_INT_LIMIT = 2**63
"""Integers beyond a 64-bit range are not values any SLV field holds: they read as unreadable (None)."""


def as_number(value: Any) -> float | None:
    """A finite number, or one sent as a string; None when absent, NaN, out of range or unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, int):
        return float(value) if -_INT_LIMIT <= value < _INT_LIMIT else None
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


_Key = tuple[str, int | None, str | None]
_SEVERITIES = tuple(Severity)


def _key(raw: Any) -> _Key:
    """A message's text, status and statusText: what identifies it across a step's lists."""
    if isinstance(raw, Mapping):
        text, status, status_text = raw.get("text"), raw.get("status"), raw.get("statusText")
        # the usual types are taken as they are: a batch can hold 100,000 messages
        return (
            text if type(text) is str else as_text(text) or "",
            status if type(status) is int and -_INT_LIMIT <= status < _INT_LIMIT else as_int(status),
            status_text if type(status_text) is str or status_text is None else as_text(status_text),
        )
    return as_text(raw) or "", None, None


def _message(raw: Any, severity: Severity) -> StepMessage:
    text, status, status_text = _key(raw)
    return StepMessage(severity, text, status, status_text)


_NONE = type(None)
_new_message = tuple.__new__


_TEXT_OF, _STATUS_OF, _STATUS_TEXT_OF = itemgetter(1), itemgetter(2), itemgetter(3)


def _messages(
    raw: list[Any], severity: Severity, known: tuple[StepMessage, ...] = ()
) -> tuple[StepMessage, ...]:
    """A list of raw messages as `StepMessage`s. The usual shape (objects whose text, status and
    statusText have the documented types or are absent) is converted in C, column by column;
    anything else message by message.

    `known`: the same list as parsed from the previous answer. A running batch's answer only grows,
    so when its messages are still the first ones here (same text, status and statusText, checked
    column by column in C) they are kept, and only the messages after them are made: the objects a
    dashboard keeps are made once, not again from every answer (which scatters them over the
    allocator's arenas among the freed JSON tree: RSS well above the heap)."""
    if not raw:
        return ()
    if set(map(type, raw)) == {dict}:
        texts: list[Any] = list(map(dict.get, raw, repeat("text")))
        statuses: list[Any] = list(map(dict.get, raw, repeat("status")))
        status_texts: list[Any] = list(map(dict.get, raw, repeat("statusText")))
        text_types = set(map(type, texts))
        if _NONE in text_types:
            texts = ["" if t is None else t for t in texts]
            text_types.discard(_NONE)
            text_types.add(str)
        status_types = set(map(type, statuses))
        numbers = [n for n in statuses if n is not None] if _NONE in status_types else statuses
        if (
            text_types == {str}
            and status_types <= {int, _NONE}
            and set(map(type, status_texts)) <= {str, _NONE}
            and (not numbers or (min(numbers) >= -_INT_LIMIT and max(numbers) < _INT_LIMIT))
        ):
            # A statusText repeats ("OK" on nearly every message) but JSON decoding makes a new
            # string for each: one shared copy per distinct value (in C) saves ~56 bytes a message.
            shared: dict[Any, Any] = {}
            kept = _kept_prefix(known, severity, texts, statuses, status_texts)
            if kept:
                shared.update((t, t) for t in {m.status_text for m in known[-1:]})
                texts, statuses, status_texts = texts[kept:], statuses[kept:], status_texts[kept:]
            status_texts = list(map(shared.setdefault, status_texts, status_texts))
            fields = zip(repeat(severity), texts, statuses, status_texts)
            made = tuple(map(_new_message, repeat(StepMessage), fields))
            if not kept:
                return made
            return known + made if made else known
    return tuple(_message(m, severity) for m in raw)


def _kept_prefix(
    known: tuple[StepMessage, ...],
    severity: Severity,
    texts: list[Any],
    statuses: list[Any],
    status_texts: list[Any],
) -> int:
    """How many of `known` start the new columns unchanged (0: none kept, all are made afresh)."""
    n = len(known)
    if not n or n > len(texts) or known[0].severity is not severity:
        return 0
    if (
        list(map(_TEXT_OF, known)) == texts[:n]
        and list(map(_STATUS_OF, known)) == statuses[:n]
        and list(map(_STATUS_TEXT_OF, known)) == status_texts[:n]
    ):
        return n
    return 0


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


def _in_combined_order(
    grouped: Mapping[Severity, tuple[StepMessage, ...]],
    raw_lists: Mapping[Severity, list[Any]],
    combined: list[Any],
) -> tuple[StepMessage, ...]:
    """The grouped messages merged in the combined list's order; () when the lists do not agree.

    SLV's per-severity lists are the combined list split by severity, so each combined entry equals
    the next unread entry of one of them; comparing the raw JSON values keeps this a cheap merge."""
    if len(combined) != sum(len(msgs) for msgs in grouped.values()):
        return ()
    next_of = dict.fromkeys(Severity, 0)
    ordered: list[StepMessage] = []
    for entry in combined:
        for severity in _SEVERITIES:
            i = next_of[severity]
            if i < len(raw_lists[severity]) and raw_lists[severity][i] == entry:
                ordered.append(grouped[severity][i])
                next_of[severity] = i + 1
                break
        else:
            return ()
    return tuple(ordered)


def parse_step(raw: Any, previous: Step | None = None) -> Step:
    """One entry of `stepResults`; its combined `messages` list gives the order, or the messages when
    the per-severity lists are absent, and is never counted on top of them.

    `previous`: this step as parsed from the batch's previous answer; messages it still starts
    with are kept (see `_messages`), the result is equal either way."""
    if not isinstance(raw, Mapping):
        return Step(name="", label=as_text(raw) or "", status=None)
    raw_lists = {severity: _list(raw.get(list_key)) for severity, list_key, _ in _LISTS}
    grouped: dict[Severity, tuple[StepMessage, ...]] = {}
    counts: dict[Severity, int] = {}
    for severity, _, count_key in _LISTS:
        known = () if previous is None else previous.messages(severity)
        grouped[severity] = _messages(raw_lists[severity], severity, known)
        reported = as_int(raw.get(count_key))
        counts[severity] = reported if reported is not None and reported >= 0 else len(grouped[severity])
    combined = _list(raw.get("messages"))
    ordered: tuple[StepMessage, ...] = ()
    if any(grouped.values()):
        concatenated = raw_lists[Severity.INFO] + raw_lists[Severity.WARNING] + raw_lists[Severity.ERROR]
        if combined and combined != concatenated:  # usually equal: then the grouped order is the order
            ordered = _in_combined_order(grouped, raw_lists, combined)
    elif combined:
        buckets: dict[Severity, list[StepMessage]] = {s: [] for s in Severity}
        in_order: list[StepMessage] = []
        for m in combined:
            message = _message(m, _severity_of(m))
            buckets[message.severity].append(message)
            in_order.append(message)
        for severity in Severity:
            grouped[severity] = tuple(buckets[severity])
            counts[severity] = max(counts[severity], len(buckets[severity]))
        ordered = tuple(in_order)
    return Step(
        name=as_text(raw.get("stepName")) or "",
        label=as_text(raw.get("stepLabel")) or as_text(raw.get("label")) or "",
        status=as_int(raw.get("status")),
        infos=grouped[Severity.INFO],
        warnings=grouped[Severity.WARNING],
        errors=grouped[Severity.ERROR],
        counts=Counts(counts[Severity.INFO], counts[Severity.WARNING], counts[Severity.ERROR]),
        ordered=ordered,
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


def parse_batch(data: Any, requested_id: str, previous: Batch | None = None) -> Batch:
    """Build a `Batch` from a decoded answer; `requested_id` wins over whatever id the server echoes.

    `previous`: the same batch parsed from its previous answer, if any: the messages it already
    held are kept rather than made again when they are unchanged (the result is equal either way)."""
    if not isinstance(data, Mapping):
        raise ProtocolError(f"expected a batch object, got a JSON {_json_kind(data)}")
    if not (_BATCH_KEYS & data.keys()):
        if _is_error_object(data):
            # "605 Batch not found" where a batch was expected: the fetch failed, the batch did not.
            label = as_text(data.get("errorCodeLabel")) or as_text(data.get("message"))
            raise ServerError(as_text(data.get("errorCode")), label)
        raise ProtocolError("the JSON object is not a batch (no batch fields)")
    value = data.get("value")
    steps: tuple[Step, ...] = ()
    counts = Counts()
    login: str | None = None
    value_status: int | None = None
    raw_value: Any = None
    if isinstance(value, Mapping) and _is_commissioning(value):
        raw_steps = _list(value.get("stepResults"))
        _check_size(raw_steps)
        known = previous.steps if previous is not None else ()
        steps = tuple(parse_step(s, known[i] if i < len(known) else None) for i, s in enumerate(raw_steps))
        counts = _value_counts(value, steps)
        login = as_text(value.get("login"))
        value_status = as_int(value.get("status"))
    elif value is not None:
        raw_value = value
        if isinstance(value, Mapping):
            login = as_text(value.get("login"))
    status = as_text(data.get("status"))
    status_error = as_bool(data.get("statusError"))
    message = as_text(data.get("message"))
    if isinstance(value, str) and value.strip() and not message and (status or "").upper() == "ERROR":
        message = value.strip()  # seen in the field: the error message itself as `value`
    return Batch(
        batch_id=requested_id,
        progress=as_progress(data.get("batchProgressValue")),
        progress_unreadable=data.get("batchProgressValue") is not None
        and as_number(data.get("batchProgressValue")) is None,
        progress_message=as_text(data.get("batchProgressMessage")),
        running=as_bool(data.get("batchRunning")) or False,
        cancel_requested=as_bool(data.get("cancelRequested")) or False,
        cancelled=as_bool(data.get("cancelled")) or False,
        error_code=as_text(data.get("errorCode")),
        error_code_label=as_text(data.get("errorCodeLabel")),
        message=message,
        status=status,
        status_error=bool(status_error),
        status_ok=as_bool(data.get("statusOk")),
        login=login,
        value_status=value_status,
        counts=counts,
        steps=steps,
        raw_value=raw_value,
    )


def _check_size(raw_steps: list[Any]) -> None:
    """Refuse a batch beyond the caps on steps and messages, before any of it is converted."""
    if len(raw_steps) > MAX_STEPS:
        raise ProtocolError(f"the batch has too many steps ({len(raw_steps):,}, at most {MAX_STEPS:,})")
    total = 0
    for raw in raw_steps:
        if isinstance(raw, Mapping):
            grouped = sum(len(_list(raw.get(key))) for _, key, _ in _LISTS)
            total += max(grouped, len(_list(raw.get("messages"))))
    if total > MAX_MESSAGES:
        raise ProtocolError(f"the batch has too many messages ({total:,}, at most {MAX_MESSAGES:,})")


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
