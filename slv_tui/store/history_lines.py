"""Which history lines are events: every line read from disk is checked before any reader sees it.

A torn line (a kill -9 mid-write) or a foreign one (Infinity or NaN, a null state, a 400-digit
number, a time without a zone) is skipped and counted, never fatal.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slv_tui.slv.model import BatchState

KINDS = ("first_seen", "state", "progress", "cancel_requested", "warnings", "errors", "finished")
MAX_COUNT = 10**12
"""A warnings or errors count above this is not a count the server reported (a foreign line)."""
_STATES = frozenset(state.value for state in BatchState)


def reject_constant(name: str) -> float:
    raise ValueError(f"not JSON: {name}")


def is_zoned_time(value: object) -> bool:
    """An ISO 8601 time with a zone (what `iso` writes); a naive time would crash comparisons."""
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _is_number(value: object, low: float, high: float) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high


def valid_event(event: object) -> bool:
    """Whether a decoded line is an event every reader can show: a known kind and state, a zoned
    time, progress None or 0 to 100, counts 0 to MAX_COUNT, cancelRequested a bool."""
    if not isinstance(event, dict) or event.get("kind") not in KINDS or not is_zoned_time(event.get("at")):
        return False
    if event.get("state") not in _STATES:
        return False
    progress = event.get("progress")
    if progress is not None and not _is_number(progress, 0, 100):
        return False
    if not all(_is_number(event.get(key, 0), 0, MAX_COUNT) for key in ("warnings", "errors")):
        return False
    return isinstance(event.get("cancelRequested", False), bool)


def parse_json_lines(raw: bytes, valid: Callable[[Any], bool]) -> tuple[list[dict[str, Any]], int]:
    """The lines of a JSON-lines file that decode (no Infinity/NaN) and pass `valid`, and how many
    non-blank lines did not (torn or foreign); never fatal."""
    kept: list[dict[str, Any]] = []
    skipped = 0
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            value = json.loads(line, parse_constant=reject_constant)
        except (ValueError, RecursionError):
            skipped += 1
            continue
        if valid(value):
            kept.append(value)
        else:
            skipped += 1
    return kept, skipped


def parse_lines_counted(raw: bytes) -> tuple[list[dict[str, Any]], int]:
    """The readable events of a file and how many non-blank lines were skipped (torn or foreign:
    not JSON, Infinity/NaN, a null state, a huge number, a time without a zone); never fatal."""
    return parse_json_lines(raw, valid_event)
