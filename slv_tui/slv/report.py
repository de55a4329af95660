"""The JSON object of `status --json` / `follow --json` / export, exactly as the README documents it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from slv_tui.common.logs import REDACTED, redact
from slv_tui.common.sanitize import INVISIBLE_CHARS
from slv_tui.slv.errors import SlvError
from slv_tui.slv.model import Batch, Step, StepMessage

_UNSAFE_IN_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029\ud800-\udfff{INVISIBLE_CHARS}]")
"""Printed as \\u escapes (the same JSON values): C1 controls, line separators, lone surrogates,
bidi controls and other invisible format characters."""
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


PRETTY_MAX_MESSAGES = 2_000
"""Up to this many messages in all, `status --json` is indented for people; beyond, compact and
written in pieces (the C encoder, one slice of messages at a time, no copy of the whole text)."""
MESSAGE_SLICE = 1_000
JsonItem = tuple[str, Batch | None, SlvError | str | None]
Extra = Mapping[str, Any]
"""Keys after an object's own (`stalledSince` in `status --json`)."""


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _message(msg: StepMessage) -> dict[str, Any]:
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


def batch_json(
    batch_id: str, batch: Batch | None, error: SlvError | str | None = None, server: str | None = None
) -> dict[str, Any]:
    """One batch as the contract's JSON object; with no batch, state fields are null and `error` says why.
    `server` (the profile name) comes right after `batchId` when given."""
    obj = _batch_head(batch_id, batch, error, server)
    if batch is not None:
        obj["steps"] = [_step(s) for s in batch.steps]
        obj["error"] = None
    return obj


def _batch_head(
    batch_id: str, batch: Batch | None, error: SlvError | str | None, server: str | None = None
) -> dict[str, Any]:
    """The object without `steps` and `error` for a fetched batch; the whole object otherwise."""
    obj: dict[str, Any] = {"batchId": batch_id}
    if server is not None:
        obj["server"] = server
    if batch is None:
        obj.update(dict.fromkeys(_STATE_FIELDS))
        obj["error"] = str(error) if error is not None else "not fetched yet"
        return obj
    obj.update(
        {
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
        }
    )
    return obj


def iter_batch_json(
    batch_id: str,
    batch: Batch | None,
    error: SlvError | str | None = None,
    server: str | None = None,
    extra: Extra | None = None,
) -> Iterator[str]:
    """`dumps(batch_json(...) | extra)` in pieces: the same text, never the whole of a huge batch at once."""
    if batch is None or not batch.steps:
        yield dumps({**batch_json(batch_id, batch, error, server), **(extra or {})})
        return
    yield dumps(_batch_head(batch_id, batch, error, server))[:-1] + ', "steps": ['
    for index, step in enumerate(batch.steps):
        head = {
            "name": step.name,
            "label": step.label,
            "status": step.status,
            "counts": step.counts.as_dict(),
        }
        yield (", " if index else "") + dumps(head)[:-1] + ', "messages": ['
        messages = step.in_server_order
        for start in range(0, len(messages), MESSAGE_SLICE):
            objects = [  # as _message() does, inline: a batch may hold a million
                {"severity": severity, "status": status, "statusText": status_text, "text": text}
                for severity, text, status, status_text in messages[start : start + MESSAGE_SLICE]
            ]
            piece = dumps(objects)[1:-1]
            yield (", " if start else "") + piece
        yield "]}"
    yield '], "error": null' + (", " + dumps(extra)[1:-1] if extra else "") + "}"


def write_json_array(
    write: Callable[[str], object],
    items: Sequence[JsonItem],
    servers: Sequence[str | None] | None = None,
    extras: Sequence[Extra] | None = None,
) -> None:
    """Write the `status --json` array (one object per item, in order; `servers[i]` is item i's
    `server` field, `extras[i]` more keys after its own) and a final newline: indented when small,
    compact and in pieces when big (the same values either way)."""
    more = list(extras) if extras is not None else [{} for _ in items]
    total = sum(len(m) for _, batch, _ in items if batch is not None for m in _message_lists(batch))
    named = list(servers) if servers is not None else [None] * len(items)
    if total <= PRETTY_MAX_MESSAGES:
        objects = [
            {**batch_json(*item, server), **extra}
            for item, server, extra in zip(items, named, more, strict=True)
        ]
        write(dumps(objects, indent=2) + "\n")
        return
    write("[")
    for index, (item, server, extra) in enumerate(zip(items, named, more, strict=True)):
        if index:
            write(",\n")
        for piece in iter_batch_json(*item, server, extra):
            write(piece)
    write("]\n")


def _message_lists(batch: Batch) -> Iterator[tuple[StepMessage, ...]]:
    for step in batch.steps:
        yield step.infos
        yield step.warnings
        yield step.errors


WHOLE_TEXT_REDACTION = 64 * 1024
"""JSON up to this long is searched for secrets as one text (one call); longer JSON value by value,
each distinct string once."""


def dumps(data: Any, *, indent: int | None = None) -> str:
    """JSON text that is also safe to print: C1 controls and bidi overrides are \\u-escaped, and no
    known secret is in it (the log redaction, `redact`: a server may echo our headers back)."""
    text = _json_text(data, indent)
    small = len(text) <= WHOLE_TEXT_REDACTION
    if small and redact(text) == text:  # the usual case: one pass over the text, nothing to hide
        return text
    text = _json_text(_redacted(data, {}), indent)  # value by value, so the JSON stays valid
    if small:
        shown = redact(text)  # what only the whole text shows (a key and its value together)
        if shown == text:
            return text
        try:
            json.loads(shown)
        except ValueError:  # a value redacted bare (`"token": 12345678`): redact that value as a string
            return _json_text(_pairs_redacted(_redacted(data, {})), indent)
        return shown
    return text


def _pairs_redacted(data: Any) -> Any:
    """`data` with each non-string value that `redact` hides together with its key replaced by the
    redaction mark (a string), so the JSON stays valid."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            pair = _json_text({key: value}, None)
            hidden = not isinstance(value, str | dict | list) and redact(pair) != pair
            out[key] = REDACTED if hidden else _pairs_redacted(value)
        return out
    if isinstance(data, list):
        return [_pairs_redacted(v) for v in data]
    return data


def _json_text(data: Any, indent: int | None) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)
    if text.isascii():  # the usual case, known without a scan: only DEL can be there
        return text.replace("\x7f", "\\u007f") if "\x7f" in text else text
    return _UNSAFE_IN_JSON.sub(_escape, text)


def _redacted(data: Any, seen: dict[str, str]) -> Any:
    """`data` with every string (keys too) redacted, also where only its JSON form shows a secret."""
    if isinstance(data, str):
        shown = seen.get(data)
        if shown is None:
            shown = redact(data)
            quoted = _json_text(shown, None)
            shown = seen[data] = shown if redact(quoted) == quoted else REDACTED
        return shown
    if isinstance(data, dict):
        return {_redacted(k, seen) if isinstance(k, str) else k: _redacted(v, seen) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_redacted(v, seen) for v in data]
    return data


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # as a JSON surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"
