"""The watchlist: batch IDs with labels, stored as JSON, every change a locked, atomic read-modify-write."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slv_tui.slv.ids import InvalidBatchId, validate_id

log = logging.getLogger(__name__)
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One watched batch."""

    batch_id: str
    label: str = ""
    added_at: float = 0.0


class WatchlistError(Exception):
    """The watchlist could not be read or written; the message is one line."""


class Watchlist:
    """A watchlist file shared safely by every slv-tui instance using the same data dir."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self.entries: list[WatchEntry] = []
        self.problem: str | None = None
        """A one-line note about trouble met while loading (e.g. a corrupt file moved aside)."""

    def load(self) -> list[WatchEntry]:
        """Read the file (a corrupt one is moved aside with a note in `problem`)."""
        with self._locked():
            self.entries = self._read()
        return list(self.entries)

    def add(self, batch_ids: Iterable[str], label: str = "") -> list[str]:
        """Add IDs not yet watched; returns the ones actually added."""
        wanted = [validate_id(b) for b in batch_ids]
        added: list[str] = []

        def change(entries: list[WatchEntry]) -> list[WatchEntry]:
            known = {e.batch_id for e in entries}
            for batch_id in wanted:
                if batch_id not in known:
                    entries.append(WatchEntry(batch_id, label, self._clock()))
                    known.add(batch_id)
                    added.append(batch_id)
            return entries

        self._update(change)
        return added

    def remove(self, batch_ids: Iterable[str]) -> list[WatchEntry]:
        """Remove IDs; returns the removed entries so the caller can offer undo."""
        doomed = set(batch_ids)
        removed: list[WatchEntry] = []

        def change(entries: list[WatchEntry]) -> list[WatchEntry]:
            removed.extend(e for e in entries if e.batch_id in doomed)
            return [e for e in entries if e.batch_id not in doomed]

        self._update(change)
        return removed

    def restore(self, entries: Sequence[WatchEntry]) -> None:
        """Put removed entries back (undo), keeping their labels and first-seen times."""

        def change(current: list[WatchEntry]) -> list[WatchEntry]:
            known = {e.batch_id for e in current}
            return current + [e for e in entries if e.batch_id not in known]

        self._update(change)

    def set_label(self, batch_id: str, label: str) -> None:
        """Give a watched batch a label ('' clears it)."""

        def change(entries: list[WatchEntry]) -> list[WatchEntry]:
            return [
                WatchEntry(e.batch_id, label.strip(), e.added_at) if e.batch_id == batch_id else e
                for e in entries
            ]

        self._update(change)

    def ids(self) -> list[str]:
        """The watched IDs in file order."""
        return [e.batch_id for e in self.entries]

    def watched_for(self) -> dict[str, float]:
        """Seconds since each ID was added (entries with a known time), so elapsed survives a restart."""
        now = self._clock()
        return {e.batch_id: max(0.0, now - e.added_at) for e in self.entries if e.added_at > 0}

    def _update(self, change: Callable[[list[WatchEntry]], list[WatchEntry]]) -> None:
        with self._locked():
            entries = change(self._read())
            self._sweep_temp_files()
            self._write(entries)
            self.entries = entries

    def _sweep_temp_files(self) -> None:
        """Delete temp files left by a writer killed mid-write (safe: we hold the lock every writer takes)."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            leftover.unlink(missing_ok=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = open(self.path.with_name(self.path.name + ".lock"), "a+b")  # noqa: SIM115
        except OSError as exc:
            raise WatchlistError(f"cannot open the watchlist in {self.path.parent}: {exc.strerror}") from None
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> list[WatchEntry]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise WatchlistError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            return _decode(json.loads(raw.decode("utf-8")))
        except (ValueError, TypeError, KeyError, RecursionError, InvalidBatchId) as exc:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            aside = self.path.with_name(
                f"{self.path.name}.corrupt-{stamp}-{os.getpid()}-{time.time_ns() % 10**9}"
            )
            os.replace(self.path, aside)
            self.problem = f"watchlist {self.path} was unreadable ({exc}); moved aside to {aside.name}"
            log.warning("%s", self.problem)
            return []

    def _write(self, entries: Sequence[WatchEntry]) -> None:
        payload = json.dumps(
            {
                "version": FORMAT_VERSION,
                "entries": [
                    {"batchId": e.batch_id, "label": e.label, "addedAt": e.added_at} for e in entries
                ],
            },
            indent=1,
        ).encode("utf-8")
        write_atomic(self.path, payload)


def _decode(data: Any) -> list[WatchEntry]:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ValueError("not a slv-tui watchlist")
    entries = []
    for item in data["entries"]:
        entries.append(
            WatchEntry(
                validate_id(str(item["batchId"])),
                str(item.get("label") or ""),
                float(item.get("addedAt") or 0.0),
            )
        )
    return entries


def write_atomic(path: Path, payload: bytes) -> None:
    """Write a file so a reader (or a crash) only ever sees the old or the new content."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
