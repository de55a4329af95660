"""Terminal safety: server text can never drive the terminal or break a layout."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slv_tui.commands.render import render_line, render_table
from slv_tui.common.redaction import forget_all
from slv_tui.common.sanitize import clean
from slv_tui.slv.errors import ProtocolError
from slv_tui.slv.parse import parse_batch
from slv_tui.slv.report import batch_json, dumps

BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
HOSTILE_BITS = [
    "\x1b[31m", "\x1b]0;title\x07", "\x1b]8;;http://evil\x1b\\", "\x1bP+q\x1b\\", "\x9b2J", "\x9d0;x\x9c",
    "\x07", "\x00", "\r", "\n", "\t", "\x7f", "\x85", "\u202e", "\u2066", "\u061c", "\u2028", "\ufeff",
    "\ud800", "[bold red]markup[/]", "😀", "\u0301", "界",
]  # fmt: skip
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE_BITS), st.text(max_size=8)), max_size=12).map(
    "".join
)
any_text = st.one_of(st.text(), hostile_text)
SGR = re.compile(r"\x1b\[[0-9;]*m")


def bad_chars(text: str, *, allow: str = "") -> list[str]:
    return [
        c
        for c in text
        if c not in allow
        and (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in BIDI or 0xD800 <= ord(c) <= 0xDFFF)
    ]


@settings(max_examples=400, deadline=None)
@given(text=any_text, max_length=st.integers(1, 300), single_line=st.booleans())
def test_clean_is_safe_bounded_and_idempotent(text: str, max_length: int, single_line: bool) -> None:
    out = clean(text, max_length=max_length, single_line=single_line)
    assert bad_chars(out, allow="" if single_line else "\n") == []
    assert "\u2028" not in out and "\u2029" not in out if single_line else True
    assert len(out) <= max_length
    assert clean(out, max_length=max_length, single_line=single_line) == out


@given(value=st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=20), st.lists(st.text())))
def test_clean_accepts_any_object(value: object) -> None:
    assert bad_chars(clean(value)) == []


def hostile_batch_json(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    message = st.fixed_dictionaries({"status": st.integers(0, 2), "statusText": text, "text": text})
    step = st.fixed_dictionaries(
        {
            "stepName": text,
            "stepLabel": text,
            "label": text,
            "status": st.integers(0, 2),
            "infoMessages": st.lists(message, max_size=2),
            "errorMessages": st.lists(message, max_size=2),
        }
    )
    value = st.fixed_dictionaries(
        {"login": text, "stepResults": st.lists(step, max_size=3), "errorMessagesCount": st.integers(0, 3)}
    )
    return st.fixed_dictionaries(
        {
            "batchId": st.just("1481016600181"),
            "batchProgressValue": st.one_of(st.integers(-1, 100), st.floats(allow_nan=True)),
            "batchProgressMessage": text,
            "batchRunning": st.booleans(),
            "cancelRequested": st.booleans(),
            "cancelled": st.booleans(),
            "errorCode": st.one_of(st.just("0"), text),
            "errorCodeLabel": st.one_of(st.none(), text),
            "message": text,
            "status": st.sampled_from(["OK", "ERROR"]),
            "value": value,
        }
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile_batch_json(any_text), error_text=any_text)
def test_human_output_has_no_control_characters_but_our_colours(
    data: dict[str, Any], error_text: str
) -> None:
    batch = parse_batch(data, "1481016600181")
    rows = [("1481016600181", (batch, None)), ("42", (None, ProtocolError(error_text)))]
    for color in (False, True):
        table = render_table(rows, color=color)
        line = render_line("1481016600181", batch, color=color)
        for text in (table, line):
            stripped = SGR.sub("", text)
            assert bad_chars(stripped, allow="\n") == []
            if not color:
                assert stripped == text
        assert table.count("\n") == 3  # header + 2 rows: no server text added a line
        assert "\n" not in line


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile_batch_json(any_text))
def test_report_json_round_trips_and_is_printable(data: dict[str, Any]) -> None:
    forget_all()
    obj = batch_json("1481016600181", parse_batch(data, "1481016600181"))
    for indent in (None, 2):
        text = dumps(obj, indent=indent)
        text.encode("utf-8")  # strict: a lone surrogate would crash `print`
        assert json.loads(text) == obj
        assert bad_chars(text, allow="\n") == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | any_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_dumps_round_trips_any_json(value: object) -> None:
    forget_all()  # what earlier tests in this process registered (cookie names `a`, `b`) is not ours
    text = dumps(value)
    text.encode("utf-8")
    assert json.loads(text) == value
    assert bad_chars(text) == []


def test_file_paths_and_config_values_reach_stderr_cleaned(tmp_path: Path) -> None:
    """A path or config value with an OSC title or clipboard write is printed inert."""
    from .conftest import run_cli

    evil = tmp_path / "cfg\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\u200b.toml"
    done = run_cli(tmp_path, "status", "--config", str(evil), "1481016600181")
    assert done.returncode == 2
    line = done.stderr.strip()
    assert "file not found" in line and "\n" not in line
    assert bad_chars(line) == [] and "\u200b" not in line and "pwned" not in line
    evil.write_text('[servers.default]\nurl = "http://127.0.0.1:9/\x1b]0;t\x07"\nnope = 1\n')
    done = run_cli(tmp_path, "status", "--config", str(evil), "1481016600181")
    assert done.returncode == 2 and bad_chars(done.stderr.strip()) == []


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ({"TOKEN": None}, {"TOKEN": None}),  # found by the property above: `"TOKEN": ********` was no JSON
        ({"csrf": True}, {"csrf": True}),
        ({"token": 0}, {"token": 0}),
        ({"token": 123456789}, {"token": "********"}),  # a long number: hidden, as a string
        ({"sessionid": "abcdefghijkl"}, {"sessionid": "********"}),
    ],
)
def test_a_secret_named_key_keeps_the_json_valid(value: object, shown: object) -> None:
    forget_all()
    assert json.loads(dumps(value)) == shown
