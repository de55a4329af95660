"""Messages from the Board to the screen; only @on handlers turn them into widget changes."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from slv_tui.watch.snapshot import PollRound, merged


@dataclass
class BatchesPolled(Message):
    """Poll results for one server's Board: what changed since the last message was handled.

    The data travels in the message. Rounds that end while one is still queued are coalesced:
    Textual asks the queued message whether the next one (this type, the same server) may replace it
    (`can_replace`), and the replacing message takes in the queued one's updates first (`merged`),
    so one redraw shows them all and no finished batch is lost.
    """

    server: str
    round: PollRound

    def can_replace(self, message: Message) -> bool:
        """`message` is the next one in the queue: it replaces this one, carrying this one's updates."""
        if not isinstance(message, BatchesPolled) or message.server != self.server:
            return False
        message.round = merged([self.round, message.round])
        return True
