"""The JSON object of status --json / follow --json, exactly as documented."""

from __future__ import annotations

import json
from typing import Any

from slv_tui.slv.errors import AuthError
from slv_tui.slv.model import Batch
from slv_tui.slv.parse import parse_batch
from slv_tui.slv.report import batch_json, dumps

KEYS = [
    "batchId", "state", "progress", "running", "cancelRequested", "cancelled", "status", "errorCode",
    "errorCodeLabel", "progressMessage", "message", "login", "counts", "steps", "error",
]  # fmt: skip


def test_finished_sample_exact(finished_ok: dict[str, Any]) -> None:
    obj = batch_json("1481016600181", parse_batch(finished_ok, "1481016600181"))
    assert list(obj) == KEYS
    text = dumps(obj)
    assert '"progress": 100,' in text  # an int, not 100.0
    assert obj["progress"] == 100 and isinstance(obj["progress"], int)
    first_step = obj["steps"][0]
    assert {k: v for k, v in obj.items() if k != "steps"} == {
        "batchId": "1481016600181",
        "state": "succeeded",
        "progress": 100,
        "running": False,
        "cancelRequested": False,
        "cancelled": False,
        "status": "OK",
        "errorCode": "0",
        "errorCodeLabel": None,
        "progressMessage": "Commissioning process finished.",
        "message": None,
        "login": "admin",
        "counts": {"info": 4, "warning": 0, "error": 0},
        "error": None,
    }
    assert list(first_step) == ["name", "label", "status", "counts", "messages"]
    assert first_step == {
        "name": "check",
        "label": "Check database configuration",
        "status": 0,
        "counts": {"info": 1, "warning": 0, "error": 0},
        "messages": [
            {
                "severity": "info",
                "status": 0,
                "statusText": "OK",
                "text": "Inventory has been checked in the database and is consistent",
            }
        ],
    }
    assert list(first_step["messages"][0]) == ["severity", "status", "statusText", "text"]
    assert len(obj["steps"][1]["messages"]) == 3  # `messages` not repeated
    assert list(first_step["counts"]) == ["info", "warning", "error"]


def test_progress_null_and_fraction(just_started: dict[str, Any]) -> None:
    assert batch_json("1", parse_batch(just_started, "1"))["progress"] is None
    assert batch_json("1", Batch("1", progress=42.5))["progress"] == 42.5


def test_batch_id_is_the_requested_one(finished_ok: dict[str, Any]) -> None:
    finished_ok["batchId"] = 123
    obj = batch_json("0001481016600181", parse_batch(finished_ok, "0001481016600181"))
    assert obj["batchId"] == "0001481016600181"


def test_error_object_has_null_state_fields() -> None:
    err = AuthError("the server answered with an HTML page, not JSON")
    obj = batch_json("1481016600181", None, err)
    assert list(obj) == KEYS
    assert obj["batchId"] == "1481016600181"
    assert obj["error"] == "authentication failed: the server answered with an HTML page, not JSON"
    assert all(obj[k] is None for k in KEYS if k not in ("batchId", "error"))


def test_dumps_escapes_c1_and_bidi_but_round_trips() -> None:
    evil = "a\x1b[31mred\x07 \x9b2J \u202eevil\u2066 \x85 ok é 中"
    text = dumps({"t": evil})
    for ch in ("\x1b", "\x07", "\x9b", "\u202e", "\u2066", "\x85"):
        assert ch not in text
    assert "\\u009b" in text and "\\u202e" in text and "\\u001b" in text
    assert "é 中" in text  # ordinary non-ASCII stays readable
    assert json.loads(text) == {"t": evil}


def test_dumps_refuses_nan() -> None:
    import pytest

    with pytest.raises(ValueError):
        dumps({"x": float("nan")})


def test_step_messages_follow_the_server_order() -> None:
    combined = [
        {"status": 0, "statusText": "OK", "text": "push"},
        {"status": 2, "statusText": "ERROR", "text": "Lamp-9 not found"},
        {"status": 0, "statusText": "OK", "text": "done"},
    ]
    step = {
        "stepName": "s",
        "stepLabel": "Commissioning",
        "infoMessages": [combined[0], combined[2]],
        "errorMessages": [combined[1]],
        "messages": combined,
    }
    batch = parse_batch({"batchId": "7", "batchRunning": False, "value": {"stepResults": [step]}}, "7")
    out = batch_json("7", batch)["steps"][0]["messages"]
    assert [(m["severity"], m["text"]) for m in out] == [
        ("info", "push"),
        ("error", "Lamp-9 not found"),
        ("info", "done"),
    ]
