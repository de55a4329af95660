"""Redrawing a Static only as much as its new content needs: no repaint for the same text, no
layout pass (the whole screen's) unless the height changes, no measuring when the shape is known."""

from __future__ import annotations

from collections.abc import Callable
from weakref import WeakKeyDictionary

from rich.console import RenderableType
from rich.text import Text
from textual.widgets import Static

_MEASURED: WeakKeyDictionary[Static, tuple[object, int]] = WeakKeyDictionary()
"""Per Static: the shape of the content last measured (see `put`) and the height it had."""


def put(static: Static, content: RenderableType, shape: Callable[[int], object] | None = None) -> None:
    """Show `content` in `static`; the layout pass (the whole screen's) only when its height changes.

    A poll that moves a progress bar or an age keeps every line where it was: a repaint is enough;
    the same text again (a line that did not change in that poll) is not even repainted. Measuring
    the height renders the content once more: with `shape` (what the height depends on at a width,
    None when unknown) content of the shape last measured, at the same height, is not measured.
    """
    if unchanged(static, content):
        return
    width = static.content_size.width
    static.update(content, layout=False)
    if not static.display:
        return  # hidden (by its own class): the change that shows it lays it out
    height = static.content_size.height
    key = None if shape is None or not width else shape(width)
    if key is not None and _MEASURED.get(static) == (key, height):
        return  # as high as the content it replaced
    if not width or static.get_content_height(static.container_size, static.app.size, width) != height:
        static.refresh(layout=True)
    elif key is not None:
        _MEASURED[static] = (key, height)


def unchanged(static: Static, content: RenderableType) -> bool:
    """`static` shows this very text already (same characters and styles)."""
    shown = static.content
    if not (isinstance(content, Text) and isinstance(shown, Text)):
        return False
    same_look = (shown.style, shown.justify, shown.overflow, shown.no_wrap, shown.end) == (
        content.style, content.justify, content.overflow, content.no_wrap, content.end
    )  # fmt: skip
    return same_look and shown == content  # the characters and their spans
