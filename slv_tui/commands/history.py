"""`slv-tui history`: print the recorded timeline of one batch."""

from __future__ import annotations

import math
import sys
from typing import TextIO

from slv_tui.common.sanitize import clean
from slv_tui.common.width import display_width, pad
from slv_tui.slv.model import BatchState
from slv_tui.slv.report import dumps
from slv_tui.slv.vocabulary import STATE_LABELS, state_label
from slv_tui.store.history import MILESTONE, Event, HistoryStore, kind_text, progress_text

_STATE_WIDTH = max(display_width(state_label(state)) for state in STATE_LABELS)
_ONCE = ("first_seen", "cancel_requested", "finished")
"""Kinds that happen once in a batch's life: recorded again (by the dashboard and `follow` both),
they are the same event."""


def _state_text(event: Event) -> str:
    """The dashboard's word and symbol for the recorded state name (as recorded if unknown)."""
    name = str(event.get("state") or "")
    try:
        return state_label(BatchState(name))
    except ValueError:
        return name


def event_line(event: Event) -> str:
    """One human line: time, what happened, state, progress and counts (every field cleaned)."""
    state = clean(_state_text(event), max_length=_STATE_WIDTH)
    return clean(
        f"{event.get('at')}  {pad(kind_text(event), 16)} {pad(state, _STATE_WIDTH)} {progress_text(event)}"
        f"  warnings {event.get('warnings', 0)}  errors {event.get('errors', 0)}"
    )


def _without_time(event: Event) -> Event:
    return {k: v for k, v in event.items() if k != "at"}


def _milestone(event: Event) -> tuple[object, ...] | None:
    """What an event marks, whoever recorded it: a once-only kind, a progress step of MILESTONE %,
    a count of warnings or errors, a state. None for a kind this version does not know."""
    kind = str(event.get("kind"))
    if kind in _ONCE:
        return (kind,)
    progress = event.get("progress")
    if kind == "progress" and isinstance(progress, int | float) and math.isfinite(progress):
        return (kind, int(progress // MILESTONE))
    if kind in ("warnings", "errors"):
        return (kind, event.get(kind))
    if kind == "state":
        return (kind, event.get("state"))
    return None


def distinct(events: list[Event]) -> list[Event]:
    """The events without repeats, as when both the dashboard and `follow` recorded the batch (each
    appends what it saw, so the same milestone may come twice, not always one after the other): a
    milestone already shown, or a line equal to the previous one but for its time."""
    seen: set[tuple[object, ...]] = set()
    out: list[Event] = []
    for event in events:
        milestone = _milestone(event)
        repeated = bool(out) and _without_time(event) == _without_time(out[-1])
        if repeated or (milestone is not None and milestone in seen):
            continue
        if milestone is not None:
            seen.add(milestone)
        out.append(event)
    return out


def run_history(
    store: HistoryStore,
    batch_id: str,
    *,
    as_json: bool,
    out: TextIO | None = None,
    err: TextIO | None = None,
    server: str | None = None,
) -> int:
    """Print the timeline (oldest first); 0 when something was recorded, 1 when nothing, 2 unreadable.
    With `server` (the profile name) every JSON event carries it as `server`."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        recorded, skipped = store.read_counted(batch_id)
    except OSError as exc:
        err.write(clean(f"slv-tui: error: cannot read the history of {batch_id}: {exc}") + "\n")
        return 2
    events = distinct(recorded)
    if skipped:
        err.write(f"slv-tui: warning: {skipped} unreadable line(s) in the history of {batch_id} skipped\n")
    if as_json:
        if server is not None:
            events = [{**event, "server": server} for event in events]
        out.write(dumps(events, indent=1) + "\n")  # the one JSON writer of every output
    else:
        for event in events:
            out.write(event_line(event) + "\n")
    if not events:
        err.write(f"slv-tui: no history recorded for batch {batch_id} (the dashboard and follow record it)\n")
        return 1
    return 0
