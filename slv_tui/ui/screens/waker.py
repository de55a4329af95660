"""The dashboard's one timer: a one-shot set to the next moment the view would read differently.

No timer ticks on an interval: a console of finished batches left open overnight wakes once a
minute (an age turns) or less, not every second. What can change with no new data:
- a row's age or elapsed time turns to its next minute, fresh data turns stale
  (`RowBuilder.next_change`, computed when the rows are built);
- the header's "unreachable for …" clock while the server does not answer;
- the selected batch's age in the detail pane, in seconds during its first minute;
- poll results waiting to be drawn (at most one redraw every `every` seconds).
The timer is set again only when the due time moves earlier (a busy console's many rounds a
second set no timer each), and never wakes sooner than `every` after the last draw."""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING

from slv_tui.ui.rows import GATHER_AGES
from slv_tui.watch.snapshot import Snapshot

if TYPE_CHECKING:
    from textual.timer import Timer

    from slv_tui.ui.screens.painter import Painter

MIN_DELAY = 0.01
"""Seconds: Textual's `Timer` divides by its delay, so never 0."""


def age_turn(seconds: float) -> float:
    """Seconds until `format.age(seconds)` reads differently ("12s ago" every second, then minutes)."""
    if seconds < 60:
        return 1.0 - seconds % 1.0 if seconds >= 0 else 1.0
    if seconds < 86400:
        return 60.0 - seconds % 60.0
    return 3600.0 - seconds % 3600.0


def duration_turn(seconds: float) -> float:
    """Seconds until `format.duration(seconds)` reads differently (seconds for the first hour)."""
    if seconds < 3600:
        return 1.0 - seconds % 1.0 if seconds >= 0 else 1.0
    return age_turn(seconds)


class Waker:
    """Keeps the one one-shot timer of a `Painter`'s screen; its call is `Painter.tick`."""

    def __init__(self, painter: Painter, every: float) -> None:
        self.painter = painter
        self.every = every
        self.due = math.inf
        """When the timer set wakes (the injected clock); inf when none is set."""
        self.armed = 0
        """Timers set so far (what the guards count)."""
        self._timer: Timer | None = None
        self._woke_at: float | None = None

    def next_due(self, now: float, selected: Snapshot | None) -> float:
        """The next moment the view reads differently with no new data (inf: never)."""
        painter = self.painter
        due = now if painter.dirty else painter.next_change
        down_since = painter.down_since()
        if down_since is not None:
            due = min(due, now + duration_turn(now - down_since))
        if selected is not None and selected.fetched_at is not None:
            data_age = now - selected.fetched_at
            turn = now + age_turn(data_age)
            if data_age < 60 or not turn <= due <= turn + GATHER_AGES:  # minutes: taken with the rows
                due = min(due, turn)
        return max(due, painter.drawn_at + self.every)

    def arm(self, now: float, selected: Snapshot | None) -> None:
        """After a draw: wake when the view next reads differently."""
        self.arm_at(self.next_due(now, selected), now)

    def arm_at(self, due: float, now: float | None = None) -> None:
        """Wake at `due` (the injected clock), unless the timer set wakes as early or earlier."""
        if not math.isfinite(due) or due >= self.due:
            return
        screen = self.painter.screen
        now = screen.clock() if now is None else now
        floor = MIN_DELAY if now != self._woke_at else self.every  # a clock standing still (tests)
        if self._timer is not None:
            self._timer.stop()
        self.due = due
        self.armed += 1
        wake = partial(self._woken, self.armed)
        self._timer = screen.set_timer(max(due - now, floor), wake, name="dashboard-wake")

    def _woken(self, armed: int) -> None:
        if armed != self.armed:
            return  # a timer replaced since (stopped, but its call was already on its way)
        timer, self._timer, self.due = self._timer, None, math.inf
        if timer is not None:
            timer.stop()  # it has fired: done (a one-shot ends anyway; a test driving timers sees it end)
        self._woke_at = self.painter.screen.clock()
        self.painter.tick()  # draws what changed, and sets the next timer
