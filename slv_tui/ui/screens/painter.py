"""The dashboard's one paint path: rows from the Board's snapshots, then header, table and detail.

Poll results mark the view dirty; a finished batch and a change of the server's condition are drawn
at once, other news at most every VIEW_EVERY seconds of the injected clock. No timer ticks: one
one-shot timer is set to the next moment the view reads differently (see `Waker`)."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from slv_tui.slv.model import BatchState
from slv_tui.ui.format import stalled_text
from slv_tui.ui.rows import SORTS, BatchKey, BatchRow, RowBuilder, needs_attention, not_found, sort_rows
from slv_tui.ui.screens.dashboard_view import empty_text
from slv_tui.ui.screens.waker import Waker
from slv_tui.ui.widgets.header_bar import ViewStrip, count_key
from slv_tui.watch.snapshot import Condition, PollRound, Snapshot

if TYPE_CHECKING:
    from slv_tui.ui.screens.dashboard import DashboardScreen

VIEW_EVERY = 1.0
"""Seconds (of the injected clock) between two redraws for poll results: answers arrive one by one
and are shown together (a batch that finishes, and what the operator does, are shown at once)."""


class Painter:
    """Draws one dashboard; remembers what one snapshot alone cannot tell (a `RowBuilder` per server:
    trends and finish times are keyed by batch ID, and the same ID on two servers is two batches)."""

    def __init__(self, screen: DashboardScreen) -> None:
        self.screen = screen
        self.builders = {session.name: RowBuilder() for session in screen.servers}
        self.dirty = False
        """Poll results arrived that the view does not show yet."""
        self.drawn_at = -math.inf
        """When the view was last brought up to date (the injected clock)."""
        self.shown_ok: dict[str, bool | None] = {}
        """Each server's condition the header shows (answering, not answering, not known yet)."""
        self.waker = Waker(self, VIEW_EVERY)
        self.taken = False
        """A poll round was taken in."""
        self.wall = time.time
        """This moment's Unix time, for the time of day a batch stopped moving."""
        self._watched: dict[str, frozenset[str]] = {}
        """Each server's watched IDs (kept until its list changes: a round does not walk the watchlist)."""

    @property
    def next_change(self) -> float:
        """When, with no new data, some row would read differently (see `RowBuilder.next_change`)."""
        return min(builder.next_change for builder in self.builders.values())

    def down_since(self) -> float | None:
        """Since when a server in scope has not answered (the earliest), else None."""
        down = [s.board.status.since for s in self.screen.servers.shown() if s.board.status.ok is False]
        return min(down) if down else None

    @property
    def drawable(self) -> bool:
        """The widgets are there to draw into: false from the moment teardown starts (the app stops
        running before it prunes screens; a widget removed on its own is no longer attached)."""
        screen = self.screen
        if not (screen.is_attached and screen.is_running and screen.app.is_running):
            return False
        return all(w.is_attached for w in (screen.header, screen.table, screen.detail))

    def take(self, poll_round: PollRound, server: str) -> list[tuple[Snapshot, BatchState]]:
        """Take in a round's data from `server` (the snapshots drawn are its Board's); returns what
        finished in it."""
        builder = self.builders[server]
        finished = []
        for update in poll_round.updates:
            state = update.finished_now
            if state is not None:
                builder.finished(update.snapshot.batch_id, poll_round.at)
                finished.append((update.snapshot, state))
        changed = [u.snapshot for u in poll_round.updates]
        builder.observe(changed, watched=self.watched(server))  # per change, not per watched batch
        self.dirty = True
        status = self.screen.servers.of(server).board.status
        news = status.ok != self.shown_ok.get(server) or not self.taken
        self.taken = True  # the first data is drawn at once (the first batch row on screen)
        if finished or news or self.screen.clock() - self.drawn_at >= VIEW_EVERY:
            self.screen.refresh_view()
        elif self.drawn_at + VIEW_EVERY < self.waker.due and self.screen.drawable:
            self.waker.arm_at(self.drawn_at + VIEW_EVERY)  # what waits is drawn then (no timer a round)
        return finished

    def watched(self, server: str) -> frozenset[str]:
        """Every batch ID watched on `server` (read again after `list_changed`)."""
        ids = self._watched.get(server)
        if ids is None:
            snapshots = self.screen.servers.of(server).board.snapshots()
            ids = self._watched[server] = frozenset(s.batch_id for s in snapshots)
        return ids

    def list_changed(self, server: str) -> None:
        """Batches were added or removed on `server`: unwatched batches' trends are forgotten."""
        self._watched.pop(server, None)
        self.builders[server].observe(self.screen.servers.of(server).board.snapshots())

    def tick(self) -> None:
        """The waker's call: redraw when poll results wait or some row would now read differently (a
        minute turned, data went stale); otherwise only the header's "unreachable for …" clock or
        the selected batch's age in seconds moves."""
        now = self.screen.clock()
        if self.dirty or now >= self.next_change:
            self.screen.refresh_view()
        elif self.screen.drawable:
            if self.down_since() is not None:
                self.show_header(now)
            self.show_detail(now)  # the history recorded since (redraws only on a change)

    def rows(self, now: float) -> list[BatchRow]:
        """The rows to show, filtered and sorted (running and cancelling first)."""
        screen = self.screen
        rows: list[BatchRow] = []
        for session in screen.servers.shown():
            board = session.board
            archived = board.archived()
            shown = [s for s in board.snapshots() if (s.batch_id in archived) is screen.show_archived]
            builder = self.builders[session.name]
            rows += builder.rows(shown, board.labels(), now=now, interval=board.interval,
                                 needle=screen.filter_text, server=board.server, named=screen.servers.multi,
                                 stalled=board.stalled())  # fmt: skip
        if screen.attention_only:
            rows = [r for r in rows if needs_attention(r)]
        column, reverse = self.effective_sort()
        if column != "state" or reverse or screen.servers.multi:  # one builder sorts its own rows only
            rows = sort_rows(rows, column, reverse=reverse)
        return rows

    def effective_sort(self) -> tuple[str, bool]:
        """The chosen sort, or the default (state) while its column is hidden at this width: rows
        are never ordered by something not on screen (the header says so; wider, it applies again)."""
        screen = self.screen
        shown = screen.table.shown_columns if self.drawable else ()
        if shown and screen.sort_column not in shown:
            return "state", False
        return screen.sort_column, screen.sort_reverse

    def paint(self, select: BatchKey | None = None) -> None:
        """Bring header, table and detail up to date (only changed cells are touched)."""
        self.dirty = False
        now = self.drawn_at = self.screen.clock()
        rows = self.rows(now)
        screen = self.screen
        watched: list[tuple[str, str]] = []
        for session in screen.servers.shown():
            board = session.board
            archived, labels = board.archived(), board.labels()
            watched += [(s.batch_id, labels.get(s.batch_id, "")) for s in board.snapshots()
                        if (s.batch_id in archived) is screen.show_archived]  # fmt: skip
        with screen.app.batch_update():
            self.show_header(now)
            sort = (screen.sort_column, screen.sort_reverse)
            screen.table.sync(rows, select=select, sort=sort, watched=watched)
            self.show_detail(now)

    def show_header(self, now: float) -> None:
        """Counts of the rows the table lists, in its words; a stale mark; the view strip."""
        screen = self.screen
        conditions = []
        n_stalled = 0
        for session in screen.servers.shown():
            board = session.board
            self.shown_ok[session.name] = board.status.ok
            archived, stalled = board.archived(), board.stalled()
            shown = [s for s in board.snapshots() if (s.batch_id in archived) is screen.show_archived]
            conditions += [(s, s.condition(now, board.interval)) for s in shown]
            n_stalled += sum(1 for s in shown if s.batch_id in stalled)
        first = screen.servers.shown()[0].board
        status = first.status
        down_for = None if status.ok is not False else now - status.since
        states = [count_key(s, c, missing=not_found(s)) for s, c in conditions]
        stale = any(c is Condition.STALE for _, c in conditions)
        read_only = bool(getattr(screen.app, "read_only", False))
        column, reverse = self.effective_sort()
        hidden = "" if column == screen.sort_column else SORTS.get(screen.sort_column, "")
        view = ViewStrip(SORTS.get(column, "state"), reverse, screen.filter_text, screen.attention_only,
                         archive=screen.show_archived, read_only=read_only, hidden=hidden)  # fmt: skip
        screen.header.show(status, screen.servers.paused, down_for, states, stale=stale, view=view,
                           stalled=n_stalled)  # fmt: skip
        if screen.servers.multi:
            screen.header.show_servers(screen.servers, now, scope=screen.servers.scope)

    def show_detail(self, now: float) -> None:
        screen = self.screen
        key = screen.selected_key
        session = screen.servers.of(key)
        board = session.board
        for shown in screen.servers.shown():  # an archived batch opened is kept (and fetched) whole
            opened = key is not None and shown is session and screen.show_archived
            shown.board.open_detail(key.batch_id if opened and key is not None else None)
        snap = None if key is None else board.snapshot(key.batch_id)
        condition = None if snap is None else snap.condition(now, board.interval)
        empty = None
        if snap is None:
            watched = sum(len(s.board.store.entries) for s in screen.servers.shown())
            empty = empty_text(archive=screen.show_archived, watched=watched,
                               attention_only=screen.attention_only, needle=screen.filter_text)  # fmt: skip
        history = session.history
        timeline = () if key is None or history is None else history.timeline(key.batch_id)
        label = "" if key is None else board.label_of(key.batch_id)
        since = None if key is None else board.stalled_since(key.batch_id)
        stalled = None if since is None else stalled_text(since, now, self.wall())
        server = (session.name, session.url) if screen.servers.multi else None
        screen.detail.show(snap, label, condition, now, paused=board.paused, empty=empty, timeline=timeline,
                           server=server, stalled=stalled)  # fmt: skip
        self.waker.arm(now, snap)

    def restyle(self) -> None:
        screen = self.screen
        screen.header.restyle()
        screen.table.restyle()
        screen.detail.restyle()
        self.paint()
