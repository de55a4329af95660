"""Toasts as the app raised them: every `Notify` message, read through the pilot's `message_hook`
(`app.run_test(message_hook=toasts)`), never from Textual's private notification store."""

from __future__ import annotations

from textual.message import Message
from textual.notifications import Notification, Notify


class Toasts:
    """Collects every notification the app handled, in order."""

    def __init__(self) -> None:
        self.seen: list[Notification] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.seen.append(message.notification)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self.seen))

    def said(self, text: str) -> bool:
        """Some toast's message holds `text`."""
        return any(text in n.message for n in self.seen)

    def titled(self, text: str) -> list[Notification]:
        return [n for n in self.seen if text in n.title]
