"""The control room on the dashboard's Boards: `--metrics-listen` and `[notify]`, as `slv-tui watch`
has them, from the same parts (the watcher's event dicts, the notifier, the metrics collector).

`attach(boards, settings, metrics_listen)` subscribes one `Watcher` per Board (events go to that
profile's notifier; the watcher remembers when each batch last changed and finished, for the
metrics) and serves /metrics for every Board at once; it returns the function that undoes it all.
Nothing here imports Textual; prometheus_client and apprise are imported only when asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from slv_tui.commands.watch import Watcher, board_view, listen_address, make_notifier, timed
from slv_tui.common.sanitize import clean
from slv_tui.settings.config import ConfigError, Settings
from slv_tui.watch.board import Board

log = logging.getLogger(__name__)
Closer = Callable[[], None]


def attach(
    boards: Sequence[Board[Any]],
    settings: Settings | Sequence[Settings],
    metrics_listen: str | None = None,
    *,
    data_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> Closer:
    """Notifications and metrics for these Boards (`settings`: one per Board, or one for all);
    returns the closer (idempotent). A bad or busy listen address is a one-line ConfigError,
    raised before anything is attached."""
    every = [settings] * len(boards) if isinstance(settings, Settings) else list(settings)
    if len(every) != len(boards):
        raise ValueError("one Settings per Board")
    listen = listen_address(metrics_listen) if metrics_listen else None
    if data_dir is None:
        from slv_tui.common import paths

        data_dir = paths.data_dir()
    undo: list[Closer] = []

    def close() -> None:
        while undo:
            try:
                undo.pop()()
            except Exception:  # closing one part must not keep the others open
                log.exception("control room: closing failed")

    try:
        watchers = [_watch(board, s, data_dir, env, undo) for board, s in zip(boards, every, strict=True)]
        if listen is not None:
            undo.append(_serve(listen, boards, watchers, every))
    except BaseException:
        close()
        raise
    return close


def _watch(
    board: Board[Any], settings: Settings, data_dir: Path, env: dict[str, str] | None, undo: list[Closer]
) -> Watcher:
    """One Board's watcher, its events offered to the profile's notifier (when it has URLs)."""
    notifier = make_notifier(settings, data_dir, env)
    if notifier is not None:
        undo.append(notifier.close)
    watcher = Watcher(board, _offer(notifier), name=settings.profile)
    undo.append(board.subscribe(watcher))
    return watcher


def _offer(notifier: Any) -> Callable[[dict[str, Any]], None]:
    if notifier is None:
        return lambda event: None
    offer: Callable[[dict[str, Any]], None] = notifier.offer
    return offer


def _serve(
    listen: tuple[str, int],
    boards: Sequence[Board[Any]],
    watchers: Sequence[Watcher],
    every: Sequence[Settings],
) -> Closer:
    from slv_tui.watch import metrics

    stats = metrics.RequestStats()
    for board, settings in zip(boards, every, strict=True):
        board.poller.wrap_fetch(partial(timed, server=settings.profile, stats=stats))
    pairs = list(zip(boards, watchers, strict=True))

    def views() -> list[Any]:
        return [board_view(b, w) for b, w in pairs]

    try:
        server = metrics.serve(*listen, views, stats)
    except OSError as exc:
        host, port = listen
        raise ConfigError(
            clean(f"--metrics-listen: cannot listen on {host}:{port}: {exc.strerror or exc}")
        ) from None
    return server.shutdown  # type: ignore[no-any-return]
