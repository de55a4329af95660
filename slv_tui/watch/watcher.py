"""The watcher: a Board's events as flat event dicts (state changes, finished, failed, not found,
stalled, moving again, server down/up), what `slv-tui watch` prints and every notification channel
takes (the Apprise notifier, the dashboard's desktop/terminal/bell alerts); no Textual, no files."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slv_tui.common.sanitize import clean
from slv_tui.slv.errors import ServerError, SlvError
from slv_tui.slv.model import Batch
from slv_tui.watch.board import Board, BoardEvent, ListChanged, RoundApplied, StallChanged
from slv_tui.watch.event_feed import iso_now
from slv_tui.watch.snapshot import PollRound, Snapshot

Emit = Callable[[dict[str, Any]], None]


@dataclass(slots=True)
class Known:
    """What the watcher remembers of one batch between rounds."""

    state: str | None = None
    moved_at: float | None = None
    """The Board's last movement of the batch (its clock) when the watcher last looked."""
    last_change: float | None = None
    finished_at: float | None = None


@dataclass
class Watcher:
    """Turns a Board's events into event dicts (`emit` gets each); stalls are the Board's."""

    board: Board[Any]
    emit: Emit
    name: str | None = None
    """The server's name in events and metrics (the profile); None: the Board's."""
    wall: Callable[[], float] = time.time
    known: dict[str, Known] = field(default_factory=dict)
    server_up: bool | None = None

    @property
    def server(self) -> str:
        return self.name or self.board.server

    def __call__(self, event: BoardEvent) -> None:
        """The Board listener: rounds, stalls and list changes."""
        if isinstance(event, RoundApplied):
            self.on_round(event.round)
        elif isinstance(event, StallChanged):
            self._stall(event)
        elif isinstance(event, ListChanged):
            watched = {s.batch_id for s in self.board.snapshots()}
            for gone in self.known.keys() - watched:
                del self.known[gone]

    def _event(self, kind: str, batch_id: str | None = None, **extra: Any) -> None:
        event: dict[str, Any] = {"at": iso_now(), "server": clean(self.server), "event": kind}
        if batch_id is not None:
            event["batchId"] = batch_id
            label = self.board.label_of(batch_id)
            if label:
                event["label"] = clean(label, max_length=200)
        event.update(extra)
        self.emit(event)

    def on_round(self, poll_round: PollRound) -> None:
        """Events of one round: server down/up, state changes, finished."""
        up = poll_round.server.ok
        if up is not None and up != self.server_up:
            if up:
                self._event("server_up")
            else:
                self._event("server_down", reason=clean(poll_round.server.reason or "", max_length=200))
            self.server_up = up
        for update in poll_round.updates:
            self._batch(update.snapshot)

    def _batch(self, snap: Snapshot) -> None:
        known = self.known.setdefault(snap.batch_id, Known())
        batch = snap.batch
        if batch is None:
            if not_found(snap.error) and known.state != "not_found":
                known.state = "not_found"
                self._event("not_found", snap.batch_id, error=clean(str(snap.error), max_length=200))
            return
        state = batch.state.value
        moved_at = self.board.stalls.moved_at(snap.batch_id)
        if moved_at != known.moved_at or state != known.state:
            known.last_change = self.wall()
        known.moved_at = moved_at
        if state != known.state:
            previous, known.state = known.state, state
            fields = fields_of(batch)
            if batch.state.finished:
                known.finished_at = known.finished_at or self.wall()
                self._event(state, snap.batch_id, previous=previous, **fields)
                self._event("finished", snap.batch_id, previous=previous, **fields)
            else:
                self._event("state", snap.batch_id, previous=previous, **fields)

    def _stall(self, event: StallChanged) -> None:
        snap = self.board.snapshot(event.batch_id)
        batch = None if snap is None else snap.batch
        fields = {} if batch is None else fields_of(batch)
        if event.since is not None:
            stalled_for = round(self.board.poller.clock() - event.since, 1)
            self._event("stalled", event.batch_id, stalledFor=stalled_for, **fields)
        else:
            self._event("moving", event.batch_id, **fields)


def not_found(error: SlvError | None) -> bool:
    return isinstance(error, ServerError) and error.not_found


def fields_of(batch: Batch) -> dict[str, Any]:
    counts = batch.counts
    first_error = next((m.text for s in batch.steps for m in s.errors), None)
    out: dict[str, Any] = {"state": batch.state.value, "progress": batch.progress, "counts": counts.as_dict()}
    if first_error or batch.error_code_label:
        out["firstError"] = clean(first_error or batch.error_code_label, max_length=200)
    return out
