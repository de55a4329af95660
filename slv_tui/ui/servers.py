"""The dashboard's servers: one `Session` (Board, client, history) per profile, in the order given,
and the scope (one server or all). Every per-row question goes to the row's own server, so a key
never acts on another server than the one the highlighted row belongs to."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from slv_tui.ui.rows import BatchKey
from slv_tui.ui.wiring import Session
from slv_tui.watch.snapshot import Snapshot


class Servers:
    """The sessions by name (their Board's `server`), and which of them the table shows."""

    def __init__(self, sessions: Sequence[Session]) -> None:
        if not sessions:
            raise ValueError("the dashboard needs a server")
        self.by_name: dict[str, Session] = {}
        for session in sessions:
            if session.name in self.by_name:
                raise ValueError(f"server {session.name!r} given twice")
            self.by_name[session.name] = session
        self.first = sessions[0]
        self.scope: str | None = None
        """The one server the table shows, or None for all (the `w` key; remembered)."""
        self._removals: list[str] = []
        """The server of each removal `u` can take back, newest last (each Board keeps its own)."""

    def __iter__(self) -> Iterator[Session]:
        return iter(self.by_name.values())

    def __len__(self) -> int:
        return len(self.by_name)

    @property
    def multi(self) -> bool:
        """More than one server: the table shows a Server column, the header one entry each."""
        return len(self.by_name) > 1

    @property
    def names(self) -> list[str]:
        return list(self.by_name)

    def of(self, key: BatchKey | str | None) -> Session:
        """The session of a row key (or server name); the first one when unknown or None."""
        name = key.server if isinstance(key, BatchKey) else key
        return self.by_name.get(name or "", self.first)

    def shown(self) -> list[Session]:
        """The sessions in scope."""
        if self.scope is not None and self.scope in self.by_name:
            return [self.by_name[self.scope]]
        return list(self.by_name.values())

    def next_scope(self) -> str | None:
        """All → the first server → the next → … → all again."""
        order: list[str | None] = [None, *self.by_name]
        self.scope = order[(order.index(self.scope) + 1) % len(order)] if self.scope in order else None
        return self.scope

    def snapshot(self, key: BatchKey | None) -> Snapshot | None:
        return None if key is None else self.of(key).board.snapshot(key.batch_id)

    def label_of(self, key: BatchKey) -> str:
        return self.of(key).board.label_of(key.batch_id)

    def watched(self) -> int:
        """Batches watched on the servers in scope."""
        return sum(len(s.board.snapshots()) for s in self.shown())

    # -- all servers at once ----------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return all(s.board.paused for s in self)

    def pause(self) -> None:
        for session in self:
            session.board.pause()

    def resume(self) -> None:
        for session in self:
            session.board.resume()

    def refresh(self) -> None:
        for session in self.shown():
            session.board.refresh()

    def close(self) -> None:
        for session in self:
            session.board.close()

    # -- undo across servers: the newest removal first, whichever server it was on ---------------

    def removed_on(self, name: str) -> None:
        self._removals.append(name)

    @property
    def can_undo(self) -> bool:
        return any(s.board.can_undo for s in self)

    def undo_target(self) -> Session | None:
        """The session whose removal `u` takes back next."""
        while self._removals:
            session = self.by_name.get(self._removals[-1])
            if session is not None and session.board.can_undo:
                return session
            self._removals.pop()
        return next((s for s in self if s.board.can_undo), None)

    def undone(self) -> None:
        if self._removals:
            self._removals.pop()

    @property
    def undo_depth(self) -> int:
        return sum(s.board.undo_depth for s in self)
