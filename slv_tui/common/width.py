"""Display width: how many terminal columns text takes (CJK and emoji take two, joiners and accents
none), for every aligned column the command line prints."""

from __future__ import annotations

from wcwidth import wcswidth


def display_width(text: str) -> int:
    """The columns `text` takes on a terminal (its length for ASCII, without a look-up)."""
    if text.isascii():
        return len(text)
    width = wcswidth(text)
    return width if width >= 0 else len(text)  # a control character: cleaned text has none


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` display columns (`str.ljust` counts characters)."""
    return text + " " * max(0, width - display_width(text))
