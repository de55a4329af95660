"""What the headless pollers (`follow`, `watch`) record besides their output: each profile's history
and the shared event feed (server down/up, state changes, the login mode); no Textual."""

from __future__ import annotations

from collections.abc import Callable

from slv_tui.common import paths
from slv_tui.slv.client import SlvClient
from slv_tui.store.events import open_feed
from slv_tui.store.history import HistoryRecorder, HistoryStore, history_dir
from slv_tui.watch.event_feed import RoundEvents
from slv_tui.watch.snapshot import PollRound


class FollowRecorders:
    """One history recorder per server and one event feed for all; `close` writes what is queued."""

    def __init__(self, *, history: bool = True) -> None:
        self._history = history
        self._recorders: list[HistoryRecorder] = []
        self.feed, self.writer = open_feed(paths.data_dir())

    def for_server(self, server: str, client: SlvClient) -> Callable[[PollRound], None]:
        """The `on_poll` callback of one server's poller (cheap: everything is written on threads)."""
        recorder = None
        if self._history:
            recorder = HistoryRecorder(HistoryStore(history_dir(paths.data_dir(), server)))
            self._recorders.append(recorder)
        events = RoundEvents(server, self.feed)

        def on_poll(poll_round: PollRound) -> None:
            if recorder is not None:
                recorder.record(poll_round)
            events(poll_round)
            self.feed.login_mode(server, client.mode)

        return on_poll

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (history and feed) and stop the writer threads."""
        for recorder in self._recorders:
            recorder.close(timeout)
        self.writer.close(timeout)
