"""One scheduler that polls every watched batch: bounded concurrency, backoff, probing a down server."""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import operator
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from slv_tui.slv.errors import AuthError, ProtocolError, ServerError, SlvError
from slv_tui.slv.model import Batch
from slv_tui.watch.snapshot import PollRound, ServerStatus, Snapshot, Update, summarized

log = logging.getLogger(__name__)

Fetch = Callable[[str], Awaitable[Batch]]
NEVER = math.inf
_SNAPSHOT_OF = operator.attrgetter("snapshot")
_DUE_OF = operator.attrgetter("due")
NOT_FOUND_EVERY = 30.0
"""Seconds between two probes of a batch the server does not know (it may appear a moment later)."""


class UnexpectedError(SlvError):
    """A bug met while fetching (not a server fault): logged with its traceback, never retried by `follow`."""

    title = "unexpected error"
    transient = False


@dataclass(slots=True)
class _Entry:
    snapshot: Snapshot
    due: float
    confirmations: int = 0
    in_flight: bool = False
    refresh_asked: bool = False
    """Set by `refresh` while a fetch is in flight, so that fetch's answer does not cancel the request."""


class Poller:
    """Decides when each batch is fetched and reports every finished fetch through `on_round`.

    Each fetch is delivered the moment it ends (a `PollRound` holding that one update), so a slow
    batch never holds back the others. A batch is never fetched twice at once, at most
    `concurrency` fetches are in flight, and the next fetch of a running batch is due one interval
    after the START of the previous one.
    """

    def __init__(
        self,
        fetch: Fetch,
        *,
        interval: float = 2.0,
        concurrency: int = 4,
        clock: Callable[[], float] = time.monotonic,
        max_backoff: float = 60.0,
        auth_backoff: float = 30.0,
        on_round: Callable[[PollRound], None] | None = None,
        rng: random.Random | None = None,
        confirmations: int = 1,
        not_found_every: float = NOT_FOUND_EVERY,
        down_backoff: float | None = None,
    ) -> None:
        self._fetch = fetch
        self.not_found_every = not_found_every  # seconds between probes of a batch the server does not know
        self.interval = interval
        self.concurrency = max(1, concurrency)
        self.clock = clock
        self.max_backoff = max_backoff
        self.auth_backoff = auth_backoff
        self.down_backoff = down_backoff
        """While the server is down, probe with a backoff growing to this (None: every interval)."""
        self.on_round = on_round
        self._rng = rng or random.Random()
        self.confirmations = max(1, confirmations)
        """How many fetches must see a batch finished before it is no longer polled."""
        self._entries: dict[str, _Entry] = {}
        self._wake = asyncio.Event()
        self._in_flight = 0
        self._tasks: set[asyncio.Task[Update | None]] = set()
        self._probe_at = 0.0
        self._probes_failed = 0
        self.server = ServerStatus()
        self.paused = False
        self._shelved: set[str] = set()
        """Archived batches: once finished and confirmed, only a summary of each is kept."""
        self._opened: str | None = None
        """The archived batch whose whole answer is kept while it is opened (see `open_detail`)."""

    # -- what the UI and the headless commands call ------------------------------------------

    def watch(self, batch_ids: Iterable[str], *, seen_for: Mapping[str, float] | None = None) -> None:
        """Start polling these IDs (already watched ones are left alone).

        `seen_for` says how many seconds ago an ID was first watched (the watchlist remembers it
        across restarts); the others are first seen now.
        """
        now = self.clock()
        seen_for = seen_for or {}
        for batch_id in batch_ids:
            if batch_id not in self._entries:
                first_seen = now - max(0.0, seen_for.get(batch_id, 0.0))
                self._entries[batch_id] = _Entry(Snapshot(batch_id, first_seen=first_seen), due=now)
        self._wake.set()

    def wrap_fetch(self, wrap: Callable[[Fetch], Fetch]) -> None:
        """Fetch through `wrap(the current fetch)` from now on (e.g. timed, for the metrics)."""
        self._fetch = wrap(self._fetch)

    def unwatch(self, batch_ids: Iterable[str]) -> None:
        """Stop polling these IDs and forget what was known."""
        for batch_id in batch_ids:
            self._entries.pop(batch_id, None)
            self._shelved.discard(batch_id)

    def shelve(self, batch_ids: Iterable[str], shelved: bool = True) -> None:
        """Archive these IDs (or bring them back): a finished, confirmed batch keeps only its summary
        (`summarized`: no messages) and is not polled; one brought back is fetched whole again."""
        for batch_id in batch_ids:
            if shelved:
                self._shelved.add(batch_id)
                self._summarize(batch_id)
            elif batch_id in self._shelved:
                self._shelved.discard(batch_id)
                if (entry := self._entries.get(batch_id)) is not None and entry.snapshot.summary:
                    self.refresh([batch_id])

    def seed(self, batch_id: str, batch: Batch, *, age: float) -> None:
        """A watched, never fetched batch starts from a kept summary of it, fetched `age` seconds
        ago (a finished batch: not polled; it is shown as the summary it is, and fetched when opened)."""
        entry = self._entries.get(batch_id)
        if entry is None or entry.snapshot.batch is not None or not batch.state.finished:
            return
        entry.snapshot = replace(entry.snapshot, batch=batch, polling=False, summary=True,
                                 fetched_at=self.clock() - max(0.0, age))  # fmt: skip
        entry.due = NEVER
        entry.confirmations = self.confirmations

    @property
    def shelved(self) -> frozenset[str]:
        """The archived IDs (see `shelve`)."""
        return frozenset(self._shelved)

    def open_detail(self, batch_id: str | None) -> None:
        """Keep this archived batch whole (fetched once if only its summary is kept); the one opened
        before goes back to its summary. None: no archived batch is open. Anything else: no effect."""
        if batch_id == self._opened:
            return
        before, self._opened = self._opened, batch_id
        if before is not None:
            self._summarize(before)
        entry = None if batch_id is None else self._entries.get(batch_id)
        if entry is not None and entry.snapshot.summary:
            self.refresh([entry.snapshot.batch_id])

    def _summarize(self, batch_id: str) -> None:
        entry = self._entries.get(batch_id)
        if entry is None or batch_id not in self._shelved or batch_id == self._opened:
            return
        snap = entry.snapshot
        if snap.batch is not None and not snap.polling and not snap.summary:
            entry.snapshot = replace(snap, batch=summarized(snap.batch), summary=True)

    def refresh(self, batch_ids: Iterable[str] | None = None) -> None:
        """Fetch these IDs (default: all) at once, finished ones included, and probe a down server now."""
        now = self.clock()
        chosen = self._entries if batch_ids is None else set(batch_ids)
        for batch_id in chosen:
            entry = self._entries.get(batch_id)
            if entry is not None:
                entry.due = now
                entry.confirmations = min(entry.confirmations, 1)
                entry.refresh_asked = entry.in_flight
        self._probe_at = now
        self._wake.set()

    def pause(self) -> None:
        """Stop fetching until `resume`; data on screen ages and is marked stale honestly."""
        self.paused = True

    def resume(self) -> None:
        """Fetch again; whatever fell due while paused is fetched at once."""
        self.paused = False
        self._wake.set()

    def snapshots(self) -> tuple[Snapshot, ...]:
        """Every watched batch's snapshot, in the order they were watched."""
        return tuple(map(_SNAPSHOT_OF, self._entries.values()))  # in C: one per fetch, for `on_round`

    def snapshot(self, batch_id: str) -> Snapshot | None:
        """One batch's snapshot, if watched."""
        entry = self._entries.get(batch_id)
        return None if entry is None else entry.snapshot

    def next_attempt(self, batch_id: str) -> float | None:
        """The clock time of the next fetch of this batch, None when it is not scheduled. While the
        server is down that is the next probe (one request for all batches, the earliest due first)."""
        entry = self._entries.get(batch_id)
        if entry is None or entry.due == NEVER:
            return None
        return self._probe_at if self.server.ok is False else entry.due

    @property
    def all_final(self) -> bool:
        """True when every watched batch is finished and confirmed (nothing left to poll)."""
        return all(not e.snapshot.polling for e in self._entries.values())

    # -- the loop --------------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll forever: start whatever is due (within the concurrency), sleep until more is due.

        Fetches run as tasks of their own; each one's end wakes this loop. Cancelling `run` cancels them.
        """
        try:
            while True:
                self._wake.clear()
                if not self.paused:
                    for entry in self._due(self.clock(), self.concurrency - self._in_flight):
                        self._start(entry)
                delay = self.next_wake() - self.clock()
                if delay > 0 and not self._wake.is_set():
                    # a timer setting the event, not a timeout (that ends by cancelling this task)
                    alarm = asyncio.get_running_loop().call_later(min(delay, 3600.0), self._wake.set)
                    try:
                        await self._wake.wait()
                    finally:
                        alarm.cancel()
        finally:
            for task in list(self._tasks):
                task.cancel()
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)

    def next_wake(self) -> float:
        """The clock time at which there is a fetch to start (NEVER while every slot is busy)."""
        if self.paused:
            return self.clock() + 3600.0
        if self._in_flight >= self.concurrency:
            return NEVER  # the end of a fetch wakes the loop
        idle = [e.due for e in self._entries.values() if not e.in_flight]
        if self.server.ok is False:
            if self._in_flight:
                return NEVER  # the probe in flight decides
            return self._probe_at if any(d < NEVER for d in idle) else NEVER
        return float(min(idle, default=NEVER))

    async def poll_due(self) -> PollRound | None:
        """Fetch what is due now (one probe only while the server is down) and wait for those fetches.

        Each fetch is still reported through `on_round` as it ends; the return value gathers them.
        Batches already in flight (another `poll_due`, or `run`) are left to that fetch.
        """
        if self.paused:
            return None
        chosen = self._due(self.clock(), len(self._entries))
        if not chosen:
            return None
        queue = chosen[::-1]
        running: set[asyncio.Task[Update | None]] = set()
        updates: list[Update] = []
        started = False
        while queue or running:
            while queue and self._in_flight < self.concurrency:
                if started and self.server.ok is False and self.server.auth_problem:
                    queue.clear()  # a refused login: the rest waits for the next probe (the backoff)
                    break
                started = True
                entry = queue.pop()
                if self._entries.get(entry.snapshot.batch_id) is entry and not entry.in_flight:
                    running.add(self._start(entry))
            if not running:
                break
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            updates += [u for u in (t.result() for t in done) if u is not None]
        if not updates:
            return None
        order = {e.snapshot.batch_id: i for i, e in enumerate(chosen)}
        updates.sort(key=lambda u: order[u.snapshot.batch_id])  # as started, not as they happened to end
        return PollRound(tuple(updates), self.server, self.clock(), self.snapshots())

    def _due(self, now: float, limit: int) -> list[_Entry]:
        """The idle entries due at `now`, earliest first (while the server is down: one probe)."""
        if limit <= 0:
            return []
        if self.server.ok is False:
            if now < self._probe_at or self._in_flight:
                return []
            idle = [e for e in self._entries.values() if not e.in_flight]
            return sorted((e for e in idle if e.due < NEVER), key=_DUE_OF)[:1]
        due = [e for e in self._entries.values() if e.due <= now and not e.in_flight]
        # the `limit` earliest (ties in watch order), without sorting all 500 of a first round each time
        return heapq.nsmallest(limit, due, key=_DUE_OF) if len(due) > limit else sorted(due, key=_DUE_OF)

    def _start(self, entry: _Entry) -> asyncio.Task[Update | None]:
        entry.in_flight = True
        self._in_flight += 1
        task = asyncio.create_task(self._fetch_one(entry))
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Update | None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            # Only `on_round` can raise here (fetch errors are outcomes); `poll_due` re-raises it too.
            log.error("poll callback failed: %r", exc, exc_info=exc)

    async def _fetch_one(self, entry: _Entry) -> Update | None:
        """Fetch one batch, apply the outcome and report it at once."""
        started = self.clock()
        batch_id = entry.snapshot.batch_id
        outcome: Batch | SlvError
        try:
            outcome = _error_answer_as_failure(await self._fetch(batch_id), entry.snapshot.batch)
        except SlvError as exc:
            outcome = exc
        except Exception as exc:  # a bug must not stop polling every other batch
            log.exception("batch %s: unexpected failure", batch_id)
            outcome = UnexpectedError(f"{type(exc).__name__} (details in the log file)")
        finally:
            entry.in_flight = False
            self._in_flight -= 1
            self._wake.set()
        if self._entries.get(batch_id) is not entry:
            return None  # unwatched while the fetch was in flight
        now = self.clock()
        previous = entry.snapshot.batch
        if isinstance(outcome, Batch):
            self._succeeded(entry, outcome, now, started)
        else:
            self._failed(entry, outcome, now)
        if entry.refresh_asked:
            entry.refresh_asked = False
            entry.due = now
        self._judge_server(outcome, now)
        update = Update(entry.snapshot, previous)
        if self.on_round is not None:
            self.on_round(PollRound((update,), self.server, now, self.snapshots()))
        return update

    def _succeeded(self, entry: _Entry, batch: Batch, now: float, started: float) -> None:
        previous = entry.snapshot.state
        if previous is not batch.state:
            log.info("batch %s: %s -> %s", entry.snapshot.batch_id, previous or "new", batch.state)
        polling = True
        if batch.state.finished:
            entry.confirmations += 1
            polling = entry.confirmations < self.confirmations
        else:
            entry.confirmations = 0
        entry.due = started + self.interval if polling else NEVER
        last = entry.snapshot.batch
        if batch.progress_unreadable and last is not None and last.progress is not None:
            batch = replace(batch, progress=last.progress)  # a NaN is no reading: the last one stays
        entry.snapshot = replace(
            entry.snapshot,
            batch=batch,
            fetched_at=now,
            error=None,
            failures=0,
            polling=polling,
            summary=False,
        )
        if entry.snapshot.summary:
            entry.snapshot = replace(entry.snapshot, summary=False)  # the whole batch again
        if not polling and self._shelved:
            self._summarize(entry.snapshot.batch_id)

    def _failed(self, entry: _Entry, error: SlvError, now: float) -> None:
        failures = entry.snapshot.failures + 1
        log.info("batch %s: %s (failure %d)", entry.snapshot.batch_id, error, failures)
        if not entry.snapshot.polling:
            # A confirmed finished batch cannot change: a failed manual refresh is reported, not retried.
            entry.due = NEVER
            entry.snapshot = replace(entry.snapshot, error=error, failures=failures)
            return
        if isinstance(error, ServerError) and error.not_found and entry.snapshot.batch is None:
            # Not found (a typo, or a batch not started yet): probed again slowly, never given up on.
            entry.due = now + max(self.interval, self.not_found_every) * self._rng.uniform(0.8, 1.2)
        else:
            entry.due = now + self._backoff(failures, self.max_backoff)
        entry.snapshot = replace(entry.snapshot, error=error, failures=failures)

    def _backoff(self, failures: int, cap: float) -> float:
        # The exponent is capped: 2.0 ** 1024 overflows, and 2 ** 30 intervals is past any cap anyway.
        base = min(self.interval * 2.0 ** min(max(failures - 1, 0), 30), max(cap, self.interval))
        return base * self._rng.uniform(0.8, 1.2)

    def _judge_server(self, outcome: Batch | SlvError, now: float) -> None:
        """A failure while no polled batch's last fetch succeeded means the server is down: probe it,
        one request at a time. Not when another batch answers: then the failure is that batch's own.
        """
        answered = isinstance(outcome, Batch) or (isinstance(outcome, ServerError) and outcome.not_found)
        refused = isinstance(outcome, AuthError) and not outcome.probable
        # Only for a failure: the walk over every batch is not made for each of hundreds of answers.
        others_answer = (
            not answered
            and not refused  # a refused login is every batch's problem
            and self.server.ok is not False
            and any(
                e.snapshot.polling and e.snapshot.batch is not None and e.snapshot.error is None
                for e in self._entries.values()
            )
        )
        if answered or others_answer:  # "not found" is an answer: the server is up
            if self.server.ok is False:
                log.info("server answers again")
                for entry in self._entries.values():
                    if entry.snapshot.failures and entry.due < NEVER:
                        entry.due = now
                self._wake.set()
            if self.server.ok is not True:
                self.server = ServerStatus(ok=True, since=now)
            self._probes_failed = 0
            return
        last = outcome
        auth = isinstance(last, AuthError)
        self._probes_failed += 1
        if isinstance(last, AuthError) and not last.probable:
            # A definite refusal: probing at full speed would lock the account out.
            delay = self._backoff(self._probes_failed, self.auth_backoff)
        elif self.down_backoff is not None:
            delay = self._backoff(self._probes_failed, self.down_backoff)
        else:
            delay = self.interval * self._rng.uniform(0.8, 1.2)
        self._probe_at = now + delay
        since = self.server.since if self.server.ok is False else now
        if self.server.ok is not False:
            log.warning("server trouble: %s", last)
        self.server = ServerStatus(ok=False, reason=str(last), auth_problem=auth, since=since)


def _error_answer_as_failure(batch: Batch, previous: Batch | None) -> Batch | SlvError:
    """An SLV error object for a batch already seen is a failed fetch, not the batch failing.

    Otherwise one transient server error ("500 Internal error") would turn a running batch into a
    confirmed `failed` that is never polled again.
    """
    if not batch.error_answer or previous is None or previous.error_answer:
        return batch
    code = batch.error_code or "?"
    label = batch.error_code_label or batch.message or "no label"
    return ProtocolError(f"the server answered with an error object (errorCode {code}: {label})")
