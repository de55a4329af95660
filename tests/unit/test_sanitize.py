"""The one sanitizer for server text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slv_tui.common.sanitize import clean


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


FILLERS = "\u3164\u115f\u1160\uffa0"


def _format_characters() -> list[str]:
    """Every character of Unicode category Cf known to this Python."""
    return [chr(cp) for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf"]


def test_every_invisible_format_character_is_dropped() -> None:
    invisible = _format_characters()
    assert "\u200b" in invisible and "\U000e0041" in invisible  # the list is what we think it is
    text = "a" + "a".join(invisible) + "a"
    assert clean(text, max_length=10**6) == "a" * (len(invisible) + 1)


@pytest.mark.parametrize("filler", ["\u3164", "\u115f", "\u1160", "\uffa0", "\u180e", "\u00ad"])
def test_blank_looking_letters_and_fillers_are_dropped(filler: str) -> None:
    assert clean(f"ad{filler}min") == "admin"
    assert clean(filler * 5) == ""


@pytest.mark.parametrize(
    "text",
    ["Straße 12", "Éclairage public", "Улица Ленина", "شارع الملك", "רחוב הרצל", "मुख्य सड़क",
     "東京都 新宿区", "서울 강남구", "ถนนสุขุมวิท", "Ελληνικά", "ქუჩა", "\u13a0 Cherokee", "e\u0301"],
)  # fmt: skip
def test_ordinary_letters_of_every_script_are_kept(text: str) -> None:
    assert clean(text) == text


@given(st.text(st.characters(categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters=FILLERS)))
def test_printable_text_without_fillers_is_unchanged(text: str) -> None:
    assert clean(text, max_length=10**6) == text
