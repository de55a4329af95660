"""Keys in the order typed, for widgets whose keys open inputs or move the focus.

Textual reads every queued key and forwards each to the widget focused at that moment; the
screen's bindings run only when the key has bubbled back up to the app. In a burst (a paste,
SSH or mosh bunching keys, a loaded machine) `/ed` is therefore all forwarded to the table
before `/` opens the filter, and `e`, `d` would then run the screen's keys (export, remove).

The table also carries priority copies of those keys (`opening_keys`): the app runs a priority
binding in its own queue, before it reads (and forwards) the next key, so the keys typed right
after `a`, `l` or `/` are forwarded only once the input they opened has the focus. Without them a
key the app forwarded while the dialog was being pushed went to the dialog screen before its input
had the focus, and was lost (seen on a loaded machine).

Besides, the widget runs a key that opens an input itself, at once, in its own queue (the action moves
the focus before it returns: the filter synchronously, a dialog once it is mounted with its focus
set), and hands every later key to the widget that has the focus now — on the active screen, so
keys typed right after `a` or `l` land in the dialog those keys opened.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.binding import Binding, BindingType
from textual.widget import Widget

OPENS_INPUT = frozenset({"filter", "add", "label"})
"""Actions that open an input (the filter box, the add and label dialogs): run before the next key
is read."""


def opening_keys(bindings: Iterable[BindingType]) -> list[Binding]:
    """Priority copies, for the table, of the screen's keys that open an input: run by the app
    before the next key is read. Same ids (a `[keymap]` entry moves both) and the same description
    and `show`: a priority binding hides the screen's one from the footer, so the copy stands in
    for it there (help and palette list the screen's binding, see `is_opening_copy`)."""
    return [
        Binding(
            b.key,
            f"screen.{b.action}",
            b.description,
            show=b.show,
            priority=True,
            id=b.id,
            tooltip=b.tooltip,
            key_display=b.key_display,
        )
        for b in bindings
        if isinstance(b, Binding) and b.action in OPENS_INPUT
    ]


def is_opening_copy(binding: Binding) -> bool:
    """One of `opening_keys`' copies (left out of help and palette, which list the original)."""
    return binding.priority and binding.action.startswith("screen.")


def forward(widget: Widget, event: events.Key) -> bool:
    """Hand the key to the widget focused now, if that is another one; True when it was handed on."""
    screen = widget.app.screen  # the active screen: a dialog a key before this one may have opened
    focused = screen.focused
    if focused is widget or (focused is None and screen is widget.screen):
        return False
    event.stop()
    event.prevent_default()
    (focused or screen).post_message(events.Key(event.key, event.character))
    return True


async def keys_in_order(widget: Widget, event: events.Key) -> bool:
    """Call from the widget's `on_key`; True when the key was handled here (handed on, or its
    input-opening action run)."""
    if forward(widget, event):
        return True
    screen = widget.screen
    active = screen.active_bindings.get(event.key)
    if active is None or not active.enabled or active.binding.action not in OPENS_INPUT:
        return False
    event.stop()
    event.prevent_default()
    await widget.app.run_action(active.binding.action, active.node)
    return True
