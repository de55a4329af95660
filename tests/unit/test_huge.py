"""Huge and hostile answers: byte-level depth and size guards, caps on steps and messages, the fast
message path agreeing with the careful one, and the piecewise `status --json` writer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slv_tui.slv import decode, parse
from slv_tui.slv.decode import decode_json
from slv_tui.slv.errors import ProtocolError
from slv_tui.slv.model import Severity
from slv_tui.slv.parse import _message, _messages, parse_batch
from slv_tui.slv.report import batch_json, dumps, iter_batch_json, write_json_array


def nested(depth: int, filler: str = "") -> bytes:
    return ("[" * (depth - 1) + json.dumps({"t": filler}) + "]" * (depth - 1)).encode()


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


@pytest.mark.parametrize("filler", ["", "[[[[{{{{", '\\"]]]}}}\\\\', "\\\\", "]}" * 50])
def test_depth_is_counted_outside_strings(filler: str) -> None:
    assert decode_json("application/json", nested(64, filler), 64) is not None
    with pytest.raises(ProtocolError, match=r"nested too deeply \(over 64 levels\)"):
        decode_json("application/json", nested(65, filler), 64)


json_trees = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text('[]{}"\\k'), children, max_size=3)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(tree=json_trees, limit=st.integers(0, 8))
def test_depth_guard_agrees_with_the_tree(tree: Any, limit: int) -> None:
    """Brackets, quotes and backslashes inside strings never fool the byte-level scan."""
    assert decode._depth_exceeds(json.dumps(tree).encode(), limit) == (depth_of(tree) > limit)


def test_unbalanced_input_is_reported_as_not_json_not_as_deep() -> None:
    with pytest.raises(ProtocolError, match="truncated"):
        decode_json("application/json", b'{"a": [[[[' + b"[" * 100, 64)


def test_too_many_values_are_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """8 MiB of `[{},{},...]` (2.8 M objects) is refused from its punctuation, in one line."""
    body = b'{"batchId": "1", "value": [' + b",".join([b"{}"] * (8 * 1024 * 1024 // 3)) + b"]}"
    with pytest.raises(ProtocolError) as info:
        decode_json("application/json", body, 64)
    assert str(info.value) == "protocol error: the JSON answer holds too many values (over 5,000,000)"
    monkeypatch.setattr(decode, "MAX_JSON_VALUES", 10)
    with pytest.raises(ProtocolError, match="too many values"):
        decode_json("application/json", b"[" + b"1," * 10 + b"1]", 64)
    assert decode_json("application/json", b"[1,1,1,1]", 64) == [1, 1, 1, 1]


def batch_with(steps: list[Any]) -> dict[str, Any]:
    return {"batchId": "1", "batchRunning": False, "status": "OK", "value": {"stepResults": steps}}


def test_caps_on_steps_and_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "MAX_STEPS", 3)
    monkeypatch.setattr(parse, "MAX_MESSAGES", 5)
    step = {"stepName": "s", "infoMessages": [{"text": "a"}] * 2, "messages": [{"text": "a"}] * 2}
    assert len(parse_batch(batch_with([step, step]), "1").steps) == 2
    with pytest.raises(
        ProtocolError, match=r"^protocol error: the batch has too many steps \(4, at most 3\)$"
    ):
        parse_batch(batch_with([step] * 4), "1")
    with pytest.raises(ProtocolError, match=r"too many messages \(6, at most 5\)"):
        parse_batch(batch_with([step] * 3), "1")
    combined_only = {"stepName": "s", "messages": [{"text": "a"}] * 6}
    with pytest.raises(ProtocolError, match="too many messages"):
        parse_batch(batch_with([combined_only]), "1")


raw_messages = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {},
            optional={
                "text": st.one_of(st.text(max_size=5), st.none(), st.integers(), st.floats(), st.booleans()),
                "status": st.one_of(st.integers(), st.none(), st.text(max_size=3), st.floats(allow_nan=True)),
                "statusText": st.one_of(st.text(max_size=3), st.none(), st.integers()),
                "other": st.integers(),
            },
        ),
        st.text(max_size=3),
        st.integers(),
        st.none(),
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None)
@given(raw=raw_messages, severity=st.sampled_from(Severity))
def test_fast_message_path_agrees_with_the_careful_one(raw: list[Any], severity: Severity) -> None:
    fast = _messages(raw, severity)
    careful = tuple(_message(m, severity) for m in raw)
    assert fast == careful
    assert [type(m.status) for m in fast] == [type(m.status) for m in careful]


def big_batch(steps: int, per_step: int, text: str = "Device Lamp-{i} configured") -> dict[str, Any]:
    def step(s: int) -> dict[str, Any]:
        infos = [{"status": 0, "statusText": "OK", "text": text.format(i=i)} for i in range(per_step)]
        errors = [{"status": 2, "statusText": "ERROR", "text": "no answer \u202e\x85"}]
        return {"stepName": f"s{s}", "stepLabel": f"Step {s}", "status": 2, "infoMessages": infos,
                "errorMessages": errors, "messages": [errors[0], *infos]}  # fmt: skip

    data = batch_with([step(s) for s in range(steps)])
    data["value"]["errorMessagesCount"] = steps
    return data


@pytest.mark.parametrize(("steps", "per_step"), [(0, 0), (1, 0), (1, 5), (3, 2500), (2, 1001)])
def test_piecewise_json_is_the_same_text(steps: int, per_step: int) -> None:
    batch = parse_batch(big_batch(steps, per_step, "é {i} \u200b"), "1")
    whole = dumps(batch_json("1", batch))
    assert "".join(iter_batch_json("1", batch)) == whole


def test_status_json_small_is_indented_big_is_compact_same_values() -> None:
    small = parse_batch(big_batch(2, 10), "1")
    big = parse_batch(big_batch(3, 1000), "2")
    for batches, indented in (([small], True), ([big, small], False)):
        items = [(b.batch_id, b, None) for b in batches] + [("3", None, "server: 605 Batch not found")]
        pieces: list[str] = []
        write_json_array(pieces.append, items)
        text = "".join(pieces)
        assert text.endswith("]\n") and ('\n    "batchId"' in text) is indented
        assert json.loads(text) == [batch_json(*item) for item in items]
        assert "\u202e" not in text and "\x85" not in text  # escaped, not raw
        if not indented:
            assert len(pieces) > 6 and max(map(len, pieces)) < len(text) / 2  # written in pieces
