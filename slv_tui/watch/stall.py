"""Stalled batches: running, and nothing that shows movement has changed for `stall_after` seconds."""

from __future__ import annotations

import weakref
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slv_tui.slv.model import Batch

DEFAULT_STALL_AFTER = 15 * 60.0
"""Seconds without movement after which a running batch is stalled (0 disables)."""


@dataclass(frozen=True, slots=True)
class Movement:
    """What counts as a batch moving: progress, step, message counts (and the progress message)."""

    progress: float | None
    step: str | None
    messages: tuple[int, int, int]
    progress_message: str | None

    @classmethod
    def of(cls, batch: Batch) -> Movement:
        """The movement mark of a fetched batch."""
        step = batch.current_step
        counts = batch.counts
        return cls(
            batch.progress,
            None if step is None else step.name or step.label,
            (counts.info, counts.warning, counts.error),
            batch.progress_message,
        )


@dataclass(frozen=True, slots=True)
class StallMark:
    """The last movement seen and when it was first seen (clock seconds)."""

    movement: Movement
    since: float


def track(mark: StallMark | None, batch: Batch, now: float) -> StallMark:
    """The new mark after seeing `batch` at `now` (pure): `since` moves only when the batch moved."""
    movement = Movement.of(batch)
    if mark is None or mark.movement != movement:
        return StallMark(movement, now)
    return mark


def stalled_since(
    mark: StallMark | None, batch: Batch | None, now: float, stall_after: float
) -> float | None:
    """When the batch stopped moving, if it is stalled at `now`; None otherwise (or when disabled)."""
    if stall_after <= 0 or mark is None or batch is None or batch.state.finished:
        return None
    return mark.since if now - mark.since >= stall_after else None


@dataclass(frozen=True, slots=True)
class StallChange:
    """A batch became stalled (`since`: the clock time it stopped moving) or moves again (None)."""

    batch_id: str
    since: float | None


class StallTracker:
    """Each watched batch's last movement and whether it is stalled, on the poller's clock: the one
    copy of stall tracking (the Board keeps one; the dashboard, `watch` and the metrics read it)."""

    def __init__(self, stall_after: float = DEFAULT_STALL_AFTER) -> None:
        self.stall_after = max(0.0, stall_after)
        self._marks: dict[str, StallMark] = {}
        self._seen: dict[str, weakref.ref[Batch]] = {}
        """The batch object each mark was last checked against: the client hands back the same
        object for the same answer, so an unchanged batch costs no comparison. Held weakly: an
        archived batch's whole answer is let go (only its summary is kept)."""
        self._stalled: dict[str, float] = {}

    def observe(self, batch_id: str, batch: Batch | None, now: float) -> StallChange | None:
        """Take in one fetch of a batch (None: it failed, nothing is learnt); returns the change when
        the batch became stalled or moves again."""
        if batch is None:
            return None
        mark = self._marks.get(batch_id)
        seen = self._seen.get(batch_id)
        if mark is None or seen is None or seen() is not batch:
            mark = self._marks[batch_id] = track(mark, batch, now)
            self._seen[batch_id] = weakref.ref(batch)
        since = stalled_since(mark, batch, now, self.stall_after)
        was = self._stalled.get(batch_id)
        if since == was:
            return None
        if since is None:
            del self._stalled[batch_id]
        else:
            self._stalled[batch_id] = since
        return StallChange(batch_id, since)

    def keep(self, batch_ids: Collection[str]) -> None:
        """Forget every batch not in `batch_ids` (no longer watched)."""
        for table in (self._marks, self._seen, self._stalled):
            for gone in table.keys() - set(batch_ids):
                del table[gone]

    def stalled_since(self, batch_id: str) -> float | None:
        """When the batch stopped moving (clock seconds) if it is stalled, else None."""
        return self._stalled.get(batch_id)

    def stalled(self) -> dict[str, float]:
        """Every stalled batch and since when (a copy)."""
        return dict(self._stalled)

    def moved_at(self, batch_id: str) -> float | None:
        """When the batch was last seen moving (clock seconds), None before its first answer."""
        mark = self._marks.get(batch_id)
        return None if mark is None else mark.since


def recorded_stall(
    events: Sequence[Mapping[str, Any]], batch: Batch | None, now: datetime, stall_after: float
) -> datetime | None:
    """When a batch stopped moving, by its recorded timeline (the history the dashboard, `follow`
    and `watch` write, oldest first): the time of the last recorded event when the batch, fetched
    `now`, still has that event's state, progress and warning and error counts, and that was at
    least `stall_after` seconds ago. None otherwise: not running, moved since, nothing recorded,
    or disabled. (The timeline records changes only, so this never calls a moving batch stalled; a
    batch that moved after its last recorded event is not called stalled either.)"""
    if stall_after <= 0 or batch is None or batch.state.finished or not events:
        return None
    last = events[-1]
    progress = None if batch.progress is None else round(batch.progress, 1)
    now_mark = (batch.state.value, progress, batch.counts.warning, batch.counts.error)
    try:
        recorded = last.get("progress")
        mark = (last.get("state"), None if recorded is None else round(float(recorded), 1),
                int(last.get("warnings", 0)), int(last.get("errors", 0)))  # fmt: skip
        since = datetime.fromisoformat(str(last["at"]).replace("Z", "+00:00"))
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    if mark != now_mark or since.tzinfo is None:
        return None
    return since if (now - since).total_seconds() >= stall_after else None
