"""One watch session per server, without Textual: the poller, the watched list, labels, archive,
undo and the one copy of the snapshots, with one typed event stream any consumer subscribes to.

The watched list is stored by whatever `WatchStore` is handed in (`store.watchlist.Watchlist` in the
app; `watch/` sits below `store/` in the layers, so it names the shape, not the class). Store calls
block on a file, so the operations that change the list are coroutines: the store call runs in a
thread, the poller and the listeners are touched back on the loop, and changes run one at a time in
the order they were asked for (a key pressed twice removes twice, in order).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from slv_tui.slv.model import BatchState
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import PollRound, ServerStatus, Snapshot, summary_of, summary_text
from slv_tui.watch.stall import DEFAULT_STALL_AFTER, StallTracker

log = logging.getLogger(__name__)

UNDO_DEPTH = 20
"""How many removals `restore` can take back, newest first."""


class Entry(Protocol):
    """One watched batch as the store keeps it."""

    @property
    def batch_id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def archived(self) -> bool: ...
    @property
    def summary(self) -> str: ...


E = TypeVar("E", bound=Entry)
_T = TypeVar("_T")


class WatchStore(Protocol[E]):
    """What a Board needs from the place the watched list is kept."""

    @property
    def entries(self) -> Sequence[E]: ...
    @property
    def problem(self) -> str | None: ...
    @property
    def unsaved(self) -> bool: ...
    def add(self, batch_ids: Iterable[str], label: str = "") -> list[str]: ...
    def remove(self, batch_ids: Iterable[str]) -> Sequence[E]: ...
    def restore(self, entries: Sequence[E]) -> None: ...
    def set_label(self, batch_id: str, label: str) -> None: ...
    def set_archived(
        self, batch_ids: Iterable[str], archived: bool = True, summaries: Mapping[str, str] | None = None
    ) -> None: ...
    def watched_for(self) -> dict[str, float]: ...


# -- the event stream ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundApplied:
    """A poll round landed; `snapshots` is the Board's copy after it (watched order)."""

    server: str
    round: PollRound
    snapshots: tuple[Snapshot, ...]


@dataclass(frozen=True, slots=True)
class StateChanged:
    """A batch's state changed (None before its first answer)."""

    server: str
    batch_id: str
    previous: BatchState | None
    state: BatchState | None


@dataclass(frozen=True, slots=True)
class ServerChanged:
    """The server started or stopped answering."""

    server: str
    status: ServerStatus


@dataclass(frozen=True, slots=True)
class StoreProblem:
    """The watched list could not be saved or read cleanly (one line of text, data not markup)."""

    server: str
    problem: str


@dataclass(frozen=True, slots=True)
class ListChanged:
    """Batches were added, removed, restored, labelled or (un)archived."""

    server: str


@dataclass(frozen=True, slots=True)
class StallChanged:
    """A running batch became stalled (`since`: when it stopped moving, on the poller's clock) or
    moves again (`since` None): a condition like stale, not a server state."""

    server: str
    batch_id: str
    since: float | None


BoardEvent = RoundApplied | StateChanged | ServerChanged | StoreProblem | ListChanged | StallChanged
Listener = Callable[[BoardEvent], None]


class Board(Generic[E]):
    """One server's watch session. Subscribe for events; ask for snapshots and labels."""

    def __init__(
        self, server: str, poller: Poller, store: WatchStore[E], *, stall_after: float = DEFAULT_STALL_AFTER
    ) -> None:
        self.server = server
        self.stalls = StallTracker(stall_after)
        """Which running batches stopped moving (`stall_after` seconds of the poller's clock; 0: off)."""
        self.poller = poller
        self.store = store
        self._listeners: list[Listener] = []
        self._undo: list[list[E]] = []
        self._snapshots: tuple[Snapshot, ...] = ()
        self._status = poller.server
        self._problem: str | None = None
        self._changing = asyncio.Lock()
        self._removing = 0
        """Removals asked for whose save has not finished."""
        self._marks: dict[str, bool] = {}
        """Batches archived (True) or brought back (False) whose change is still being saved."""
        poller.on_round = self._on_round
        ids = [e.batch_id for e in store.entries]
        poller.watch(ids, seen_for=store.watched_for())
        self._shelve(store.entries)
        self._snapshots = poller.snapshots()
        self._states = {s.batch_id: s.state for s in self._snapshots}
        """Each watched batch's state as its snapshot shows it (a round updates the batches it fetched)."""
        self._note_problem()

    # -- events --------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every event from now on; returns the function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, event: BoardEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken consumer must not stop the others or the poller
                log.exception("board listener failed on %s", type(event).__name__)

    def _on_round(self, round_: PollRound) -> None:
        states = self._states  # not rebuilt per round: a round brings one fetch of many watched
        moved: list[StateChanged] = []
        for update in round_.updates:
            snap = update.snapshot
            if snap.batch_id in states and (previous := states[snap.batch_id]) is not snap.state:
                moved.append(StateChanged(self.server, snap.batch_id, previous, snap.state))
                states[snap.batch_id] = snap.state
        self._snapshots = round_.snapshots or self.poller.snapshots()
        if len(states) != len(self._snapshots):  # the poller's list moved without an edit here
            self._states = {s.batch_id: s.state for s in self._snapshots}
            self.stalls.keep(self._states)
        stalls = self._stalls(round_)
        self._emit(RoundApplied(self.server, round_, self._snapshots))
        for event in moved:
            self._emit(event)
        for stalled in stalls:
            self._emit(stalled)
        if round_.server != self._status:
            changed = round_.server.ok != self._status.ok
            self._status = round_.server
            if changed:
                self._emit(ServerChanged(self.server, round_.server))

    def _stalls(self, round_: PollRound) -> list[StallChanged]:
        """The round's batches taken into the stall tracking (watched ones only): what changed."""
        now, watched, observe = self.poller.clock(), self._states, self.stalls.observe
        changes = []
        for update in round_.updates:
            snap = update.snapshot
            if snap.batch_id in watched and (change := observe(snap.batch_id, snap.batch, now)):
                changes.append(StallChanged(self.server, change.batch_id, change.since))
        return changes

    def _note_problem(self) -> None:
        problem = self.store.problem
        if problem and problem != self._problem:
            self._emit(StoreProblem(self.server, problem))
        self._problem = problem

    def _changed(self, *, shown: bool = True) -> None:
        """The list moved; `shown=False`: a change already announced was saved (a problem if any)."""
        self._snapshots = self.poller.snapshots()
        self._states = {s.batch_id: s.state for s in self._snapshots}
        self.stalls.keep(self._states)
        self._note_problem()
        if shown:
            self._emit(ListChanged(self.server))

    def close(self) -> None:
        """Stop listening to the poller: no event after this (the app calls it when it quits)."""
        self.poller.on_round = None

    # -- what the UI asks ----------------------------------------------------------------------

    def snapshots(self) -> tuple[Snapshot, ...]:
        """Every watched batch's snapshot (the one copy), in watched order."""
        return self._snapshots

    def snapshot(self, batch_id: str) -> Snapshot | None:
        return next((s for s in self._snapshots if s.batch_id == batch_id), None)

    def stalled_since(self, batch_id: str) -> float | None:
        """When the batch stopped moving (the poller's clock) if it is stalled now, else None."""
        return self.stalls.stalled_since(batch_id)

    def stalled(self) -> dict[str, float]:
        """Every stalled batch and when it stopped moving (the poller's clock)."""
        return self.stalls.stalled()

    def label_of(self, batch_id: str) -> str:
        """The batch's label ('' when none or not watched)."""
        return next((e.label for e in self.store.entries if e.batch_id == batch_id), "")

    def labels(self) -> dict[str, str]:
        return {e.batch_id: e.label for e in self.store.entries}

    def archived(self) -> set[str]:
        marks = self._marks  # asked for, not saved yet
        return {e.batch_id for e in self.store.entries if marks.get(e.batch_id, e.archived)}

    @property
    def problem(self) -> str | None:
        """Why the last change could not be saved (kept in memory), else None."""
        return self.store.problem if self.store.unsaved else None

    @property
    def interval(self) -> float:
        return self.poller.interval

    @property
    def paused(self) -> bool:
        return self.poller.paused

    @property
    def status(self) -> ServerStatus:
        return self._status

    @property
    def can_undo(self) -> bool:
        return bool(self._undo) or self._removing > 0

    @property
    def undo_depth(self) -> int:
        """How many removals `restore` can still take back (those still being saved count)."""
        return len(self._undo) + self._removing

    # -- what the UI does -------------------------------------------------------------------

    async def _in_thread(self, call: Callable[[], _T]) -> _T:
        async with self._changing:
            return await asyncio.to_thread(call)

    async def add(self, batch_ids: Iterable[str], label: str = "") -> list[str]:
        """Watch these IDs (with a label); returns the ones not watched before."""
        ids = list(batch_ids)
        added = await self._in_thread(lambda: self.store.add(ids, label))
        self.poller.watch(added, seen_for=self.store.watched_for())
        self._changed()
        return added

    def remove(self, batch_ids: Iterable[str]) -> Coroutine[Any, Any, list[E]]:
        """Stop watching; the removal can be taken back with `restore`. The batches leave the
        snapshots at once (a key pressed next acts on what is shown then); the returned coroutine
        saves the change and returns the entries removed: await it."""
        ids = list(batch_ids)
        self.poller.unwatch(ids)
        self._removing += 1  # `restore` waits for the save (one change at a time, in order)
        self._changed()
        return self._save_removal(ids)

    async def _save_removal(self, ids: list[str]) -> list[E]:
        try:
            removed = list(await self._in_thread(lambda: self.store.remove(ids)))
        finally:
            self._removing -= 1
        self.poller.unwatch(e.batch_id for e in removed)  # watched again meanwhile by a `sync`
        if removed:
            self._undo.append(removed)
            del self._undo[:-UNDO_DEPTH]
        self._changed(shown=False)
        return removed

    async def restore(self) -> list[E]:
        """Take back the newest removal (labels and first-seen times kept); [] when nothing to undo."""
        async with self._changing:
            if not self._undo:
                return []
            entries = self._undo.pop()
            await asyncio.to_thread(self.store.restore, entries)
        self.poller.watch((e.batch_id for e in entries), seen_for=self.store.watched_for())
        self._shelve(entries)
        self._changed()
        return entries

    async def label(self, batch_id: str, label: str) -> None:
        """Set a label ('' clears it)."""
        await self._in_thread(lambda: self.store.set_label(batch_id, label))
        self._changed()

    def archive(self, batch_ids: Iterable[str], archived: bool = True) -> Coroutine[Any, Any, None]:
        """Archive (or bring back) batches; they stay watched, their history is kept. `archived()`
        says so at once (a key pressed next acts on what is shown then); the returned coroutine
        saves the change: await it."""
        ids = list(batch_ids)
        summaries = {}
        for batch_id in ids if archived else ():
            snap = self.poller.snapshot(batch_id)
            if (
                snap is not None
                and snap.batch is not None
                and snap.fetched_at is not None
                and not snap.polling
            ):
                fetched = time.time() - (self.poller.clock() - snap.fetched_at)  # on the wall clock
                summaries[batch_id] = summary_text(snap.batch, fetched)
        self._marks.update(dict.fromkeys(ids, archived))
        self.poller.shelve(ids, archived)  # kept as a summary (not polled) while archived
        self._changed()
        return self._save_archive(ids, archived, summaries)

    async def _save_archive(self, ids: list[str], archived: bool, summaries: dict[str, str]) -> None:
        try:
            await self._in_thread(lambda: self.store.set_archived(ids, archived, summaries))
        finally:
            for batch_id in ids:
                if self._marks.get(batch_id) is archived:  # not turned back by a later key
                    del self._marks[batch_id]
        self._changed(shown=False)

    def sync(self) -> None:
        """The store's entries were read again (another process changed the file): the new ones are
        watched, the gone ones forgotten; one ListChanged when anything moved."""
        wanted = [e.batch_id for e in self.store.entries]
        watched = {s.batch_id for s in self.poller.snapshots()}
        gone = watched - set(wanted)
        new = [b for b in wanted if b not in watched]
        archived = self.archived()
        if gone or new:
            self.poller.unwatch(gone)
            self.poller.watch(new, seen_for=self.store.watched_for())
            fresh = set(new)
            self._shelve([e for e in self.store.entries if e.batch_id in fresh])
        self.poller.shelve(archived)  # archived or brought back by another process too
        self.poller.shelve(self.poller.shelved - archived, shelved=False)
        if gone or new:
            self._changed()
        else:
            self._note_problem()

    def _shelve(self, entries: Iterable[E]) -> None:
        """Archived entries are shelved; one with a kept summary shows it, not fetched."""
        for e in entries:
            if not e.archived:
                continue
            kept = summary_of(e.summary, e.batch_id) if e.summary else None
            if kept is not None and kept[0].state.finished:
                batch, fetched = kept
                self.poller.seed(e.batch_id, batch, age=time.time() - fetched)
            self.poller.shelve([e.batch_id])

    def open_detail(self, batch_id: str | None) -> None:
        """The archive view opened this batch (None: none): it is kept whole while open, fetched
        once if only its summary was kept; the one opened before goes back to its summary."""
        self.poller.open_detail(batch_id)

    def refresh(self, batch_ids: Iterable[str] | None = None) -> None:
        """Fetch these (default: all) at once."""
        self.poller.refresh(batch_ids)

    def pause(self) -> None:
        self.poller.pause()

    def resume(self) -> None:
        self.poller.resume()

    async def run(self) -> None:
        """Poll until cancelled."""
        await self.poller.run()
