"""`slv-tui watch` over one profile or several, as the dashboard takes them: one Board and one
watcher per profile, one JSON line per event on stdout (each naming its `"server"`), one /metrics
for all (the `server` label), each profile's own `[notify]` and watchlist file; exits 0 on
SIGTERM/SIGINT with every file whole (no Textual, no POSIX-only import)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slv_tui.commands.output import EXIT_OK, EXIT_USAGE, Output
from slv_tui.commands.watch import (
    ActiveEntries,
    Reloader,
    Watcher,
    board_view,
    listen_address,
    make_notifier,
    stop_on_signals,
    timed,
)
from slv_tui.common.sanitize import clean
from slv_tui.settings.config import Settings
from slv_tui.slv.client import SlvClient
from slv_tui.slv.model import Batch
from slv_tui.slv.report import dumps
from slv_tui.store.watchlist import Watchlist
from slv_tui.watch.board import Board, BoardEvent, RoundApplied, StallChanged
from slv_tui.watch.notify import Notifier
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import PollRound
from slv_tui.watch.stall import DEFAULT_STALL_AFTER


@dataclass
class Watched:
    """One profile the watcher watches: its client, watchlist file and what it reports to."""

    profile: str
    client: SlvClient
    watchlist_path: Path
    interval: float
    stall_after: float = DEFAULT_STALL_AFTER
    on_poll: Callable[[PollRound], None] | None = None
    """Told each poll round (the history and the event feed)."""
    notifier: Notifier | None = None
    """The profile's own `[notify]` (None: no URLs)."""
    on_problem: Callable[[str], None] | None = None
    """Told each watchlist problem (for the event feed)."""
    on_stall: Callable[[StallChanged], None] | None = None
    """Told each stall change of the Board (for the event feed; the rounds go to `on_poll`)."""


async def run_watch(
    servers: Sequence[Watched],
    output: Output,
    *,
    metrics_listen: tuple[str, int] | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Watch every server until SIGTERM/SIGINT (or `stop`), printing each event as a JSON line; exit 0
    (2: the metrics address cannot be listened on). Each notifier is closed at the end."""
    stop = stop or asyncio.Event()
    failure: list[BaseException] = []
    stats: Any = None
    if metrics_listen is not None:
        from slv_tui.watch import metrics

        stats = metrics.RequestStats()
    parts = [_part(server, output, stats, stop, failure) for server in servers]
    undo = stop_on_signals(asyncio.get_running_loop(), stop)  # first: a SIGTERM at start is clean too
    http = None
    polling: list[asyncio.Task[None]] = []
    try:
        if metrics_listen is not None:
            pairs = [(board, watcher) for board, watcher, _ in parts]
            try:
                http = metrics.serve(*metrics_listen, lambda: [board_view(b, w) for b, w in pairs], stats)
            except OSError as exc:
                host, port = metrics_listen
                output.note(clean(f"slv-tui: error: cannot listen on {host}:{port}: {exc.strerror or exc}"))
                return EXIT_USAGE
        for _, _, reloader in parts:
            reloader.check()
        polling = [asyncio.create_task(board.run()) for board, _, _ in parts]
        pause = min([2.0, *(s.interval for s in servers)])
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await stop.wait()
            for _, _, reloader in parts:
                reloader.check()
    finally:
        undo()
        for task in polling:
            task.cancel()
        for task in polling:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for board, _, _ in parts:
            board.close()
        if http is not None:
            http.shutdown()
        for server in servers:
            if server.notifier is not None:
                server.notifier.close()
    if failure:
        raise failure[0]
    return EXIT_OK


def _part(
    server: Watched, output: Output, stats: Any, stop: asyncio.Event, failure: list[BaseException]
) -> tuple[Board[Any], Watcher, Reloader]:
    """One profile's Board (its fetches timed for the metrics when `stats`), watcher and reloader."""
    notifier = server.notifier

    def emit(event: dict[str, Any]) -> None:
        output.write(dumps(event) + "\n")
        if notifier is not None:
            notifier.offer(event)

    client = server.client
    fetch: Callable[[str], Awaitable[Batch]] = client.get_batch
    if stats is not None:
        fetch = timed(client.get_batch, server.profile, stats)
    poller = Poller(fetch, interval=server.interval, concurrency=client.settings.concurrency)
    watchlist = Watchlist(server.watchlist_path)
    board = Board(server.profile, poller, ActiveEntries(watchlist), stall_after=server.stall_after)
    watcher = Watcher(board, emit, name=server.profile)
    on_poll, on_stall = server.on_poll, server.on_stall

    def on_event(event: BoardEvent) -> None:
        try:
            if on_poll is not None and isinstance(event, RoundApplied):
                on_poll(event.round)
            elif on_stall is not None and isinstance(event, StallChanged):
                on_stall(event)
            watcher(event)
        except Exception as exc:  # stdout closed: ends the run, raised below
            failure.append(exc)
            stop.set()

    board.subscribe(on_event)
    return board, watcher, Reloader(watchlist, board, server.on_problem)


def main_watch(
    profiles: Sequence[tuple[Settings, SlvClient]], output: Output, metrics_listen: str | None
) -> int:
    """`slv-tui watch` from each profile's resolved settings and client: history recorded, the event
    feed, each profile's notifications, one /metrics."""
    from slv_tui.commands.follow_feed import FollowRecorders
    from slv_tui.commands.output import run
    from slv_tui.common import paths

    listen = listen_address(metrics_listen) if metrics_listen else None
    recorders = FollowRecorders()  # each profile's history and the one event feed
    servers = []
    try:
        for settings, client in profiles:
            servers.append(_watched(settings, client, recorders, paths.data_dir()))
    except BaseException:
        for server in servers:
            if server.notifier is not None:
                server.notifier.close()
        recorders.close(timeout=1.0)
        raise

    async def watching() -> int:
        try:
            return await run_watch(servers, output, metrics_listen=listen)
        finally:
            await asyncio.gather(*(c.aclose() for _, c in profiles), return_exceptions=True)

    try:
        return run(watching())
    finally:
        recorders.close(timeout=1.0)


def _watched(settings: Settings, client: SlvClient, recorders: Any, data_dir: Path) -> Watched:
    from slv_tui.common import paths

    profile = settings.profile

    def on_problem(text: str) -> None:
        recorders.feed.store_problem(profile, text)

    return Watched(
        profile, client, paths.watchlist_file(profile), settings.interval, stall_after=settings.stall_after,
        on_poll=recorders.for_server(profile, client), notifier=make_notifier(settings, data_dir),
        on_problem=on_problem, on_stall=recorders.feed.stall,
    )  # fmt: skip
