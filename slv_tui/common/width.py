"""Display width: how many terminal columns text takes (CJK and emoji take two, joiners and accents
none), for every aligned column the command line prints."""

from __future__ import annotations

_NARROW = dict.fromkeys(map(ord, "▶⊝✖⚠⊘✔…—·↑↓→✗"), "x")
"""The symbols the command line prints itself (state marks, dashes), one column each (as wcwidth
says; tests check it): text made of ASCII and these needs no look-up. A following variation
selector or joiner is not ASCII, so such a sequence still goes to wcwidth."""


def display_width(text: str) -> int:
    """The columns `text` takes on a terminal (its length for ASCII, without a look-up: wcwidth and
    its tables are imported only for the first text that is not ASCII)."""
    if text.isascii() or text.translate(_NARROW).isascii():
        return len(text)
    from wcwidth import wcswidth

    width = wcswidth(text)
    return width if width >= 0 else len(text)  # a control character: cleaned text has none


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` display columns (`str.ljust` counts characters)."""
    return text + " " * max(0, width - display_width(text))
