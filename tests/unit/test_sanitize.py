"""The one sanitizer for server text."""

from __future__ import annotations

import pytest

from slv_tui.sanitize import clean


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("title\x1b]0;pwned\x07 after", "title after"),
        ("osc8 \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "osc8 link"),
        ("bell\x07", "bell"),
        ("c1 \x9b2J csi", "c1  csi"),
        ("bidi \u202eevil\u202c", "bidi evil"),
        ("iso \u2066x\u2069", "iso x"),
        ("line1\nline2\r\nline3", "line1 line2 line3"),
        ("tab\there", "tab here"),
        ("nul\x00byte", "nulbyte"),
        ("é 中 ok", "é 中 ok"),
        (None, ""),
        (42, "42"),
    ],
)
def test_clean(raw: object, expected: str) -> None:
    assert clean(raw) == expected


def test_clean_multiline_keeps_newlines() -> None:
    assert clean("a\r\nb\rc\td\x1b[1m", single_line=False) == "a\nb\nc    d"


def test_clean_bounds_length() -> None:
    out = clean("x" * 5000, max_length=100)
    assert len(out) == 100 and out.endswith("…")
