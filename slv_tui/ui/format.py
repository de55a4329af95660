"""Pure text helpers for the dashboard: state words and symbols, durations, ages, ETAs."""

from __future__ import annotations

import math
import time
from collections import deque

from slv_tui.slv.model import BatchState
from slv_tui.slv.vocabulary import NOT_FOUND as NOT_FOUND
from slv_tui.slv.vocabulary import STATE_LABELS as STATE_LABELS
from slv_tui.slv.vocabulary import state_label as state_label

STATE_ORDER: tuple[BatchState, ...] = (
    BatchState.RUNNING,
    BatchState.CANCELLING,
    BatchState.FAILED,
    BatchState.COMPLETED_WITH_ERRORS,
    BatchState.CANCELLED,
    BatchState.SUCCEEDED,
)
"""Display order: what needs watching first, then what went wrong, then what went well."""


def state_rank(state: BatchState | None) -> int:
    """Sort rank of a state: running and cancelling first, unknown last."""
    return len(STATE_ORDER) if state is None else STATE_ORDER.index(state)


def duration(seconds: float | None) -> str:
    """A short human duration: "45s", "3m 12s", "2h 05m", "3d 4h"; "—" when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    total = max(0, int(seconds))
    if total < 60:
        return f"{total}s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def age(seconds: float | None) -> str:
    """How long ago something happened: "now", "12s ago", "3m ago", "2h 05m ago"; "—" when never.

    Whole minutes from one minute on: an age is read at a glance, and a screen of old, finished
    batches then changes once a minute instead of redrawing every second.
    """
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 1:
        return "now"
    if 60 <= seconds < 3600:
        return f"{int(seconds) // 60}m ago"
    return f"{duration(seconds)} ago"


def since(seconds: float | None) -> str:
    """A running time in whole minutes, for table cells: "<1m", "3m", "2h 05m", "3d 4h"; "—" if unknown.

    A table of many batches then changes once a minute as time goes on, not every second.
    """
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{int(seconds) // 60}m"
    return duration(seconds)


def ago(seconds: float | None) -> str:
    """`since` as an age, for table cells: "<1m ago", "3m ago", "2h 05m ago"; "—" when never."""
    return "—" if seconds is None or not math.isfinite(seconds) else f"{since(seconds)} ago"


def next_change(seconds: float) -> float:
    """Seconds until `since(seconds)` (and so `ago`) shows another text, as time goes on."""
    if seconds < 60:
        return 60 - seconds
    if seconds < 86400:
        return 60 - seconds % 60
    return 3600 - seconds % 3600


ETA_WINDOW = 600.0
"""Seconds of progress history behind the ETA: recent, so it follows a batch that speeds up or stalls."""
ETA_MIN_SPAN = 5.0
"""No ETA from less than this many seconds of movement (two quick samples give wild numbers)."""


def eta(first: tuple[float, float] | None, last: tuple[float, float] | None) -> float | None:
    """Seconds left, extrapolating the progress rate between two (time, percent) observations."""
    if first is None or last is None:
        return None
    (t0, p0), (t1, p1) = first, last
    if t1 - t0 < ETA_MIN_SPAN or p1 <= p0 or p1 >= 100:
        return None
    rate = (p1 - p0) / (t1 - t0)
    return (100.0 - p1) / rate


class ProgressTrend:
    """The moments one batch's progress changed, over the last `window` seconds, for its ETA."""

    def __init__(self, window: float = ETA_WINDOW) -> None:
        self.window = window
        self.changes: deque[tuple[float, float]] = deque()
        self._anchored = False
        self._latest: tuple[float, float] | None = None

    def add(self, at: float, progress: float) -> None:
        """Take in an observation; a value lower than before means the batch started over."""
        latest = self._latest
        if latest is not None and progress < latest[1]:
            self.changes.clear()
            self._anchored = False
        elif latest is not None and progress == latest[1]:
            self._latest = (max(at, latest[0]), progress)
            return
        if latest is not None and not self._anchored and self.changes:
            # How long the batch sat at the first value seen is unknown: the first change is the anchor.
            self.changes.clear()
            self._anchored = True
        self.changes.append((at, progress))
        self._latest = (at, progress)
        while len(self.changes) > 1 and self.changes[1][0] <= at - self.window:
            self.changes.popleft()

    def eta(self) -> float | None:
        """Seconds left at the recent rate; None until progress has moved for a while."""
        if not self._anchored or not self.changes:
            return None
        return eta(self.changes[0], self._latest)


def plural(n: int, word: str) -> str:
    """ "1 batch", "3 batches"."""
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith(("s", "ch", "sh", "x")) else f"{n} {word}s"


STALLED_MARK = "⧖ STALLED"
"""The table's mark of a running batch that stopped moving (a condition like STALE, not a state)."""


def stalled_text(since: float, now: float, wall_now: float) -> str:
    """ "stalled since HH:MM:SS (N min)": `since` and `now` on the Board's clock, the time of day
    from `wall_now` (this moment's Unix time), in local time."""
    minutes = max(0, int((now - since) // 60))
    at = time.strftime("%H:%M:%S", time.localtime(wall_now - (now - since)))
    return f"stalled since {at} ({minutes} min)"
