"""Notifications of watch events: every channel takes the watcher's event dicts (`EventChannel`).
Two channels: Apprise (`Notifier`, imported only when URLs are configured: each event once, bursts
grouped into one message per server, rate-limited, retried with backoff in a thread of its own; the
URLs are secrets, never logged) and the dashboard's desktop/terminal/bell alerts
(`alerts.AlertChannel`)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from slv_tui.common.sanitize import clean

log = logging.getLogger(__name__)

DEFAULT_EVENTS = ("failed", "completed_with_errors", "stalled", "cancelled", "server_down", "server_up")
EVENTS = (*DEFAULT_EVENTS, "finished")
GROUP_SECONDS = 2.0
"""Events arriving within this long of the first one of a burst go out in one message."""
MIN_GAP = 10.0
"""At most one message per this many seconds (what arrives meanwhile waits and is grouped)."""
MAX_BACKOFF = 300.0
BODY_LINES = 20

Send = Callable[[str, str], bool]
"""(title, body) -> True when delivered."""


class EventChannel(Protocol):
    """Where a watcher's events go: `offer` never blocks and never raises into the watching."""

    def offer(self, event: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


def apprise_sender(urls: Iterable[str]) -> Send:
    """A sender to every URL through Apprise; its own log records (which may name a URL) are dropped."""
    import apprise

    quiet = logging.getLogger("apprise")
    quiet.propagate = False
    quiet.addHandler(logging.NullHandler())
    target = apprise.Apprise()
    for url in urls:
        target.add(url)

    def send(title: str, body: str) -> bool:
        return bool(target.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT))

    return send


def _key(event: dict[str, Any]) -> str | None:
    """The once-only key of a batch event (server events are transitions: no key)."""
    batch = event.get("batchId")
    return None if batch is None else f"{batch}:{event['event']}"


def _line(event: dict[str, Any]) -> str:
    kind = str(event["event"])
    if "batchId" not in event:
        reason = f": {event['reason']}" if event.get("reason") else ""
        return f"server {kind.replace('server_', '')}{reason}"
    name = str(event["batchId"]) + (f" ({event['label']})" if event.get("label") else "")
    counts = event.get("counts") or {}
    text = f"{name}: {kind.replace('_', ' ')}"
    if counts:
        text += f", {counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings"
    if event.get("progress") is not None:
        text += f", {event['progress']:.0f} %"
    if event.get("firstError"):
        text += f"; first error: {event['firstError']}"
    return clean(text, max_length=300)


def message(server: str, events: list[dict[str, Any]]) -> tuple[str, str]:
    """The (title, body) of one grouped message: cleaned text, bounded."""
    server = clean(server, max_length=60)
    batches = {e["batchId"] for e in events if "batchId" in e}
    kinds = sorted({str(e["event"]).replace("_", " ") for e in events})
    if len(events) == 1:
        title = f"slv-tui: {_line(events[0])} on {server}"
    elif batches:
        title = f"slv-tui: {len(batches)} batches {', '.join(kinds)} on {server}"
    else:
        title = f"slv-tui: {', '.join(kinds)} on {server}"
    lines = [_line(e) for e in events]
    if len(lines) > BODY_LINES:
        lines = [*lines[:BODY_LINES], f"… and {len(lines) - BODY_LINES} more"]
    return clean(title, max_length=200), "\n".join(lines)


class Notifier:
    """Takes watch events (`offer`, never blocks) and sends them from a daemon thread."""

    def __init__(
        self,
        server: str,
        send: Send,
        *,
        events: Iterable[str] = DEFAULT_EVENTS,
        sent: Iterable[str] = (),
        remember: Callable[[list[str]], None] = lambda keys: None,
        group_seconds: float = GROUP_SECONDS,
        min_gap: float = MIN_GAP,
    ) -> None:
        self.server = server
        self.send = send
        self.events = frozenset(events)
        self.sent = set(sent)
        self.remember = remember
        self.group_seconds = group_seconds
        self.min_gap = min_gap
        self._queue: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slv-tui-notify", daemon=True)
        self._thread.start()
        self._down_seen = False

    def offer(self, event: dict[str, Any]) -> None:
        """Queue an event if its kind is wanted and it was never sent."""
        kind = event.get("event")
        if kind not in self.events:
            return
        if kind == "server_down":
            self._down_seen = True
        if kind == "server_up" and not self._down_seen:
            return  # the first answer after a start is no news
        key = _key(event)
        if key is not None:
            if key in self.sent:
                return
            self.sent.add(key)
        self._queue.put(event)

    def close(self) -> None:
        """Stop the thread (what is unsent stays unsent, and is sent after a restart)."""
        self._stop.set()

    def _run(self) -> None:
        last = -MIN_GAP * 10
        while not self._stop.is_set():
            try:
                first = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            deadline = max(time.monotonic() + self.group_seconds, last + self.min_gap)
            burst = [first]
            while (left := deadline - time.monotonic()) > 0 and not self._stop.is_set():
                try:
                    burst.append(self._queue.get(timeout=left))
                except queue.Empty:
                    break
            if self._stop.is_set():
                return
            self._deliver(burst)
            last = time.monotonic()

    def _deliver(self, burst: list[dict[str, Any]]) -> None:
        title, body = message(self.server, burst)
        delay = 2.0
        while not self._stop.is_set():
            try:
                ok = self.send(title, body)
            except Exception as exc:  # a notifier bug or outage never stops the watching
                log.warning("notification failed: %s", type(exc).__name__)
                ok = False
            if ok:
                keys = [k for k in map(_key, burst) if k is not None]
                try:
                    self.remember(keys)
                except OSError as exc:
                    log.warning("cannot record the sent notifications: %s", exc.strerror)
                log.info("notification sent: %s", title)
                return
            log.warning("notification not delivered; retrying in %.0f s", delay)
            self._stop.wait(delay)
            delay = min(delay * 2, MAX_BACKOFF)
