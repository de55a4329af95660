"""The watchlist: batch IDs with labels, stored as JSON, every change a locked, atomic read-modify-write."""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from slv_tui.slv.ids import validate_id
from slv_tui.store.files import UnsafeFileError, WorldWritableError, locked, private_dir, read_regular
from slv_tui.store.files import write_atomic as write_atomic  # re-exported: the UI state file uses it too

log = logging.getLogger(__name__)
FORMAT_VERSION = 1
MAX_FILE_BYTES = 16 * 1024 * 1024
"""A watchlist larger than this is not one slv-tui wrote (that is some 100 000 entries): it is moved aside."""


@dataclass(frozen=True, slots=True)
class WatchEntry:
    """One watched batch."""

    batch_id: str
    label: str = ""
    added_at: float = 0.0
    archived: bool = False
    """Finished and put away: out of the table, shown in the archive view (its history is kept)."""
    summary: str = ""
    """An archived batch's summary (JSON text, `watch.snapshot.summary_text`; '' when none): a fresh
    start shows it instead of fetching the batch."""


Change = Callable[[list[WatchEntry]], list[WatchEntry]]
"""A pure change to the entries (it may change the list it is given, and returns the result)."""


def _replay(changes: Sequence[Change], entries: list[WatchEntry]) -> list[WatchEntry]:
    for change in changes:
        entries = change(list(entries))
    return entries


class WatchlistError(Exception):
    """The watchlist could not be read or written; the message is one line."""


class Watchlist:
    """A watchlist file shared safely by every slv-tui instance using the same data dir."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self.entries: list[WatchEntry] = []
        self.problem: str | None = None
        """A one-line note about the last trouble (a corrupt file moved aside, a change not saved)."""
        self._pending: list[Change] = []
        self._mutex = threading.Lock()

    def load(self) -> list[WatchEntry]:
        """Read the file (a corrupt one is moved aside with a note in `problem`).

        Raises WatchlistError (one line) only when the file cannot be read at all. A folder where no
        lock file can be created (read-only) is still read: changes are then kept in memory only.
        """
        try:
            with self._locked():
                entries = self._read()
        except WatchlistError as exc:
            if not self.path.parent.is_dir():
                raise
            entries = self._read()  # atomic renames: an unlocked reader sees a whole version
            self._note(f"{exc}; changes will not be saved")
        self.entries = _replay(self._pending, entries)
        return list(self.entries)

    @property
    def unsaved(self) -> bool:
        """True while `entries` holds changes the file does not (a save failed; the next one retries)."""
        return bool(self._pending)

    def add(self, batch_ids: Iterable[str], label: str = "") -> list[str]:
        """Add IDs not yet watched; returns the ones actually added."""
        wanted = [validate_id(b) for b in batch_ids]
        now = self._clock()

        def change(entries: list[WatchEntry]) -> list[WatchEntry]:
            known = {e.batch_id for e in entries}
            for batch_id in wanted:
                if batch_id not in known:
                    entries.append(WatchEntry(batch_id, label, now))
                    known.add(batch_id)
            return entries

        before, after = self._update(change)
        known = {e.batch_id for e in before}
        return [e.batch_id for e in after if e.batch_id not in known]

    def remove(self, batch_ids: Iterable[str]) -> list[WatchEntry]:
        """Remove IDs; returns the removed entries so the caller can offer undo."""
        doomed = set(batch_ids)

        def change(entries: list[WatchEntry]) -> list[WatchEntry]:
            return [e for e in entries if e.batch_id not in doomed]

        before, _after = self._update(change)
        return [e for e in before if e.batch_id in doomed]

    def restore(self, entries: Sequence[WatchEntry]) -> None:
        """Put removed entries back (undo), keeping their labels and first-seen times."""
        back = list(entries)

        def change(current: list[WatchEntry]) -> list[WatchEntry]:
            known = {e.batch_id for e in current}
            return current + [e for e in back if e.batch_id not in known]

        self._update(change)

    def set_label(self, batch_id: str, label: str) -> None:
        """Give a watched batch a label ('' clears it)."""

        def change(entries: list[WatchEntry]) -> list[WatchEntry]:
            return [replace(e, label=label.strip()) if e.batch_id == batch_id else e for e in entries]

        self._update(change)

    def set_archived(
        self, batch_ids: Iterable[str], archived: bool = True, summaries: Mapping[str, str] | None = None
    ) -> None:
        """Archive (or bring back) watched batches; `summaries`: what to keep of each archived one
        (see `WatchEntry.summary`; brought back, a batch keeps none)."""
        chosen = set(batch_ids)
        kept = summaries or {}

        def change(entries: list[WatchEntry]) -> list[WatchEntry]:
            return [
                replace(e, archived=archived, summary=kept.get(e.batch_id, "") if archived else "")
                if e.batch_id in chosen
                else e
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

    def _update(self, change: Change) -> tuple[list[WatchEntry], list[WatchEntry]]:
        """Locked read-modify-write; returns the entries before and after `change` (a pure function).

        A failed save never raises: the change is kept in memory and replayed on top of the file at
        the next save (so the dashboard stays up and nothing it shows is lost), `unsaved` is true
        and `problem` says why in one line.
        """
        before: list[WatchEntry] | None = None
        after: list[WatchEntry] | None = None
        try:
            with self._locked():
                before = _replay(self._pending, self._read())
                after = change(list(before))
                self._sweep_temp_files()
                if after != before or self._pending:  # a change that changes nothing is not written
                    self._write(after)  # (two fsyncs: 7-17 ms of the dashboard's start with its IDs)
        except (WatchlistError, OSError) as exc:
            if before is None or after is None:  # the file could not even be read: change what we have
                before = list(self.entries)
                after = change(list(before))
            self._pending.append(change)
            self.entries = after
            reason = str(exc) if isinstance(exc, WatchlistError) else _why(exc)
            self._note(f"cannot save the watchlist {self.path}: {reason}; the change is kept until you quit")
            return before, after
        self.entries = after
        if self._pending:
            self._pending.clear()
            self.problem = None
            log.info("watchlist %s saved again", self.path)
        return before, after

    def _note(self, problem: str) -> None:
        if problem != self.problem:
            log.warning("%s", problem)
        self.problem = problem

    def _sweep_temp_files(self) -> None:
        """Delete temp files left by a writer killed mid-write (safe: we hold the lock every writer takes)."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            leftover.unlink(missing_ok=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The watchlist's lock (a 0600 file beside it): a short wait, never a symlink, never a hang."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        with self._mutex, ExitStack() as stack:  # one thread of this process at a time, then the file lock
            try:
                private_dir(self.path.parent)
                stack.enter_context(locked(lock_path))
            except UnsafeFileError as exc:
                raise WatchlistError(str(exc)) from None
            except OSError as exc:
                where = self.path.parent
                raise WatchlistError(f"cannot open the watchlist in {where}: {_why(exc)}") from None
            yield

    def _read(self) -> list[WatchEntry]:
        try:
            raw = read_regular(self.path, MAX_FILE_BYTES, refuse_world_writable=True)
        except FileNotFoundError:
            return []
        except WorldWritableError as exc:
            raise WatchlistError(f"watchlist {exc}") from None
        except UnsafeFileError as exc:  # a FIFO, a device, an oversized file: not one slv-tui wrote
            self._move_aside(str(exc).removeprefix(f"{self.path}: "))
            return []
        except OSError as exc:
            raise WatchlistError(f"cannot read {self.path}: {_why(exc)}") from None
        try:
            return _decode(json.loads(raw.decode("utf-8")))
        except (ValueError, TypeError, KeyError, RecursionError, OverflowError) as exc:
            self._move_aside(str(exc) or type(exc).__name__)
            return []

    def _move_aside(self, why: str) -> None:
        """Rename the unreadable file (never delete or overwrite it), or refuse to go on."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(
            f"{self.path.name}.corrupt-{stamp}-{os.getpid()}-{time.time_ns() % 10**9}"
        )
        why = " ".join(why.split())[:200]
        try:
            os.replace(self.path, aside)
        except OSError as exc:  # e.g. a read-only folder: keep the file as it is and save nothing over it
            raise WatchlistError(
                f"watchlist {self.path} is unreadable ({why}) and cannot be moved aside: {_why(exc)}"
            ) from None
        self._note(f"watchlist {self.path} was unreadable ({why}); moved aside to {aside.name}")

    def _write(self, entries: Sequence[WatchEntry]) -> None:
        payload = json.dumps(
            {
                "version": FORMAT_VERSION,
                "entries": [
                    {"batchId": e.batch_id, "label": e.label, "addedAt": e.added_at}
                    | ({"archived": True} if e.archived else {})
                    | ({"summary": json.loads(e.summary)} if e.archived and e.summary else {})
                    for e in entries
                ],
            },
            indent=1,
        ).encode("utf-8")
        write_atomic(self.path, payload)


def _why(exc: OSError) -> str:
    """An OSError in a few words, without the path (the caller's message names it)."""
    return exc.strerror or errno.errorcode.get(exc.errno or 0, "") or str(exc) or type(exc).__name__


def _decode(data: Any) -> list[WatchEntry]:
    """Entries from the parsed file; any value of the wrong type is a ValueError (the file is moved aside)."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ValueError("not a slv-tui watchlist")
    entries: list[WatchEntry] = []
    seen: set[str] = set()
    for item in data["entries"]:
        if not isinstance(item, dict):
            raise ValueError(f"an entry is not an object: {_short(item)}")
        batch_id, label, added_at = item.get("batchId"), item.get("label"), item.get("addedAt")
        if isinstance(batch_id, int) and not isinstance(batch_id, bool):
            batch_id = str(batch_id)
        if not isinstance(batch_id, str):
            raise ValueError(f"batchId is not a string: {_short(batch_id)}")
        if label is not None and not isinstance(label, str):
            raise ValueError(f"label of {_short(batch_id)} is not a string")
        if added_at is None:
            added_at = 0.0
        if isinstance(added_at, bool) or not isinstance(added_at, int | float):
            raise ValueError(f"addedAt of {_short(batch_id)} is not a number")
        added = float(added_at)  # an int too large for a float raises OverflowError: moved aside too
        if not math.isfinite(added):
            added = 0.0
        batch_id = validate_id(batch_id)
        if batch_id in seen:  # a hand-edited duplicate: the first one wins (rows are keyed by ID)
            continue
        seen.add(batch_id)
        archived = item.get("archived", False)
        if not isinstance(archived, bool):
            raise ValueError(f"archived of {_short(batch_id)} is not true or false")
        summary = item.get("summary")  # unreadable: no summary (the batch is fetched), not a bad file
        kept = json.dumps(summary, separators=(",", ":")) if archived and isinstance(summary, dict) else ""
        entries.append(WatchEntry(batch_id, label or "", added, archived, kept))
    return entries


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"
