"""Keys in the order typed, for a widget whose keys open inputs (the table's / filter).

Textual reads every queued key and forwards each to the widget focused at that moment; the
screen's bindings run only when the key has bubbled back up to the app. In a burst (a paste,
SSH or mosh bunching keys, a loaded machine) `/ed` is therefore all forwarded to the table
before `/` opens the filter, and `e`, `d` would then run the screen's keys (export, remove).

So the widget runs a key that opens an input itself, at once, in its own queue (the action
moves the focus synchronously), and hands every later key to the widget that has the focus now.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget

OPENS_INPUT = frozenset({"filter"})
"""Actions that open an input in this screen: run before the next key is read. (The add and label
dialogs are screens of their own: keys typed before they take the focus are not yet covered.)"""


async def keys_in_order(widget: Widget, event: events.Key) -> None:
    """Call from the widget's `on_key`."""
    screen = widget.screen
    focused = screen.focused
    if focused is not None and focused is not widget:
        event.stop()
        event.prevent_default()
        focused.post_message(events.Key(event.key, event.character))
        return
    active = screen.active_bindings.get(event.key)
    if active is None or not active.enabled or active.binding.action not in OPENS_INPUT:
        return
    event.stop()
    event.prevent_default()
    await widget.app.run_action(active.binding.action, active.node)
