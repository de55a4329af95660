"""The app's glue to the event feed: attach a `FeedHub` to the app's Board, show the unread problems in
the header, open the L screen (marking everything read, remembered in the UI state), and `problem`,
the one door for toasts that report a problem (each lands in the feed too)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from slv_tui.common.sanitize import clean
from slv_tui.ui.feed_hub import FeedHub
from slv_tui.watch.board import BoardEvent

if TYPE_CHECKING:
    from slv_tui.ui.app import SlvApp
    from slv_tui.ui.wiring import Session

_HUBS: WeakKeyDictionary[App[Any], tuple[FeedHub, str]] = WeakKeyDictionary()
_SHOWN: WeakKeyDictionary[App[Any], tuple[Static, int]] = WeakKeyDictionary()
"""The header's unread label and the count it shows: a round that changes no count touches nothing
(the label is asked after every poll round; updating it lays the screen out)."""
STATE_KEY = "feed_read"
"""The UI state key of the last-read mark (the newest record's time when the feed was opened)."""


def hub_of(app: App[Any]) -> FeedHub | None:
    found = _HUBS.get(app)
    return None if found is None else found[0]


def attach(app: SlvApp, hub: FeedHub | None, session: Session, profile: str, mark: object = None) -> None:
    """Record the session's Board into `hub` (under the profile name); keep the header's count fresh."""
    if hub is None:
        return
    _HUBS[app] = (hub, profile)
    if isinstance(mark, str) and hub.read_mark is None:
        hub.read_mark = mark
    hub.attach(session.board, profile, lambda: session.client.mode)

    def on_event(event: BoardEvent) -> None:
        show_unread(app)

    session.board.subscribe(on_event)
    hub.listeners.append(lambda record: show_unread(app))


def show_unread(app: App[Any]) -> None:
    """The header's "N unread problems · L" (hidden at 0), mounted into the header's second line."""
    hub = hub_of(app)
    dashboard = getattr(app, "dashboard", None)
    if hub is None or dashboard is None or not dashboard.is_mounted:
        return
    count = hub.unread
    shown = _SHOWN.get(app)
    if shown is not None and shown[0].is_attached and shown[0].screen is dashboard:
        label, was = shown
        if count != was:
            _SHOWN[app] = (label, count)
            _put(label, count)
        return
    found = dashboard.query("#header-unread")
    if found:
        label = found.first(Static)
        _SHOWN[app] = (label, count)
        _put(label, count)
        return
    lines = dashboard.query("#header-line")
    if lines:
        label = Static(_words(count), id="header-unread", markup=False)
        label.styles.width = "auto"
        label.styles.padding = (0, 0, 0, 2)
        label.display = bool(count)
        _SHOWN[app] = (label, count)
        lines.first().mount(label)


def _words(count: int) -> Text:
    words = f"⚠ {count} unread problem{'s' if count != 1 else ''} · L"
    return Text(words, style="bold") if count else Text("")


def _put(label: Static, count: int) -> None:
    label.update(_words(count))
    label.display = bool(count)


def help_keys() -> list[Binding]:
    """The feed screen's own keys, listed in the help screen (they work while the feed is open)."""
    from slv_tui.ui.screens.feed import FEED_KEYS

    return [b for b in FEED_KEYS if isinstance(b, Binding) and b.id]


def palette(screen: Screen[object]) -> Iterator[SystemCommand]:
    """The feed screen's keys in the command palette while the feed is open."""
    from slv_tui.ui.screens.feed import FeedScreen

    if isinstance(screen, FeedScreen):
        for binding in help_keys():
            yield SystemCommand(f"{binding.description} ({binding.key})", binding.tooltip or "",
                                partial(screen.run_action, binding.action))  # fmt: skip


def unread(app: App[Any]) -> int:
    hub = hub_of(app)
    return 0 if hub is None else hub.unread


def open_feed(app: SlvApp) -> None:
    """Push the feed screen; everything in it counts as read from now on (saved in the UI state)."""
    from slv_tui.ui.screens.feed import FeedScreen

    hub = hub_of(app)
    if hub is None:
        app.notify("No event feed in this run", severity="warning", markup=False)
        return
    if isinstance(app.screen, FeedScreen):
        return
    hub.mark_read()
    show_unread(app)
    app.push_screen(FeedScreen(hub))
    app.call_later(app.run_action, "save_ui_state")


def state(app: App[Any]) -> dict[str, Any]:
    """What the UI state keeps for the feed: the last-read mark."""
    hub = hub_of(app)
    return {STATE_KEY: hub.read_mark} if hub is not None and hub.read_mark else {}


def close(app: App[Any]) -> None:
    """Write what is queued (blocking: from a thread)."""
    hub = hub_of(app)
    if hub is not None:
        hub.close()


def commission_started(
    app: App[Any], batch_id: str, user: str, controller: str, *, profile: str = ""
) -> None:
    """Commissioning started from this dashboard: by whom, on which controller, from which profile."""
    found = _HUBS.get(app)
    if found is not None:
        hub, first = found
        hub.feed.commission_started(profile or first, batch_id, user=user, controller=controller)


def problem(
    app: App[Any], text: str, *, title: str = "", severity: str = "warning", timeout: float | None = None,
    kind: str = "notice",
) -> None:  # fmt: skip
    """A toast that reports a problem, also recorded in the event feed (`text` is data, not markup)."""
    text = clean(text, max_length=1_000)
    app.notify(text, title=title, severity="error" if severity == "error" else "warning",
               timeout=timeout, markup=False)  # fmt: skip
    found = _HUBS.get(app)
    if found is not None:
        hub, profile = found
        hub.notice(profile, f"{title}: {text}" if title else text, severity, kind)
