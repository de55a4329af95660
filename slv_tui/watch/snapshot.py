"""Immutable per-batch snapshots the poller hands to the UI and the headless commands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from slv_tui.slv.errors import SlvError
from slv_tui.slv.model import Batch, BatchState, Step

STALE_AFTER_INTERVALS = 3


class Condition(StrEnum):
    """How trustworthy the data on screen is."""

    PENDING = "pending"
    FRESH = "fresh"
    STALE = "stale"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything known about one watched batch at one moment; the last good batch is never dropped."""

    batch_id: str
    first_seen: float
    batch: Batch | None = None
    fetched_at: float | None = None
    error: SlvError | None = None
    failures: int = 0
    polling: bool = True
    """False once the batch is finished and confirmed: it will not change, so it is not polled."""
    summary: bool = False
    """`batch` is a summary of an archived batch (see `summarized`): its state, progress, counts and
    steps, none of its messages. The whole batch is fetched again when it is opened."""

    def condition(self, now: float, interval: float) -> Condition:
        """pending (never fetched), error (never fetched, failing), stale, or fresh."""
        if self.batch is None or self.fetched_at is None:
            return Condition.ERROR if self.error else Condition.PENDING
        if self.polling and now - self.fetched_at > STALE_AFTER_INTERVALS * interval:
            return Condition.STALE
        return Condition.FRESH

    @property
    def state(self) -> BatchState | None:
        """The state of the last good batch, if any."""
        return None if self.batch is None else self.batch.state

    @property
    def error_text(self) -> str | None:
        """The one-line text of the last failure, None after a success."""
        return None if self.error is None else str(self.error)


@dataclass(frozen=True, slots=True)
class Update:
    """One batch's new snapshot after a poll, with the batch it replaced."""

    snapshot: Snapshot
    previous: Batch | None = None

    @property
    def batch_changed(self) -> bool:
        """False when the answer equals the last one: the client hands back the same `Batch` object
        for the same bytes, so nothing needs decoding, diffing or redrawing for this batch."""
        return self.snapshot.batch is not self.previous

    @property
    def finished_now(self) -> BatchState | None:
        """The final state when this poll saw the batch finish."""
        if not self.batch_changed:
            return None
        return finished_now(self.previous, self.snapshot.batch)


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """Whether the server answers: ok, down (with the reason), or not yet known."""

    ok: bool | None = None
    reason: str | None = None
    auth_problem: bool = False
    since: float = 0.0


@dataclass(frozen=True, slots=True)
class PollRound:
    """What one poll round produced: the updates and the server's condition afterwards."""

    updates: tuple[Update, ...]
    server: ServerStatus
    at: float = 0.0
    snapshots: tuple[Snapshot, ...] = field(default=())


def merged(rounds: Sequence[PollRound]) -> PollRound:
    """Several rounds (single fetches, as the poller delivers them) as one, for a consumer behind."""
    if len(rounds) == 1:
        return rounds[0]
    last = rounds[-1]
    return PollRound(tuple(u for r in rounds for u in r.updates), last.server, last.at, last.snapshots)


def finished_now(previous: Batch | None, current: Batch | None) -> BatchState | None:
    """The final state if this poll saw the batch finish (not if it was already finished when added)."""
    if previous is None or current is None:
        return None
    if not previous.state.finished and current.state.finished:
        return current.state
    return None


def summarized(batch: Batch) -> Batch:
    """What an archived batch keeps: every field and every step (name, label, status, counts), the
    messages let go (a finished batch can hold 100,000 of them; the table never shows one)."""
    steps = tuple(Step(s.name, s.label, s.status, counts=s.counts) for s in batch.steps)
    return replace(batch, steps=steps)
