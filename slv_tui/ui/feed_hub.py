"""The dashboard's side of the event feed (no Textual): what was recorded before (read once at
start), what this run records (Board events, the login mode, problem toasts), and how many problems
arrived since the feed was last opened."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slv_tui.store.events import EventLog, EventWriter, events_dir
from slv_tui.watch.board import Board, BoardEvent, RoundApplied
from slv_tui.watch.event_feed import SEVERITIES, EventFeed, FeedMemory, Record, make_record

PROBLEM_FLOOR = SEVERITIES.index("warning")
"""Warnings and errors count as problems (the header's unread count)."""


def is_problem(record: Record) -> bool:
    return SEVERITIES.index(record["severity"]) >= PROBLEM_FLOOR


class FeedHub:
    """Every record known to this process, oldest first, and the sink that writes new ones."""

    def __init__(self, data_dir: Path, read_mark: object = None) -> None:
        """Reads the feed once (blocking: call it before the app runs or in a thread)."""
        log_file = EventLog(events_dir(data_dir))
        try:
            self.records, _ = log_file.read_counted()
        except OSError:
            self.records = []
        memory = FeedMemory()
        for record in self.records:
            memory.learn(record)
        self.writer = EventWriter(log_file)
        self.feed = EventFeed(self._take, memory)
        self.read_mark = read_mark if isinstance(read_mark, str) else None
        """The time of the newest record seen when the feed was last opened (ISO), or None."""
        self.listeners: list[Callable[[Record], None]] = []
        self._counted = (self.read_mark, 0, 0)
        """(the mark counted against, records read, problems after it among them): `unread` reads only
        the records that arrived since (it is asked after every poll round)."""

    def _take(self, record: Record) -> None:
        self.records.append(record)
        self.writer.put(record)
        for listener in list(self.listeners):
            listener(record)

    @property
    def unread(self) -> int:
        """Problems recorded after the last-read mark."""
        counted_mark, read, count = self._counted
        if counted_mark != self.read_mark:
            read = count = 0
        mark = self.read_mark or ""
        records = self.records
        if read < len(records):
            count += sum(1 for r in records[read:] if is_problem(r) and str(r["at"]) > mark)
        self._counted = (self.read_mark, len(records), count)
        return count

    def mark_read(self) -> str:
        """Everything so far is read; returns the new mark (to remember in the UI state)."""
        self.read_mark = max((str(r["at"]) for r in self.records), default=self.read_mark or "")
        return self.read_mark

    def attach(self, board: Board[Any], server: str, mode: Callable[[], str | None]) -> None:
        """Record what `board` reports, under the profile name `server`, and its login mode."""

        def listener(event: BoardEvent) -> None:
            self.feed(dataclasses.replace(event, server=server))
            if isinstance(event, RoundApplied):
                self.feed.login_mode(server, mode())

        board.subscribe(listener)

    def notice(self, server: str, text: str, severity: str = "warning", kind: str = "notice") -> None:
        """A problem shown as a toast, kept in the feed too."""
        record = make_record(kind, server, text=text)
        record["severity"] = severity if severity in SEVERITIES else "warning"
        self.feed.memory.learn(record)
        self._take(record)

    def close(self, timeout: float = 5.0) -> None:
        self.writer.close(timeout)
