"""Small messages the workers post; only @on handlers turn them into widget changes."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from slv_tui.watch.snapshot import PollRound


@dataclass
class BatchesPolled(Message):
    """A poll round ended: new snapshots, finished batches and the server's condition."""

    round: PollRound
