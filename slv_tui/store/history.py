"""The timeline of each batch: small events derived from successive polls, appended as JSON Lines.

One file per batch and profile (`history/PROFILE/BATCH_ID.jsonl`, 0600), append-only with an fsync
per written group of events, compacted when it grows past MAX_FILE_BYTES (the first event and the
newest ones are kept). A torn last line (a kill -9 mid-write) is skipped on read and never glued to
the next event. Writes happen on a thread of their own: the UI and `follow` only hand over marks.
"""

from __future__ import annotations

import json
import logging
import math
import os
import queue
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from slv_tui.slv.model import Batch, BatchState
from slv_tui.store.files import (
    last_byte,
    locked,
    open_append,
    private_dir,
    read_regular,
    refuse_shared_folder,
    write_atomic,
)
from slv_tui.store.history_lines import parse_lines_counted
from slv_tui.watch.snapshot import PollRound

log = logging.getLogger(__name__)

Event = dict[str, Any]
"""{"at": ISO 8601 UTC, "kind": ..., "state": ..., "progress": ..., "warnings": n, "errors": n}."""

KIND_TEXT = {
    "first_seen": "first seen",
    "state": "state",
    "progress": "progress",
    "cancel_requested": "cancel requested",
    "warnings": "warnings",
    "errors": "errors",
    "finished": "finished",
}
"""Each kind of event in words, as `slv-tui history` and the detail pane show it."""
MAX_FILE_BYTES = 128 * 1024
"""Past this size a batch's file is compacted to its first event and the newest KEEP_EVENTS."""
KEEP_EVENTS = 400
READ_LIMIT = 4 * MAX_FILE_BYTES
"""A history file larger than this is not ours (it never grows past MAX_FILE_BYTES plus one group)."""
MILESTONE = 10.0
"""Progress is recorded each time it crosses a multiple of this many percent."""


def kind_text(event: Event) -> str:
    """What happened, in words ("?" for a kind this version does not know)."""
    return KIND_TEXT.get(str(event.get("kind")), "?")


def progress_text(event: Event) -> str:
    """The recorded progress as " 40 %", or "   —" when there is none (or it is not a number)."""
    progress = event.get("progress")
    return f"{progress:3.0f} %" if isinstance(progress, int | float) else "   —"


def utc_now() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds: 2026-12-01T13:47:10.123Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Mark:
    """What the history compares between two polls of a batch."""

    state: BatchState
    progress: float | None
    cancel_requested: bool
    warnings: int
    errors: int

    @classmethod
    def of(cls, batch: Batch) -> Mark:
        """The mark of a fetched batch."""
        return cls(
            batch.state, batch.progress, batch.cancel_requested, batch.counts.warning, batch.counts.error
        )

    @classmethod
    def from_event(cls, event: Event) -> Mark | None:
        """The mark an event recorded (to go on after a restart), None when it is not readable."""
        try:
            progress = event.get("progress")
            return cls(
                BatchState(event["state"]),
                None if progress is None else float(progress),
                bool(event.get("cancelRequested", False)),
                int(event.get("warnings", 0)),
                int(event.get("errors", 0)),
            )
        except (KeyError, TypeError, ValueError, OverflowError):
            return None


def _event(kind: str, mark: Mark, at: datetime) -> Event:
    progress = mark.progress
    return {
        "at": iso(at),
        "kind": kind,
        "state": mark.state.value,
        "progress": None if progress is None else round(progress, 1),
        "cancelRequested": mark.cancel_requested,
        "warnings": mark.warnings,
        "errors": mark.errors,
    }


def _bucket(progress: float | None) -> int:
    return -1 if progress is None or not math.isfinite(progress) else int(progress // MILESTONE)


def _grew(old: int, new: int) -> bool:
    """Counts are recorded when they appear and each time they double (a bounded number of events)."""
    return new > old and (old == 0 or new >= 2 * old)


def events_between(previous: Batch | Mark | None, batch: Batch | Mark, now: datetime) -> list[Event]:
    """The events that moving from `previous` (None: never seen) to `batch` makes, oldest first. Pure."""
    new = batch if isinstance(batch, Mark) else Mark.of(batch)
    if previous is None:  # already over when first seen: no "finished" event (when it ended is unknown)
        return [_event("first_seen", new, now)]
    old = previous if isinstance(previous, Mark) else Mark.of(previous)
    out: list[Event] = []
    if new.cancel_requested and not old.cancel_requested:
        out.append(_event("cancel_requested", new, now))
    if _grew(old.warnings, new.warnings):
        out.append(_event("warnings", new, now))
    if _grew(old.errors, new.errors):
        out.append(_event("errors", new, now))
    if _bucket(new.progress) > _bucket(old.progress) and not new.state.finished:
        out.append(_event("progress", new, now))
    if new.state is not old.state:
        out.append(_event("finished" if new.state.finished else "state", new, now))
    return out


def _without_made_up_finish(events: list[Event]) -> list[Event]:
    """Older files recorded a batch already over when first seen as seen *and* finished
    at that moment: the "finished" event at the first-seen time is dropped (its finish is unknown)."""
    if len(events) < 2 or events[0].get("kind") != "first_seen" or events[1].get("kind") != "finished":
        return events
    if events[1].get("at") != events[0].get("at") or events[1].get("state") != events[0].get("state"):
        return events
    return [events[0], *events[2:]]


# -- the files --------------------------------------------------------------------------------------


def history_dir(data_dir: Path, profile: str) -> Path:
    """The folder of one profile's history files."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", profile) or "default"
    return data_dir / "history" / safe


def parse_lines(raw: bytes) -> list[Event]:
    """The readable events of a file; a torn or foreign line is skipped, never fatal."""
    return parse_lines_counted(raw)[0]


class HistoryStore:
    """Reads and appends one profile's history files (blocking I/O: call from a thread or a command)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, batch_id: str) -> Path:
        """The file of one batch (IDs are digits, checked by the callers)."""
        return self.folder / f"{batch_id}.jsonl"

    def read(self, batch_id: str) -> list[Event]:
        """The recorded events of a batch, oldest first ([] when nothing was recorded)."""
        return self.read_counted(batch_id)[0]

    def read_counted(self, batch_id: str) -> tuple[list[Event], int]:
        """The recorded events of a batch and the number of unreadable lines skipped (logged)."""
        try:
            raw = read_regular(self.path(batch_id), READ_LIMIT)
        except FileNotFoundError:
            return [], 0
        events, skipped = parse_lines_counted(raw)
        events = _without_made_up_finish(events)
        if skipped:
            log.warning("history of batch %s: %d unreadable line(s) skipped", batch_id, skipped)
        return events, skipped

    def append(self, batch_id: str, events: Sequence[Event]) -> None:
        """Append events (one write and one fsync); compact the file when it grew too large.

        Never through a link (O_NOFOLLOW, or a refusal where the flag is missing) and never into a
        folder others can write (someone else's folder, left group- or world-writable): both raise
        UnsafeFileError, one line naming the path, and nothing is written.
        """
        if events:
            self._append(batch_id, lambda size: list(events))

    def append_marks(
        self,
        batch_id: str,
        previous: Mark | None,
        marks: Sequence[tuple[Mark, datetime]],
        known_size: int | None,
    ) -> tuple[list[Event], int]:
        """Append the events `marks` make after `previous`, under the folder lock. When the file is not
        `known_size` bytes long any more (another recorder, e.g. a second `follow` of the batch, wrote
        since), they are made after the file's last event instead: two recorders never write the same
        change twice. Returns the events written and the file's size now."""

        def make(size: int) -> list[Event]:
            start = previous
            if size != known_size:
                recorded = self.read(batch_id)
                start = Mark.from_event(recorded[-1]) if recorded else None
            return made_events(start, marks)

        return self._append(batch_id, make)

    def _append(self, batch_id: str, make: Callable[[int], list[Event]]) -> tuple[list[Event], int]:
        refuse_shared_folder(private_dir(self.folder), "record history")
        path = self.path(batch_id)
        with locked(self.folder / ".lock"):
            fd = open_append(path)
            try:
                size = os.fstat(fd).st_size
                events = make(size)
                payload = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in events).encode("utf-8")
                if payload and size and last_byte(fd, size) != b"\n":
                    payload = b"\n" + payload  # a torn last line stays alone, the next event whole
                if payload:
                    os.write(fd, payload)
                    os.fsync(fd)
            finally:
                os.close(fd)
            size += len(payload)
            if size > MAX_FILE_BYTES:
                self._compact(batch_id)
                size = os.stat(path).st_size
        return events, size

    def _compact(self, batch_id: str) -> None:
        events = self.read(batch_id)
        kept = events[:1] + events[1:][-KEEP_EVENTS:]
        payload = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in kept).encode("utf-8")
        write_atomic(self.path(batch_id), payload)


def made_events(previous: Mark | None, marks: Sequence[tuple[Mark, datetime]]) -> list[Event]:
    """The events a run of marks makes after `previous`, oldest first. Pure."""
    events: list[Event] = []
    for mark, at in marks:
        events += events_between(previous, mark, at)
        previous = mark
    return events


# -- the recorder every poller feeds -----------------------------------------------------------------

_STOP = object()


class HistoryRecorder:
    """Turns poll rounds into events and writes them on a thread of its own.

    `record` (the poller's callback side) only queues (batch ID, mark, time); the thread compares
    with the last mark (read back from the file the first time a batch is met, so a restart goes on
    where it left off), appends, and keeps every batch's events in memory for `timeline`.
    """

    def __init__(self, store: HistoryStore, *, now: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.now = now
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._marks: dict[str, Mark | None] = {}
        self._seen: dict[str, Mark] = {}
        """The event loop's side: each batch's last mark `record` took (handed to the thread or held)."""
        self._held: dict[str, Mark] = {}
        """Marks that made no event, not handed to the thread yet: it learns each with the next mark
        of its batch that makes one (the thread is woken only for a change it has to write)."""
        self._events: dict[str, list[Event]] = {}
        self._sizes: dict[str, int | None] = {}
        """The size of each batch's file after this recorder's last append (None: not known)."""
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

    def record(self, poll_round: PollRound) -> None:
        """Queue what this round's fetched batches look like now (cheap; never blocks).

        A mark that makes no event after the batch's last one (progress moving within a milestone,
        a new message: most rounds) is held here, not queued: the thread, and the thread switch
        waking it costs the event loop, is only for what it has to write. It gets the held mark with
        the batch's next eventful one and compares with it, as if it had taken each in turn.
        """
        now = self.now()
        items = []
        seen, held = self._seen, self._held
        for u in poll_round.updates:
            batch = u.snapshot.batch
            if batch is None or not u.batch_changed:  # the same answer again changes nothing
                continue
            batch_id, mark = u.snapshot.batch_id, Mark.of(batch)
            last = seen.get(batch_id)
            seen[batch_id] = mark
            if last is not None and not events_between(last, mark, now):
                held[batch_id] = mark  # the thread's previous mark for the next one
                continue
            items.append((batch_id, mark, now, held.pop(batch_id, None)))
        if items:
            self._put(("marks", items))

    def load(self, batch_ids: Iterable[str]) -> None:
        """Read these batches' timelines in the background (for batches not polled any more)."""
        self._put(("load", list(batch_ids)))

    def timeline(self, batch_id: str) -> tuple[Event, ...]:
        """The events known for a batch (from the file and this run), oldest first."""
        with self._lock:
            return tuple(self._events.get(batch_id, ()))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued is written; False on timeout."""
        return self._idle.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and stop the thread."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._thread = None

    def _put(self, item: object) -> None:
        self._idle.clear()
        self._queue.put(item)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="slv-tui-history", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                self._idle.set()
                return
            items = [item]
            while True:  # take everything queued: one write per batch for all of it
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self._handle(items)
                    self._idle.set()
                    return
                items.append(more)
            self._handle(items)
            if self._queue.empty():
                self._idle.set()

    def _handle(self, items: list[object]) -> None:
        pending: dict[str, list[tuple[Mark, datetime]]] = {}
        for item in items:
            assert isinstance(item, tuple)
            what, payload = item
            if what == "load":
                for batch_id in payload:
                    self._known(batch_id)
                continue
            for batch_id, mark, at, held in payload:
                self._known(batch_id)
                if held is not None:  # the marks `record` held since: the last one is the previous
                    if batch_id in pending:
                        self._write(batch_id, pending.pop(batch_id))
                    self._marks[batch_id] = held
                pending.setdefault(batch_id, []).append((mark, at))
        for batch_id, marks in pending.items():
            self._write(batch_id, marks)

    def _write(self, batch_id: str, marks: list[tuple[Mark, datetime]]) -> None:
        """Append the events these marks (in order) make after the batch's last mark."""
        previous = self._marks.get(batch_id)
        self._marks[batch_id] = marks[-1][0]
        if not made_events(previous, marks):  # nothing changed since this recorder last looked
            return
        try:
            events, size = self.store.append_marks(batch_id, previous, marks, self._sizes.get(batch_id))
        except OSError as exc:
            log.warning("cannot record the history of batch %s: %s", batch_id, exc)
            events, size = made_events(previous, marks), None
        self._sizes[batch_id] = size
        with self._lock:
            self._events.setdefault(batch_id, []).extend(events)

    def _known(self, batch_id: str) -> Mark | None:
        """The last mark of a batch, read from its file the first time."""
        if batch_id in self._marks:
            return self._marks[batch_id]
        self._sizes[batch_id] = None  # the first append goes on from the file's last event
        try:
            events = self.store.read(batch_id)
        except OSError as exc:
            log.warning("cannot read the history of batch %s: %s", batch_id, exc)
            events = []
        with self._lock:
            self._events[batch_id] = events + self._events.get(batch_id, [])
        mark = Mark.from_event(events[-1]) if events else None
        self._marks[batch_id] = mark
        return mark
