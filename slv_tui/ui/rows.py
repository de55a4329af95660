"""The table's rows from the poller's snapshots: label, fetch condition, elapsed, ETA, filter and order."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, NamedTuple

from slv_tui.slv.errors import ServerError
from slv_tui.slv.model import BatchState
from slv_tui.ui.format import NOT_FOUND, ProgressTrend, next_change, state_label, state_rank
from slv_tui.watch.snapshot import STALE_AFTER_INTERVALS, Condition, Snapshot


class BatchKey(NamedTuple):
    """A row's key everywhere in the UI: the server (its Board) and the batch ID."""

    server: str
    batch_id: str


@dataclass(frozen=True, slots=True)
class BatchRow:
    """Everything one table row shows, computed from a snapshot."""

    snapshot: Snapshot
    label: str
    condition: Condition
    elapsed: float | None
    eta: float | None
    updated: float | None
    server: str = ""
    """The Board (server) the batch is watched on: with the batch ID, the row's key."""
    named: bool = False
    """Several servers are watched: the Server column shows `server` (and the filter finds it)."""
    stalled_since: float | None = None
    """When the running batch stopped moving (the Board's clock), if it is stalled."""

    @property
    def key(self) -> BatchKey:
        """What identifies the row across servers."""
        return BatchKey(self.server, self.snapshot.batch_id)

    @property
    def batch_id(self) -> str:
        """The row key."""
        return self.snapshot.batch_id

    @property
    def not_found(self) -> bool:
        """The server does not know this batch (see `not_found`)."""
        return not_found(self.snapshot)

    @property
    def haystack(self) -> str:
        """What the filter searches: the server's name (several servers), ID, label, state (its word
        and its name, e.g. both "done w/ errors" and "completed_with_errors"), fetch condition and
        message."""
        state = self.snapshot.state
        words = NOT_FOUND if self.not_found else state_label(state)
        name = "" if state is None else state.value
        if self.stalled_since is not None:
            name += " stalled"
        server = self.server if self.named else ""
        return f"{server} {self.batch_id} {self.label} {words} {name} {self.condition} {self.message}".lower()

    @property
    def message(self) -> str:
        """What the batch is doing now, or why it failed (or why it cannot be fetched)."""
        return row_message(self.snapshot)


def not_found(snap: Snapshot) -> bool:
    """True when the server answered an SLV error object (e.g. `605 Batch not found`) and no batch
    was ever read: a typo or a batch not started yet, never a failed commissioning."""
    return snap.batch is None and isinstance(snap.error, ServerError) and snap.error.not_found


def row_message(snap: Snapshot) -> str:
    """The message column: the failure reason of a failed batch, else its progress message; for a
    batch never read, the fetch error (e.g. `server: 605 Batch not found`). Raw server text."""
    batch = snap.batch
    if batch is None:
        return snap.error_text or ""
    if batch.state is BatchState.FAILED:
        return batch.error_code_label or batch.message or batch.progress_message or ""
    return batch.progress_message or batch.message or ""


GATHER_AGES = 2.0
"""Seconds an "updated … ago" cell may turn to its next minute late: the rows fetched in one round
(at moments up to a second or two apart) then turn together, in one redraw a minute, not one per
second of spread."""


class RowBuilder:
    """Turns snapshots into sorted rows, remembering what one snapshot alone cannot tell."""

    def __init__(self) -> None:
        self.finished_at: dict[str, float] = {}
        """When this session saw each batch finish (its elapsed time stops there)."""
        self.trends: dict[str, ProgressTrend] = {}
        """Recent progress per running batch, for its ETA."""
        self._read: dict[str, float] = {}
        """The fetch time of each batch's snapshot `observe` last read into its trend."""
        self.next_change = math.inf
        """When, with no new data, a row built by the last `rows` call would read differently
        (an age or elapsed time turns to the next minute, fresh data turns stale; ages turning
        within GATHER_AGES of each other are taken together, at the last of them)."""

    def finished(self, batch_id: str, at: float) -> None:
        """Note that a poll saw this batch finish."""
        self.finished_at[batch_id] = at

    def observe(self, snapshots: Sequence[Snapshot], watched: Collection[str] | None = None) -> None:
        """Take in snapshots: running batches' progress feeds their ETA; unwatched batches are forgotten.

        `observe(all_snapshots)` reads every watched batch's snapshot (and forgets the others);
        `observe(changed, watched=ids)` reads only the snapshots a poll round brought and forgets
        the batches not in `ids`: its Python work is per changed snapshot, not per watched batch (a
        screen of 200 batches gets ~25 rounds a second, each with one fetch). A snapshot already
        read (same batch and fetch time) is skipped either way.
        """
        keep: AbstractSet[str] = (
            {snap.batch_id for snap in snapshots}
            if watched is None
            else watched
            if isinstance(watched, AbstractSet)
            else set(watched)
        )
        read = self._read
        if len(read) > len(keep) or not read.keys() <= keep:  # set operations in C, no Python loop
            for gone in read.keys() - keep:
                del read[gone]
                self.trends.pop(gone, None)
        for snap in snapshots:
            batch = snap.batch
            if batch is None or batch.progress is None or snap.fetched_at is None:
                continue
            if read.get(snap.batch_id) == snap.fetched_at:
                continue  # the same fetch, seen in an earlier call: nothing new for the trend
            read[snap.batch_id] = snap.fetched_at
            self.trends.setdefault(snap.batch_id, ProgressTrend()).add(snap.fetched_at, batch.progress)

    def rows(
        self,
        snapshots: Sequence[Snapshot],
        labels: Mapping[str, str],
        *,
        now: float,
        interval: float,
        needle: str = "",
        server: str = "",
        stalled: Mapping[str, float] | None = None,
        named: bool = False,
    ) -> list[BatchRow]:
        """The rows to show, filtered by `needle` and sorted (running and cancelling first);
        `stalled` says which batches stopped moving since when (the Board's `stalled()`).

        Reads what `observe` and `finished` learnt; only notes when these rows would next read differently.
        """
        stalled = stalled or {}
        rows = []
        soonest = math.inf
        ages: list[float] = []
        for snap in snapshots:
            condition = snap.condition(now, interval)
            row = BatchRow(
                snapshot=snap,
                label=labels.get(snap.batch_id, ""),
                condition=condition,
                elapsed=self._elapsed(snap, now),
                eta=self._eta(snap, condition),
                updated=None if snap.fetched_at is None else now - snap.fetched_at,
                server=server,
                named=named,
                stalled_since=stalled.get(snap.batch_id),
            )
            rows.append(row)
            if row.updated is not None:
                ages.append(now + next_change(row.updated))
                if condition is Condition.FRESH and snap.polling:
                    soonest = min(soonest, now + STALE_AFTER_INTERVALS * interval - row.updated)
            if row.elapsed is not None and not (snap.state is not None and snap.state.finished):
                soonest = min(soonest, now + next_change(row.elapsed))
        if ages:  # the ages turning within GATHER_AGES of the first are drawn together, once
            first = min(ages)
            soonest = min(soonest, max(t for t in ages if t <= first + GATHER_AGES))
        self.next_change = soonest
        needle = needle.strip().lower()
        if needle:
            rows = [r for r in rows if needle in r.haystack]
        order = {snap.batch_id: i for i, snap in enumerate(snapshots)}
        rows.sort(key=lambda r: (state_rank(r.snapshot.state), order[r.batch_id]))
        return rows

    def _elapsed(self, snap: Snapshot, now: float) -> float | None:
        """Since first watched; for a finished batch, until this session saw it finish (else unknown)."""
        state = snap.state
        if state is None or not state.finished:
            return now - snap.first_seen
        done = self.finished_at.get(snap.batch_id)
        return None if done is None else done - snap.first_seen

    def _eta(self, snap: Snapshot, condition: Condition) -> float | None:
        """Only a running batch with fresh data has an ETA (a stale or cancelling one would mislead)."""
        trend = self.trends.get(snap.batch_id)
        if trend is None or snap.state is not BatchState.RUNNING or condition is not Condition.FRESH:
            return None
        return trend.eta()


SORTS: dict[str, str] = {
    "state": "state",
    "id": "ID",
    "label": "label",
    "progress": "progress",
    "message": "message",
    "warn": "warnings",
    "err": "errors",
    "elapsed": "time watched",
    "eta": "ETA",
    "updated": "last update",
    "fetch": "fetch",
    "server": "server",
}
"""The columns rows can be sorted by (table column key → name in messages); "state" is the default
(running and cancelling first, what went wrong next)."""


def sort_rows(rows: list[BatchRow], column: str, *, reverse: bool = False) -> list[BatchRow]:
    """The rows sorted by one column; unknown values last either way, ties in the default order."""

    def value(row: BatchRow) -> Any:
        snap, batch = row.snapshot, row.snapshot.batch
        counts = None if batch is None else batch.counts
        return {
            "id": (len(row.batch_id), row.batch_id),
            "label": row.label.lower() or None,
            "progress": None if batch is None else batch.progress,
            "message": row.message.lower() or None,
            "warn": None if counts is None else counts.warning,
            "err": None if counts is None else counts.error,
            "elapsed": row.elapsed,
            "eta": row.eta,
            "updated": row.updated,
            "fetch": (str(row.condition), snap.error is not None),
            "server": row.server.lower(),
        }.get(column, (state_rank(snap.state),))

    known = [r for r in rows if value(r) is not None]
    unknown = [r for r in rows if value(r) is None]
    return sorted(known, key=value, reverse=reverse) + unknown


def needs_attention(row: BatchRow) -> bool:
    """Failed, done with errors, cancel requested, stalled, stale, not found or never fetched: what
    the "needs attention" view (!) keeps."""
    state = row.snapshot.state
    if state in (BatchState.FAILED, BatchState.COMPLETED_WITH_ERRORS, BatchState.CANCELLING):
        return True
    if row.stalled_since is not None:
        return True
    return row.not_found or row.condition in (Condition.STALE, Condition.ERROR)
