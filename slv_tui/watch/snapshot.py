"""Immutable per-batch snapshots the poller hands to the UI and the headless commands."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

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


def summary_text(batch: Batch, fetched: float) -> str:
    """An archived batch's summary as JSON text to keep (the watchlist keeps it: a fresh start then
    fetches no archived batch), in the server's own form so `summary_of` reads it back with the one
    parser: every field of the batch and of each step, the counts, no message; `fetched`: when
    the batch was fetched (wall clock), so what is shown later says how old it is."""
    value: Any = batch.raw_value
    if value is None:
        value = {
            "login": batch.login,
            "status": batch.value_status,
            "infoMessagesCount": batch.counts.info,
            "warningMessagesCount": batch.counts.warning,
            "errorMessagesCount": batch.counts.error,
            "stepResults": [
                {
                    "stepName": s.name,
                    "stepLabel": s.label,
                    "status": s.status,
                    "infoMessagesCount": s.counts.info,
                    "warningMessagesCount": s.counts.warning,
                    "errorMessagesCount": s.counts.error,
                }
                for s in batch.steps
            ],
        }
    answer = {
        "batchId": batch.batch_id,
        "batchProgressValue": -1 if batch.progress is None else batch.progress,
        "batchProgressMessage": batch.progress_message,
        "batchRunning": batch.running,
        "cancelRequested": batch.cancel_requested,
        "cancelled": batch.cancelled,
        "errorCode": batch.error_code,
        "errorCodeLabel": batch.error_code_label,
        "message": batch.message,
        "status": batch.status,
        "statusError": batch.status_error,
        "statusOk": batch.status_ok,
        "value": value,
        FETCHED_KEY: fetched,
    }
    return json.dumps(answer, separators=(",", ":"))


FETCHED_KEY = "slvTuiFetchedAt"
"""The one key of a kept summary that is not the server's: when it was fetched (wall clock)."""


def summary_of(text: str, batch_id: str) -> tuple[Batch, float] | None:
    """The summary `summary_text` wrote and when it was fetched (None when it cannot be read: the
    batch is fetched instead)."""
    from slv_tui.slv.parse import parse_batch  # here: only a fresh start with archived batches needs it

    try:
        data = json.loads(text)
        fetched = data.get(FETCHED_KEY) if isinstance(data, dict) else None
        if isinstance(fetched, bool) or not isinstance(fetched, int | float) or not math.isfinite(fetched):
            return None
        return parse_batch(data, batch_id), float(fetched)
    except (ValueError, RecursionError, SlvError):
        return None
