"""A batch's recorded history as the detail pane shows it: event lines and a progress series."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import BatchState
from slv_tui.store.history import Event, kind_text, progress_text
from slv_tui.ui.format import state_label

SHOWN_EVENTS = 60
"""The pane lists the newest events; `slv-tui history` prints them all."""
SERIES_POINTS = 40


def _moment(event: Event) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event.get("at")))
    except ValueError:
        return None


def progress_series(events: Sequence[Event], points: int = SERIES_POINTS) -> list[float]:
    """Progress over time, sampled evenly from the first event to the last (a step function)."""
    known = [
        (m, float(e["progress"]))
        for e in events
        if isinstance(e.get("progress"), int | float) and (m := _moment(e)) is not None
    ]
    if len(known) < 2:
        return [value for _, value in known]
    start, end = known[0][0], known[-1][0]
    span = (end - start).total_seconds()
    if span <= 0:
        return [value for _, value in known]
    series: list[float] = []
    index = 0
    for i in range(points):
        at = start.timestamp() + span * i / (points - 1)
        while index + 1 < len(known) and known[index + 1][0].timestamp() <= at:
            index += 1
        series.append(known[index][1])
    series[-1] = known[-1][1]  # the last sample is the last event (float sums may fall just short)
    return series


def timeline_text(events: Sequence[Event]) -> Text:
    """One line per event, local time first; newest at the bottom."""
    text = Text()
    if len(events) > SHOWN_EVENTS:
        text.append(f"… {len(events) - SHOWN_EVENTS} earlier (slv-tui history shows all)\n", "italic")
    for event in events[-SHOWN_EVENTS:]:
        moment = _moment(event)
        when = "??:??:??" if moment is None else moment.astimezone().strftime("%H:%M:%S")
        kind = kind_text(event)
        if kind in ("warnings", "errors"):
            kind = f"{kind} ({clean(event.get(kind, '?'), max_length=9)})"
        shown = progress_text(event)
        try:
            state = state_label(BatchState(str(event.get("state"))))
        except ValueError:
            state = "?"
        line = f"{when}  {kind:<17} {shown}  {state}"
        style = "bold" if kind.startswith(("finished", "cancel requested", "errors")) else ""
        text.append(line + "\n", style)
    text.rstrip()
    return text
