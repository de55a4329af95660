"""`slv-tui watch`'s parts: the watchlist as its Board sees it, the reloader, the signal handling,
the metrics' view of a Board, the notifier of `[notify]` (the run itself: `watch_run`; the event
dicts: `watch.watcher`); no Textual, no POSIX-only import."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from slv_tui.settings.config import ConfigError, Settings
from slv_tui.slv.errors import ServerError
from slv_tui.slv.model import Batch
from slv_tui.store.watchlist import WatchEntry, Watchlist, WatchlistError
from slv_tui.watch.board import Board
from slv_tui.watch.notify import Notifier
from slv_tui.watch.watcher import Emit, Known, Watcher, not_found

__all__ = [
    "ActiveEntries", "Emit", "Reloader", "Watcher", "board_view", "listen_address", "make_notifier",
    "stop_on_signals", "timed",
]  # fmt: skip

log = logging.getLogger(__name__)


class ActiveEntries:
    """The watchlist as the watcher's Board sees it: archived batches are put away, not watched."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist

    @property
    def entries(self) -> list[WatchEntry]:
        return [e for e in self.watchlist.entries if not e.archived]

    @property
    def problem(self) -> str | None:
        return self.watchlist.problem

    @property
    def unsaved(self) -> bool:
        return self.watchlist.unsaved

    def add(self, batch_ids: Iterable[str], label: str = "") -> list[str]:
        return self.watchlist.add(batch_ids, label)

    def remove(self, batch_ids: Iterable[str]) -> list[WatchEntry]:
        return self.watchlist.remove(batch_ids)

    def restore(self, entries: Sequence[WatchEntry]) -> None:
        self.watchlist.restore(entries)

    def set_label(self, batch_id: str, label: str) -> None:
        self.watchlist.set_label(batch_id, label)

    def set_archived(
        self, batch_ids: Iterable[str], archived: bool = True, summaries: Mapping[str, str] | None = None
    ) -> None:
        self.watchlist.set_archived(batch_ids, archived, summaries)

    def watched_for(self) -> dict[str, float]:
        return self.watchlist.watched_for()


class Reloader:
    """Notices a changed watchlist file by its (mtime, size) and has the Board watch what it holds."""

    def __init__(
        self, watchlist: Watchlist, board: Board[WatchEntry], on_problem: Callable[[str], None] | None = None
    ) -> None:
        self.watchlist, self.board = watchlist, board
        self.on_problem = on_problem
        """Told each new store problem (a corrupt watchlist moved aside, an unreadable one)."""
        self.seen: tuple[int, int] | None = None

    def check(self) -> None:
        try:
            info = self.watchlist.path.stat()
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = (0, 0)
        if stamp == self.seen:
            return
        self.seen = stamp
        before = self.watchlist.problem
        try:
            self.watchlist.load()
        except WatchlistError as exc:
            log.warning("%s", exc)
            self._problem(str(exc))
            return
        if self.watchlist.problem and self.watchlist.problem != before:
            self._problem(self.watchlist.problem)
        self.board.sync()

    def _problem(self, text: str) -> None:
        if self.on_problem is not None:
            self.on_problem(text)


def stop_on_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT set `stop` (loop handlers where the platform has them, else signal.signal);
    returns the undo."""
    kinds = [s for s in (getattr(signal, "SIGTERM", None), signal.SIGINT) if s is not None]
    try:
        for kind in kinds:
            loop.add_signal_handler(kind, stop.set)
    except (NotImplementedError, RuntimeError):  # Windows: no loop signal handlers
        old = {k: signal.signal(k, lambda *_: loop.call_soon_threadsafe(stop.set)) for k in kinds}

        def restore() -> None:
            for kind, handler in old.items():
                signal.signal(kind, handler)

        return restore

    def remove() -> None:
        for kind in kinds:
            loop.remove_signal_handler(kind)

    return remove


def timed(
    fetch: Callable[[str], Awaitable[Batch]], server: str, stats: Any
) -> Callable[[str], Awaitable[Batch]]:
    """`fetch`, each request's outcome and duration recorded in `stats` (the metrics' RequestStats)."""

    async def timed_fetch(batch_id: str) -> Batch:
        started = time.perf_counter()
        outcome = "error"
        try:
            batch: Batch = await fetch(batch_id)
            outcome = "ok"
            return batch
        except ServerError as exc:
            outcome = "not_found" if exc.not_found else "error"
            raise
        finally:
            stats.observe(server, outcome, time.perf_counter() - started)

    return timed_fetch


def board_view(board: Board[Any], watcher: Watcher | None = None) -> Any:
    """The metrics' plain view of one Board at this moment (called from the scrape thread); the
    watcher, when there is one, adds when each batch last changed and was seen finished."""
    from slv_tui.watch.metrics import BatchView, ServerView

    known = {} if watcher is None else watcher.known
    labels, stalled = board.labels(), board.stalled()
    views = []
    for snap in board.snapshots():
        seen = known.get(snap.batch_id) or Known()
        label = labels.get(snap.batch_id, "")
        batch = snap.batch
        if batch is None:
            state = "not_found" if not_found(snap.error) else "unknown"
            views.append(BatchView(snap.batch_id, label, state))
            continue
        counts = batch.counts
        views.append(
            BatchView(
                snap.batch_id,
                label,
                batch.state.value,
                batch.progress,
                (counts.info, counts.warning, counts.error),
                seen.last_change,
                seen.finished_at,
                snap.batch_id in stalled,
            )
        )
    name = board.server if watcher is None else watcher.server
    return ServerView(name, board.status.ok, tuple(views))


def listen_address(text: str) -> tuple[str, int]:
    """`HOST:PORT` or `PORT` (host 127.0.0.1; `[::1]:PORT` for IPv6); a one-line ConfigError otherwise."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]") if sep else ""
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"--metrics-listen: expected HOST:PORT with a port from 0 to 65535, got {text!r}")
    return host or "127.0.0.1", int(port)


def make_notifier(settings: Settings, data_dir: Path, env: dict[str, str] | None = None) -> Notifier | None:
    """The notifier of `[notify]` (URLs from the config, SLV_NOTIFY_URLS and `urls_command`), None
    without URLs; every URL is registered as a secret first (never logged)."""
    import os

    from slv_tui.common.logs import register_secret
    from slv_tui.settings.credentials import run_secret_command
    from slv_tui.store.notified import Ledger, notified_file
    from slv_tui.watch.notify import apprise_sender

    env = dict(os.environ) if env is None else env
    urls = [*settings.notify_urls, *env.get("SLV_NOTIFY_URLS", "").split()]
    if settings.notify_urls_command:
        where = f"servers.{settings.profile}.notify.urls_command (or notify.urls_command)"
        urls.append(run_secret_command(settings.notify_urls_command, where, "notification URL"))
    for url in urls:
        register_secret(url)
    if not urls:
        return None
    ledger = Ledger(notified_file(data_dir, settings.profile))
    return Notifier(
        settings.profile, apprise_sender(urls), events=settings.notify_events, sent=ledger.read(),
        remember=ledger.add,
    )  # fmt: skip
