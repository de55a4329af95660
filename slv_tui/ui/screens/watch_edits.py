"""The keys that change what is watched — add, remove, undo, label, archive — as the screen asks the
Board: each change runs as a worker (the Board saves in a thread, one change at a time, in the order
the keys were pressed), then a toast says what happened and the view is drawn."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from textual.worker import WorkerState

from slv_tui.ui.format import plural
from slv_tui.ui.rows import BatchKey
from slv_tui.ui.screens import feed_screens
from slv_tui.ui.screens.dashboard_view import names

if TYPE_CHECKING:
    from slv_tui.store.watchlist import WatchEntry
    from slv_tui.ui.screens.dashboard import DashboardScreen
    from slv_tui.watch.board import Board

UNDO_SECONDS = 8.0
"""How long the "Removed …" toast stays."""


class WatchEdits:
    """Add, remove, undo, label and archive for one dashboard."""

    def __init__(self, screen: DashboardScreen) -> None:
        self.screen = screen

    def _notify(self, text: str, **kwargs: Any) -> None:
        self.screen.app.notify(text, markup=False, **kwargs)

    def in_background(self, work: Coroutine[Any, Any, object]) -> None:
        """Run a change as a worker, so keys keep working while it waits for the file."""
        self.screen.run_worker(work, group="watchlist")

    async def settled(self) -> None:
        """Wait for the changes still being written (quitting right after Enter loses none)."""
        while pending := [w for w in self.screen.workers if w.group == "watchlist" and not w.is_finished]:
            started = [w for w in pending if w.state is not WorkerState.PENDING]
            if started:
                await self.screen.app.workers.wait_for_complete(started)
            else:
                await asyncio.sleep(0)  # asked for, not started yet: its start comes first

    def _warn(self, name: str) -> None:
        """A change that could not be written is kept in memory: say so, once per change."""
        problem = self.screen.servers.of(name).board.problem
        if problem:
            title = self.screen.server_title("Watchlist not saved", name)
            feed_screens.problem(self.screen.app, problem, title=title, kind="store_problem")

    def _done(self, select: BatchKey | None = None) -> None:
        self.screen.refresh_view(select=select)
        self.screen.refresh_bindings()

    async def add(
        self, ids: Sequence[str], label: str = "", *, ignored: int = 0, server: str = ""
    ) -> list[str]:
        """Watch these IDs on `server` (default: the first; already watched ones are left alone) and
        select the first."""
        board = self.screen.servers.of(server).board
        added = await board.add(ids, label)
        self._warn(board.server)
        skipped = len(ids) - len(added)
        note = f"Added {plural(len(added), 'batch')}"
        if skipped:
            note += f" ({skipped} already watched)"
        if ignored:
            note += f" · {ignored} ignored (not a batch ID)"
        if self.screen.servers.multi:
            note += f" on {board.server}"
        self._notify(note)
        first = (added or list(ids))[:1]
        self._done(BatchKey(board.server, first[0]) if first else None)
        return added

    def remove(self, key: BatchKey) -> None:
        """Stop watching; `u` puts it back. The row goes at once: the next key acts on the row after."""
        board = self.screen.servers.of(key).board
        saved = board.remove([key.batch_id])
        self.screen.servers.removed_on(board.server)  # `u` typed next takes this one back
        self.screen.refresh_view()
        self.in_background(self._removed(board, saved))

    async def _removed(self, board: Board[WatchEntry], saved: Coroutine[Any, Any, list[WatchEntry]]) -> None:
        removed = await saved
        self._warn(board.server)
        if removed:
            n = self.screen.servers.undo_depth
            self._notify(f"Removed {names(removed)} — u puts it back ({plural(n, 'removal')} to undo)",
                         timeout=UNDO_SECONDS)  # fmt: skip
        self._done()

    async def undo(self) -> None:
        """Put back the newest removal (again: the one before)."""
        servers = self.screen.servers
        session = servers.undo_target()
        entries = [] if session is None else await session.board.restore()
        if session is None or not entries:
            self.nothing_to_undo()
            return
        servers.undone()
        board = session.board
        self._warn(board.server)
        left = servers.undo_depth
        more = f" ({plural(left, 'more removal')} to undo)" if left else ""
        self._notify(f"Restored {names(entries)}{more}")
        self._done(BatchKey(board.server, entries[0].batch_id))

    def nothing_to_undo(self) -> None:
        self._notify("Nothing to undo", timeout=3)

    async def label(self, key: BatchKey, label: str) -> None:
        await self.screen.servers.of(key).board.label(key.batch_id, label)
        self._warn(key.server)
        self.screen.refresh_view()

    def archive(self, key: BatchKey, *, archive: bool) -> None:
        """Archive a finished batch (or bring one back from the archive view)."""
        snap = self.screen.servers.snapshot(key)
        if archive and (snap is None or snap.state is None or not snap.state.finished):
            self._notify("Only a finished batch can be archived", severity="warning", timeout=4)
            return
        saved = self.screen.servers.of(key).board.archive([key.batch_id], archive)
        self.screen.refresh_view()  # the row goes at once: the next key acts on the row after
        self.in_background(self._archive(key, archive, saved))

    async def _archive(self, key: BatchKey, archived: bool, saved: Coroutine[Any, Any, None]) -> None:
        await saved
        self._warn(key.server)
        if archived:
            self._notify(f"Archived {key.batch_id} — X shows the archived batches", timeout=5)
        else:
            self._notify(f"{key.batch_id} is back among the watched batches", timeout=4)
        self.screen.refresh_view()
