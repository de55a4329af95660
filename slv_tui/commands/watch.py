"""`slv-tui watch`: a headless watcher of a profile's watchlist, one JSON line per event on stdout,
optionally serving Prometheus metrics; exits 0 on SIGTERM/SIGINT (no Textual, no POSIX-only import)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slv_tui.commands.output import EXIT_OK, EXIT_USAGE, Output
from slv_tui.common.sanitize import clean
from slv_tui.settings.config import ConfigError, Settings
from slv_tui.slv.client import SlvClient
from slv_tui.slv.errors import ServerError, SlvError
from slv_tui.slv.model import Batch
from slv_tui.slv.report import dumps
from slv_tui.store.history import iso, utc_now
from slv_tui.store.watchlist import Watchlist, WatchlistError
from slv_tui.watch.notify import Notifier
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import PollRound, Snapshot
from slv_tui.watch.stall import DEFAULT_STALL_AFTER, StallMark, stalled_since, track

log = logging.getLogger(__name__)
Emit = Callable[[dict[str, Any]], None]


@dataclass(slots=True)
class _Known:
    """What the watcher remembers of one batch between rounds."""

    label: str = ""
    state: str | None = None
    stall: StallMark | None = None
    stalled: bool = False
    last_change: float | None = None
    finished_at: float | None = None


@dataclass
class Watcher:
    """Turns poll rounds into events (pure bookkeeping; `emit` gets each event as a dict)."""

    server: str
    emit: Emit
    stall_after: float = DEFAULT_STALL_AFTER
    wall: Callable[[], float] = time.time
    known: dict[str, _Known] = field(default_factory=dict)
    server_up: bool | None = None

    def _event(self, kind: str, batch_id: str | None = None, **extra: Any) -> None:
        event: dict[str, Any] = {"at": iso(utc_now()), "server": clean(self.server), "event": kind}
        if batch_id is not None:
            event["batchId"] = batch_id
            label = self.known.get(batch_id, _Known()).label
            if label:
                event["label"] = clean(label, max_length=200)
        event.update(extra)
        self.emit(event)

    def on_round(self, poll_round: PollRound, now: float) -> None:
        """Events of one round: server down/up, state changes, finished, stalled and moving again."""
        up = poll_round.server.ok
        if up is not None and up != self.server_up:
            if up:
                self._event("server_up")
            else:
                self._event("server_down", reason=clean(poll_round.server.reason or "", max_length=200))
            self.server_up = up
        for update in poll_round.updates:
            self._batch(update.snapshot, now)

    def _batch(self, snap: Snapshot, now: float) -> None:
        known = self.known.setdefault(snap.batch_id, _Known())
        batch = snap.batch
        if batch is None:
            if _not_found(snap.error) and known.state != "not_found":
                known.state = "not_found"
                self._event("not_found", snap.batch_id, error=clean(str(snap.error), max_length=200))
            return
        state = batch.state.value
        mark = track(known.stall, batch, now)
        if mark is not known.stall or state != known.state:
            known.last_change = self.wall()
        known.stall = mark
        if state != known.state:
            previous, known.state = known.state, state
            fields = _fields(batch)
            if batch.state.finished:
                known.finished_at = known.finished_at or self.wall()
                self._event(state, snap.batch_id, previous=previous, **fields)
                self._event("finished", snap.batch_id, previous=previous, **fields)
            else:
                self._event("state", snap.batch_id, previous=previous, **fields)
        since = stalled_since(mark, batch, now, self.stall_after)
        if (since is not None) != known.stalled:
            known.stalled = since is not None
            if known.stalled:
                self._event("stalled", snap.batch_id, stalledFor=round(now - mark.since, 1), **_fields(batch))
            else:
                self._event("moving", snap.batch_id, **_fields(batch))


def _not_found(error: SlvError | None) -> bool:
    return isinstance(error, ServerError) and error.not_found


def _fields(batch: Batch) -> dict[str, Any]:
    counts = batch.counts
    first_error = next((m.text for s in batch.steps for m in s.errors), None)
    out: dict[str, Any] = {"state": batch.state.value, "progress": batch.progress, "counts": counts.as_dict()}
    if first_error or batch.error_code_label:
        out["firstError"] = clean(first_error or batch.error_code_label, max_length=200)
    return out


class _Reloader:
    """Notices a changed watchlist file by its (mtime, size) and tells the poller what changed."""

    def __init__(
        self,
        watchlist: Watchlist,
        poller: Poller,
        watcher: Watcher,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.watchlist, self.poller, self.watcher = watchlist, poller, watcher
        self.on_problem = on_problem
        """Told each new store problem (a corrupt watchlist moved aside, an unreadable one)."""
        self.seen: tuple[int, int] | None = None
        self.ids: set[str] = set()

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
            entries = self.watchlist.load()
        except WatchlistError as exc:
            log.warning("%s", exc)
            self._problem(str(exc))
            return
        if self.watchlist.problem and self.watchlist.problem != before:
            self._problem(self.watchlist.problem)
        wanted = [e for e in entries if not e.archived]
        ids = {e.batch_id for e in wanted}
        for entry in wanted:
            self.watcher.known.setdefault(entry.batch_id, _Known()).label = entry.label
        gone = self.ids - ids
        self.poller.unwatch(gone)
        for batch_id in gone:
            self.watcher.known.pop(batch_id, None)
        seen_for = self.watchlist.watched_for()
        self.poller.watch([e.batch_id for e in wanted if e.batch_id not in self.ids], seen_for=seen_for)
        self.ids = ids

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


async def run_watch(
    client: SlvClient,
    profile: str,
    watchlist_path: Path,
    output: Output,
    interval: float,
    *,
    stall_after: float = DEFAULT_STALL_AFTER,
    metrics_listen: tuple[str, int] | None = None,
    on_poll: Callable[[PollRound], None] | None = None,
    stop: asyncio.Event | None = None,
    notifier: Notifier | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> int:
    """Watch until SIGTERM/SIGINT (or `stop`), printing each event as a JSON line; exit 0.
    `on_problem` is told each watchlist problem (for the event feed)."""
    stop = stop or asyncio.Event()

    def emit(event: dict[str, Any]) -> None:
        output.write(dumps(event) + "\n")
        if notifier is not None:
            notifier.offer(event)

    watcher = Watcher(profile, emit, stall_after)
    stats: Any = None
    fetch: Callable[[str], Awaitable[Batch]] = client.get_batch
    if metrics_listen is not None:
        from slv_tui.watch import metrics

        stats = metrics.RequestStats()
        fetch = _timed(client.get_batch, profile, stats)
    failure: list[BaseException] = []

    def on_round(poll_round: PollRound) -> None:
        try:
            if on_poll is not None:
                on_poll(poll_round)
            watcher.on_round(poll_round, poller.clock())
        except Exception as exc:  # stdout closed: ends the run, raised below
            failure.append(exc)
            stop.set()

    poller = Poller(fetch, interval=interval, on_round=on_round, concurrency=client.settings.concurrency)
    undo = stop_on_signals(asyncio.get_running_loop(), stop)  # first: a SIGTERM at start is clean too
    server = None
    polling: asyncio.Task[None] | None = None
    try:
        if metrics_listen is not None:
            try:
                server = metrics.serve(*metrics_listen, lambda: [_view(profile, poller, watcher)], stats)
            except OSError as exc:
                host, port = metrics_listen
                output.note(clean(f"slv-tui: error: cannot listen on {host}:{port}: {exc.strerror or exc}"))
                return EXIT_USAGE
        reloader = _Reloader(Watchlist(watchlist_path), poller, watcher, on_problem)
        reloader.check()
        polling = asyncio.create_task(poller.run())
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(interval, 2.0)):
                    await stop.wait()
            reloader.check()
    finally:
        undo()
        if polling is not None:
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling
        if server is not None:
            server.shutdown()
        if notifier is not None:
            notifier.close()
    if failure:
        raise failure[0]
    return EXIT_OK


def _timed(
    fetch: Callable[[str], Awaitable[Batch]], server: str, stats: Any
) -> Callable[[str], Awaitable[Batch]]:
    async def timed(batch_id: str) -> Batch:
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

    return timed


def _view(profile: str, poller: Poller, watcher: Watcher) -> Any:
    """The metrics' plain view of this moment (called from the scrape thread)."""
    from slv_tui.watch.metrics import BatchView, ServerView

    views = []
    for snap in poller.snapshots():
        known = watcher.known.get(snap.batch_id) or _Known()
        batch = snap.batch
        if batch is None:
            state = "not_found" if _not_found(snap.error) else "unknown"
            views.append(BatchView(snap.batch_id, known.label, state))
            continue
        counts = batch.counts
        views.append(
            BatchView(
                snap.batch_id,
                known.label,
                batch.state.value,
                batch.progress,
                (counts.info, counts.warning, counts.error),
                known.last_change,
                known.finished_at,
                known.stalled,
            )
        )
    return ServerView(profile, poller.server.ok, tuple(views))


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


def main_watch(settings: Settings, client: SlvClient, output: Output, metrics_listen: str | None) -> int:
    """`slv-tui watch` from the resolved settings: history recorded, notifications, metrics."""
    from slv_tui.commands.follow_feed import FollowRecorders
    from slv_tui.commands.output import run
    from slv_tui.common import paths

    listen = listen_address(metrics_listen) if metrics_listen else None
    notifier = make_notifier(settings, paths.data_dir())
    recorders = FollowRecorders()  # the profile's history and the event feed
    on_poll = recorders.for_server(settings.profile, client)

    def on_problem(text: str) -> None:
        recorders.feed.store_problem(settings.profile, text)

    async def watching() -> int:
        try:
            return await run_watch(
                client, settings.profile, paths.watchlist_file(settings.profile), output, settings.interval,
                stall_after=settings.stall_after, metrics_listen=listen, on_poll=on_poll,
                notifier=notifier, on_problem=on_problem,
            )  # fmt: skip
        finally:
            await client.aclose()

    try:
        return run(watching())
    finally:
        recorders.close(timeout=1.0)
