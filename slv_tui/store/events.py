"""The event feed on disk: one append-only JSON Lines file across every server and batch.

`events/events.jsonl` in the data folder (0600, its folder 0700), appended under a lock with one
write and one fsync per group of records, never through a link and never into a folder others can
write. Past MAX_FILE_BYTES the file is rotated to `events.1.jsonl` (the older one is dropped), so the
feed never holds more than about twice that. Every line read back is validated: a torn line (a kill
-9 mid-write) or a foreign one is skipped and counted, never fatal. `EventWriter` writes on a thread
of its own, so a poller or the UI only hands records over.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from slv_tui.slv.model import BatchState
from slv_tui.store.files import (
    last_byte,
    locked,
    open_append,
    private_dir,
    read_regular,
    refuse_shared_folder,
)
from slv_tui.store.history_lines import is_zoned_time, parse_json_lines
from slv_tui.watch.event_feed import KINDS, SEVERITIES, TEXT_MAX, EventFeed, FeedMemory, Record

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 512 * 1024
"""Past this size the feed is rotated: at most two files of about this size are kept."""
READ_LIMIT = 2 * MAX_FILE_BYTES
"""A feed file larger than this is not ours: refused, never read whole."""
_STATES = frozenset(state.value for state in BatchState)
_BATCH_ID = re.compile(r"[0-9]{1,19}")
_TEXT_FIELDS = ("text", "login", "user", "controller", "mode", "previous")


def events_dir(data_dir: Path) -> Path:
    """The folder of the feed."""
    return data_dir / "events"


# -- which lines are records ------------------------------------------------------------------------


def valid_record(record: object) -> bool:
    """Whether a decoded line is a record every reader can show: a known kind and severity, a zoned
    time, a server name, a batch ID of digits, a known state, progress 0 to 100, short text fields."""
    if not isinstance(record, dict) or record.get("kind") not in KINDS:
        return False
    if record.get("severity") not in SEVERITIES or not is_zoned_time(record.get("at")):
        return False
    server = record.get("server")
    if not isinstance(server, str) or not 0 < len(server) <= 100:
        return False
    batch_id = record.get("batchId")
    if batch_id is not None and not (isinstance(batch_id, str) and _BATCH_ID.fullmatch(batch_id)):
        return False
    if record.get("state") is not None and record.get("state") not in _STATES:
        return False
    progress = record.get("progress")
    if progress is not None and not (
        isinstance(progress, int | float) and not isinstance(progress, bool) and 0 <= progress <= 100
    ):
        return False
    return all(
        record.get(key) is None or (isinstance(record[key], str) and len(record[key]) <= TEXT_MAX)
        for key in _TEXT_FIELDS
    )


def parse_records(raw: bytes) -> tuple[list[Record], int]:
    """The readable records of a file and how many non-blank lines were skipped (never fatal)."""
    return parse_json_lines(raw, valid_record)


# -- the file ---------------------------------------------------------------------------------------


class EventLog:
    """Reads and appends the feed (blocking I/O: call from a thread or a command)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "events.jsonl"
        self.rotated = folder / "events.1.jsonl"

    def read_counted(self) -> tuple[list[Record], int]:
        """Every readable record, oldest first, and the number of unreadable lines skipped."""
        records: list[Record] = []
        skipped = 0
        for path in (self.rotated, self.path):
            try:
                raw = read_regular(path, READ_LIMIT)
            except FileNotFoundError:
                continue
            got, bad = parse_records(raw)
            records.extend(got)
            skipped += bad
        if skipped:
            log.warning("event feed: %d unreadable line(s) skipped", skipped)
        return records, skipped

    def memory(self) -> FeedMemory:
        """What the feed recorded last (per batch and server), to go on after a restart."""
        memory = FeedMemory()
        try:
            records, _ = self.read_counted()
        except OSError as exc:
            log.warning("cannot read the event feed: %s", exc)
            return memory
        for record in records:
            memory.learn(record)
        return memory

    def append(self, records: Sequence[Record]) -> None:
        """Append records (one write, one fsync); rotate when the file grew past MAX_FILE_BYTES.

        A link in the way or a folder others can write is an UnsafeFileError; nothing is written.
        """
        if not records:
            return
        refuse_shared_folder(private_dir(self.folder), "keep the event feed")
        payload = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
        data = payload.encode("utf-8")
        with locked(self.folder / ".lock"):
            fd = open_append(self.path)
            try:
                size = os.fstat(fd).st_size
                if size and last_byte(fd, size) != b"\n":
                    data = b"\n" + data  # a torn last line stays alone, the next record whole
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            if size + len(data) > MAX_FILE_BYTES:
                os.replace(self.path, self.rotated)


# -- the writer thread ------------------------------------------------------------------------------

_STOP = object()


class EventWriter:
    """Hands records to a thread that appends them (`put` never blocks); a failed append is logged."""

    def __init__(self, log_file: EventLog) -> None:
        self.log_file = log_file
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self.problem: str | None = None
        """The last append failure (one line), None while appends work."""

    def put(self, record: Record) -> None:
        """Queue one record (the feed's sink)."""
        self._idle.clear()
        self._queue.put(record)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="slv-tui-events", daemon=True)
            self._thread.start()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued is written; False on timeout."""
        return self._idle.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and stop the thread."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(item is _STOP for item in batch)
            self._write([item for item in batch if isinstance(item, dict)])
            if stop:
                self._idle.set()
                return
            if self._queue.empty():
                self._idle.set()

    def _write(self, records: list[Record]) -> None:
        try:
            self.log_file.append(records)
            self.problem = None
        except OSError as exc:
            self.problem = str(exc)
            log.warning("cannot write the event feed: %s", exc)


def open_feed(data_dir: Path) -> tuple[EventFeed, EventWriter]:
    """The feed every Board of a process subscribes (`board.subscribe(feed)`) and its writer (close
    it at exit). Reads the feed once to go on where it left off: blocking, call it off the UI loop."""
    log_file = EventLog(events_dir(data_dir))
    writer = EventWriter(log_file)
    return EventFeed(writer.put, log_file.memory()), writer


def select(
    records: Iterable[Record],
    *,
    since: datetime | None = None,
    server: str | None = None,
    severity: str | None = None,
) -> list[Record]:
    """The records to show, oldest first: newer than `since`, of `server`, at least `severity`; a
    record repeating the last one of its batch (or server) is dropped (two processes saw it)."""
    floor = SEVERITIES.index(severity) if severity else 0
    last: dict[tuple[str, str], tuple[Any, ...]] = {}
    out: list[Record] = []
    for record in sorted(records, key=lambda r: _time(r["at"])):
        key = (record["server"], str(record.get("batchId") or record["kind"].split("_")[0]))
        text = record.get("text") if record["kind"] in ("store_problem", "notice") else None
        what = (record["kind"], record.get("state"), record.get("mode"), text)
        if last.get(key) == what:
            continue
        last[key] = what
        if since is not None and _time(record["at"]) < since:
            continue
        if server is not None and record["server"] != server:
            continue
        if SEVERITIES.index(record["severity"]) < floor:
            continue
        out.append(record)
    return out


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)
