"""The event feed's records, made from Board events (no Textual, no files): subscribe an `EventFeed`
to each server's Board (`board.subscribe(feed)`) and hand it a sink that stores the records.

A record is a flat dict: `at` (ISO 8601 UTC), `server` (profile name), `kind`, `severity`, and as
the kind needs: `batchId`, `state`, `previous`, `progress`, `login` (who started the batch), `user`,
`controller`, `mode`, `text` (a reason, an error label, a problem; one cleaned line).

The feed remembers what it (or an earlier run, through `FeedMemory`) already recorded, so a restart
does not report every batch as first seen again, and a server is "back" only after it was down.
`follow` and `watch` have no Board: `RoundEvents` makes the same events from a bare poller's rounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import Batch, BatchState
from slv_tui.watch.board import (
    BoardEvent,
    Listener,
    RoundApplied,
    ServerChanged,
    StallChanged,
    StateChanged,
    StoreProblem,
)
from slv_tui.watch.snapshot import PollRound, ServerStatus

Record = dict[str, Any]
Sink = Callable[[Record], None]

SEVERITIES = ("info", "warning", "error")
"""From least to most serious; `events --severity warning` shows warning and error."""
KINDS: dict[str, str] = {
    "first_seen": "info",
    "state": "info",
    "cancel_requested": "warning",
    "finished": "info",
    "failed": "error",
    "completed_with_errors": "warning",
    "cancelled": "warning",
    "stalled": "warning",
    "moving": "info",
    "commission_started": "info",
    "server_down": "error",
    "server_up": "info",
    "login_mode": "info",
    "store_problem": "warning",
    "notice": "warning",
}
"""Every kind of record and its severity."""
KIND_TEXT = {
    "first_seen": "first seen",
    "state": "state changed",
    "cancel_requested": "cancel requested",
    "finished": "finished",
    "failed": "failed",
    "completed_with_errors": "completed with errors",
    "cancelled": "cancelled",
    "stalled": "stalled",
    "moving": "moving again",
    "commission_started": "commissioning started",
    "server_down": "server unreachable",
    "server_up": "server back",
    "login_mode": "login mode",
    "store_problem": "store problem",
    "notice": "problem shown",
}
_FINAL_KIND = {
    BatchState.SUCCEEDED: "finished",
    BatchState.FAILED: "failed",
    BatchState.COMPLETED_WITH_ERRORS: "completed_with_errors",
    BatchState.CANCELLED: "cancelled",
}
_FINISHED = frozenset(s.value for s in BatchState if s.finished)
TEXT_MAX = 300


def iso_now() -> str:
    """Now as ISO 8601 UTC with milliseconds (as the history writes it)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_record(kind: str, server: str, *, at: str | None = None, **fields: Any) -> Record:
    """One record: the kind's severity, text fields cleaned to one bounded line, None fields left out."""
    record: Record = {"at": at or iso_now(), "server": clean(server, max_length=100), "kind": kind,
                      "severity": KINDS[kind]}  # fmt: skip
    for key, value in fields.items():
        if value is None:
            continue
        record[key] = clean(value, max_length=TEXT_MAX) if isinstance(value, str) else value
    return record


@dataclass
class FeedMemory:
    """What was recorded last, per batch and per server (read back from the store at start)."""

    states: dict[tuple[str, str], str] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)
    modes: dict[str, str] = field(default_factory=dict)
    stalled: set[tuple[str, str]] = field(default_factory=set)
    """The batches recorded as stalled and not since as moving again or finished."""

    def learn(self, record: Record) -> None:
        """Take in one record (oldest first)."""
        server, kind = str(record.get("server")), record.get("kind")
        batch_id = record.get("batchId")
        if isinstance(batch_id, str) and isinstance(record.get("state"), str):
            self.states[(server, batch_id)] = record["state"]
            if record["state"] in _FINISHED:
                self.stalled.discard((server, batch_id))
        if kind == "stalled" and isinstance(batch_id, str):
            self.stalled.add((server, batch_id))
        elif kind == "moving" and isinstance(batch_id, str):
            self.stalled.discard((server, batch_id))
        elif kind == "server_down":
            self.down.add(server)
        elif kind == "server_up":
            self.down.discard(server)
        elif kind == "login_mode" and isinstance(record.get("mode"), str):
            self.modes[server] = record["mode"]


class EventFeed:
    """A Board subscriber that turns its events into feed records handed to `sink`."""

    def __init__(self, sink: Sink, memory: FeedMemory | None = None) -> None:
        self.sink = sink
        self.memory = memory or FeedMemory()
        self._batches: dict[tuple[str, str], Batch] = {}

    def __call__(self, event: BoardEvent) -> None:
        if isinstance(event, RoundApplied):
            self._server(event.server, event.round.server)  # back before what it answered
            for update in event.round.updates:
                if update.snapshot.batch is not None:
                    self._batches[(event.server, update.snapshot.batch_id)] = update.snapshot.batch
        elif isinstance(event, StateChanged) and event.state is not None:
            self._state(event.server, event.batch_id, event.state)
        elif isinstance(event, ServerChanged):
            self._server(event.server, event.status)
        elif isinstance(event, StoreProblem):
            self.store_problem(event.server, event.problem)
        elif isinstance(event, StallChanged):
            self.stall(event)

    def _emit(self, record: Record) -> None:
        self.memory.learn(record)
        self.sink(record)

    def _state(self, server: str, batch_id: str, state: BatchState) -> None:
        known = self.memory.states.get((server, batch_id))
        if known == state.value:
            return  # recorded already (by an earlier run, or another process)
        batch = self._batches.get((server, batch_id))
        fields: dict[str, Any] = {"batchId": batch_id, "state": state.value}
        if batch is not None:
            fields["progress"] = batch.progress
            if batch.state is BatchState.FAILED:
                fields["text"] = batch.error_code_label or batch.message or batch.progress_message
        if known is None:
            self._emit(make_record("first_seen", server, **fields, login=batch.login if batch else None))
            if not state.finished and state is not BatchState.CANCELLING:
                return
        fields["previous"] = known
        kind = _FINAL_KIND.get(state) or ("cancel_requested" if state is BatchState.CANCELLING else "state")
        self._emit(make_record(kind, server, **fields))

    def stall(self, event: StallChanged) -> None:
        """Stalled (once, also across restarts) or moving again (only after stalled; a stalled batch
        that finishes is told by its final record, not as moving again)."""
        key = (event.server, event.batch_id)
        batch = self._batches.get(key)
        if event.since is not None:
            if key not in self.memory.stalled:
                progress = None if batch is None else batch.progress
                self._emit(make_record("stalled", event.server, batchId=event.batch_id, progress=progress))
        elif key in self.memory.stalled:
            if batch is not None and batch.state.finished:
                self.memory.stalled.discard(key)
                return
            progress = None if batch is None else batch.progress
            self._emit(make_record("moving", event.server, batchId=event.batch_id, progress=progress))

    def _server(self, server: str, status: ServerStatus) -> None:
        if status.ok is False and server not in self.memory.down:
            reason = status.reason or "no answer"
            text = f"login failed: {reason}" if status.auth_problem else reason
            self._emit(make_record("server_down", server, text=text))
        elif status.ok and server in self.memory.down:
            self._emit(make_record("server_up", server))

    def store_problem(self, server: str, problem: str) -> None:
        """A file moved aside, a lock held, a save that failed."""
        self._emit(make_record("store_problem", server, text=problem))

    def login_mode(self, server: str, mode: str | None) -> None:
        """The login mode in use (recorded when it is new or differs from the last one recorded)."""
        if mode and self.memory.modes.get(server) != mode:
            before = self.memory.modes.get(server)
            self._emit(make_record("login_mode", server, mode=mode, previous=before))

    def commission_started(self, server: str, batch_id: str, *, user: str, controller: str) -> None:
        """Commissioning was started from this app (by whom, on which controller)."""
        self._emit(
            make_record("commission_started", server, batchId=batch_id, user=user, controller=controller)
        )


class RoundEvents:
    """Board-style events from a bare poller's rounds, for the commands that have no Board."""

    def __init__(self, server: str, listener: Listener) -> None:
        self.server = server
        self.listener = listener
        self._states: dict[str, BatchState] = {}
        self._ok: bool | None = None

    def __call__(self, round_: PollRound) -> None:
        self.listener(RoundApplied(self.server, round_, round_.snapshots))
        for update in round_.updates:
            snap = update.snapshot
            state, previous = snap.state, self._states.get(snap.batch_id)
            if state is not None and state is not previous:
                self._states[snap.batch_id] = state
                self.listener(StateChanged(self.server, snap.batch_id, previous, state))
        if round_.server.ok is not None and round_.server.ok != self._ok:
            self._ok = round_.server.ok
            self.listener(ServerChanged(self.server, round_.server))
