"""Desktop alerts when a batch finishes, fails or gets a cancel request (off unless configured).

Per event a channel: "desktop" (notify-send on Linux and the BSDs, osascript on macOS; else the
terminal's own escape; else the bell), "terminal" (OSC 9 or OSC 777 where the terminal is known
to show them; else the bell), "bell", or "off". Every text is built here from cleaned values: no
server text reaches a command line or the terminal unsanitized. Nothing here imports Textual; the
command runner is injected (tests never pop a real notification).
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import Batch, BatchState
from slv_tui.watch.snapshot import Update

log = logging.getLogger(__name__)

Channel = Literal["off", "desktop", "terminal", "bell"]
CHANNELS: tuple[Channel, ...] = ("off", "desktop", "terminal", "bell")
ALERT_EVENTS = ("finished", "failed", "cancel_requested")
"""finished: a batch succeeded; failed: it failed, was cancelled or completed with errors;
cancel_requested: someone asked the server to cancel it."""
RUN_TIMEOUT = 10.0
TITLE_MAX = 80
BODY_MAX = 200

Runner = Callable[[Sequence[str]], None]


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: which event, and its title and body (already cleaned, one line each)."""

    event: str
    title: str
    body: str


def alert_for(update: Update, label: str = "") -> Alert | None:
    """The alert this poll's update raises, if any (pure: finished / failed / cancel requested)."""
    previous, batch = update.previous, update.snapshot.batch
    if previous is None or batch is None or batch is previous:
        return None
    name = f"{batch.batch_id} ({clean(label, max_length=40)})" if label else batch.batch_id
    if not previous.state.finished and batch.state.finished:
        event = "failed" if batch.state.bad else "finished"
        return Alert(event, f"slv-tui: batch {_state_words(batch.state)}", _body(name, batch))
    if batch.cancel_requested and not previous.cancel_requested:
        return Alert("cancel_requested", "slv-tui: cancel requested", _body(name, batch))
    return None


def _state_words(state: BatchState) -> str:
    return state.value.replace("_", " ")


def _body(name: str, batch: Batch) -> str:
    counts = batch.counts
    text = f"{name}: {counts.error} errors, {counts.warning} warnings"
    reason = batch.error_code_label or batch.message
    if batch.state is BatchState.FAILED and reason:
        text += f" — {reason}"
    return clean(text, max_length=BODY_MAX)


# -- what each channel sends -------------------------------------------------------------------------


def desktop_command(
    alert: Alert, *, platform: str = sys.platform, which: Callable[[str], str | None] = shutil.which
) -> list[str] | None:
    """The command that pops a desktop notification here, None when the desktop offers none."""
    title, body = clean(alert.title, max_length=TITLE_MAX), clean(alert.body, max_length=BODY_MAX)
    if platform == "darwin":
        exe = which("osascript")
        if exe is None:
            return None
        script = f"display notification {_apple_string(body)} with title {_apple_string(title)}"
        return [exe, "-e", script]
    if platform == "win32":
        return None
    exe = which("notify-send")
    if exe is None:
        return None
    # "--": a body starting with "-" is text. The body is markup to notification servers (`<b>`,
    # `<a href>`, `<img src>`, entities): escaped, server text shows as itself. The title is plain text.
    return [exe, "--app-name=slv-tui", "--", title, html.escape(body, quote=False)]


def _apple_string(text: str) -> str:
    """An AppleScript string literal: backslashes and quotes escaped (the text is already one line)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


Flavour = Literal["osc9", "osc777"]


def terminal_flavour(env: Mapping[str, str] | None = None) -> Flavour | None:
    """Which notification escape this terminal shows, None when unknown (then the bell rings)."""
    env = os.environ if env is None else env
    program = env.get("TERM_PROGRAM", "")
    term = env.get("TERM", "")
    if program in ("iTerm.app", "WezTerm", "ghostty") or env.get("WT_SESSION") or term == "xterm-ghostty":
        return "osc9"
    if term.startswith(("rxvt", "foot")) or env.get("VTE_VERSION"):
        return "osc777"
    return None


def osc_text(alert: Alert, flavour: Flavour) -> str:
    """The escape sequence that shows `alert` (cleaned: no ESC, BEL or control inside the payload)."""
    title, body = clean(alert.title, max_length=TITLE_MAX), clean(alert.body, max_length=BODY_MAX)
    if flavour == "osc777":
        return f"\x1b]777;notify;{title.replace(';', ',')};{body}\x07"
    return f"\x1b]9;{title}: {body}\x07"


def run_quietly(argv: Sequence[str]) -> None:
    """Run a notification command: no terminal input or output, a deadline, failures only logged."""
    try:
        subprocess.run(
            list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=RUN_TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("desktop notification failed: %s", exc)


@dataclass(frozen=True, slots=True)
class Delivery:
    """How one alert goes out: a command to run, an escape to write, or the bell."""

    channel: Channel
    command: list[str] | None = None
    escape: str | None = None


class Alerts:
    """Per-event channels (from `[ui]`) and the choice of what actually reaches the user here."""

    def __init__(
        self,
        channels: Mapping[str, Channel],
        *,
        run: Runner = run_quietly,
        platform: str = sys.platform,
        which: Callable[[str], str | None] = shutil.which,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.channels = {event: channels.get(event, "off") for event in ALERT_EVENTS}
        self.run = run
        self.platform = platform
        self.which = which
        self.flavour = terminal_flavour(env)

    @property
    def enabled(self) -> bool:
        """True when any event has a channel."""
        return any(channel != "off" for channel in self.channels.values())

    def delivery(self, alert: Alert) -> Delivery | None:
        """What to do for this alert: the configured channel, falling back desktop → terminal → bell."""
        channel = self.channels.get(alert.event, "off")
        if channel == "off":
            return None
        if channel == "desktop":
            command = desktop_command(alert, platform=self.platform, which=self.which)
            if command is not None:
                return Delivery("desktop", command=command)
            channel = "terminal"
        if channel == "terminal" and self.flavour is not None:
            return Delivery("terminal", escape=osc_text(alert, self.flavour))
        return Delivery("bell")


# -- the notifier channel -----------------------------------------------------------------------------

_UNSEEN = (None, "not_found")
"""A watcher's `previous` that is no earlier answer: no alert (as `alert_for` without a previous)."""


def alert_for_event(event: Mapping[str, object], batch: Batch | None, label: str = "") -> Alert | None:
    """The alert a watcher's event dict raises, if any (pure): the same alerts, with the same text,
    as `alert_for` on the poll update behind it; `batch` is the Board's batch of the event."""
    if batch is None or event.get("previous") in _UNSEEN:
        return None
    name = f"{batch.batch_id} ({clean(label, max_length=40)})" if label else batch.batch_id
    kind = event.get("event")
    if kind == "finished" and batch.state.finished:
        alert_event = "failed" if batch.state.bad else "finished"
        return Alert(alert_event, f"slv-tui: batch {_state_words(batch.state)}", _body(name, batch))
    if kind == "state" and batch.state is BatchState.CANCELLING:
        return Alert("cancel_requested", "slv-tui: cancel requested", _body(name, batch))
    return None


class AlertChannel:
    """The desktop/terminal/bell alerts as a notifier channel: it takes the watcher's event dicts
    (`offer`, as `notify.Notifier` does) and hands each alert's `Delivery` to `deliver` (which runs
    the command off the UI thread, or writes the escape, or rings the bell)."""

    def __init__(
        self,
        alerts: Alerts,
        deliver: Callable[[Delivery], None],
        batch_of: Callable[[str], Batch | None],
        label_of: Callable[[str], str],
    ) -> None:
        self.alerts = alerts
        self.deliver = deliver
        self.batch_of = batch_of
        self.label_of = label_of

    def offer(self, event: dict[str, object]) -> None:
        if not self.alerts.enabled:
            return
        batch_id = event.get("batchId")
        if not isinstance(batch_id, str):
            return  # server down/up: not a desktop alert
        alert = alert_for_event(event, self.batch_of(batch_id), self.label_of(batch_id))
        delivery = None if alert is None else self.alerts.delivery(alert)
        if delivery is not None:
            self.deliver(delivery)

    def close(self) -> None:
        """Nothing to stop: every delivery is handed on at once."""
