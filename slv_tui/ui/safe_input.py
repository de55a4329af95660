"""An `Input` whose text is always clean: what the app puts in and what is typed or pasted."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from slv_tui.common.sanitize import clean

MAX_INPUT = 2000


class SafeInput(Input):
    """An `Input` that never holds escape sequences, controls or invisible characters.

    A label read from the watchlist file, or a paste holding an OSC 52 clipboard write, would
    otherwise be drawn to the terminal as it is.
    """

    def __init__(self, *args: Any, select_on_focus: bool = False, **kwargs: Any) -> None:
        # Never select on focus: the focus event can be handled after keys typed right behind the
        # key that opened the input (a burst), which selecting would then replace ("N" of "North").
        super().__init__(*args, select_on_focus=select_on_focus, **kwargs)

    def replace(self, text: str, start: int, end: int) -> None:
        """Insert or replace text (typing, pasting, the app) with its cleaned form."""
        super().replace(clean(text, max_length=MAX_INPUT), start, end)

    def validate_value(self, value: str) -> str:
        """Every value set on the widget is cleaned (the reactive's validator)."""
        return clean(value, max_length=MAX_INPUT)
