"""Batch IDs: 1-19 digits, validated before any request; splitting pasted lists."""

from __future__ import annotations

import pytest

from slv_tui.slv.ids import InvalidBatchId, split_ids, validate_id


@pytest.mark.parametrize("token", ["0", "7", "1481016600181", "9" * 19, "0000000000000000001"])
def test_valid_ids(token: str) -> None:
    assert validate_id(token) == token


@pytest.mark.parametrize(
    ("token", "needle"),
    [
        ("1" * 20, "more than 19 digits"),
        ("12x", "expected 1 to 19 digits"),
        ("abc", "expected 1 to 19 digits"),
        ("", "expected 1 to 19 digits"),
        ("   ", "expected 1 to 19 digits"),
        ("-5", "expected 1 to 19 digits"),
        ("+5", "expected 1 to 19 digits"),
        ("1.5", "expected 1 to 19 digits"),
        ("1e5", "expected 1 to 19 digits"),
        ("١٢٣", "1 to 19 digits"),  # non-ASCII digits are not batch IDs
        ("12 34", "expected 1 to 19 digits"),
        (" 1481016600181 ", "(no spaces)"),
        ("1481016600181\n", "(no spaces)"),
    ],
)
def test_invalid_ids(token: str, needle: str) -> None:
    with pytest.raises(InvalidBatchId) as info:
        validate_id(token)
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_long_garbage_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidBatchId) as info:
        validate_id("x" * 500)
    assert len(str(info.value)) < 100


def test_split_ids_separators_dedup_and_order() -> None:
    valid, problems = split_ids("3, 1;2\n3\t\t44  1 ,, ;")
    assert valid == ["3", "1", "2", "44"]
    assert problems == []


def test_split_ids_reports_bad_tokens() -> None:
    valid, problems = split_ids("1481016600181 12x " + "1" * 20 + " -4")
    assert valid == ["1481016600181"]
    assert len(problems) == 3
    assert "'12x'" in problems[0]
    assert "more than 19 digits" in problems[1]
    assert "'-4'" in problems[2]


def test_split_ids_empty() -> None:
    assert split_ids("") == ([], [])
    assert split_ids(" ,;\n ") == ([], [])
