"""Parsing getBatchResult answers: the documented samples field by field, and real-world type drift."""

from __future__ import annotations

from typing import Any

import pytest

from slv_tui.slv.decode import decode_text, loads_json
from slv_tui.slv.errors import ProtocolError, ServerError
from slv_tui.slv.model import Batch, BatchState, Counts, Severity, StepMessage
from slv_tui.slv.parse import as_bool, as_number, as_progress, parse_batch

OK_ID = "1481016600181"


def message_count(batch: Batch) -> int:
    """Every message of every step, each severity once."""
    return sum(len(step.messages(severity)) for step in batch.steps for severity in Severity)


def test_finished_sample_every_attribute(finished_ok: dict[str, Any]) -> None:
    b = parse_batch(finished_ok, OK_ID)
    assert b.batch_id == OK_ID
    assert b.progress_message == "Commissioning process finished."
    assert b.progress == 100
    assert b.running is False
    assert b.cancel_requested is False
    assert b.cancelled is False
    assert b.error_code == "0"
    assert b.error_code_label is None
    assert b.message is None
    assert b.status == "OK"
    assert b.status_error is False
    assert b.status_ok is True
    # value
    assert b.login == "admin"
    assert b.value_status == 0
    assert b.counts == Counts(info=4, warning=0, error=0)
    assert b.raw_value is None
    assert b.state is BatchState.SUCCEEDED
    assert [s.name for s in b.steps] == ["check", "commissioning"]
    check, comm = b.steps
    assert check.label == "Check database configuration"
    assert check.status == 0
    assert check.counts == Counts(1, 0, 0)
    assert check.infos == (
        StepMessage(Severity.INFO, "Inventory has been checked in the database and is consistent", 0, "OK"),
    )
    assert check.warnings == () and check.errors == ()
    assert comm.label == "Commissioning"
    assert comm.counts == Counts(3, 0, 0)
    assert [m.text for m in comm.infos] == [
        "Devices configs are pushed using mode 'LIST'.",
        "2 devices in list. 2 were pushed. 0 were ignored and 0 were not pushed"
        " because not found on controller.",
        "All messages and configuration data have been sent and accepted by the controller",
    ]
    assert all(m.status == 0 and m.status_text == "OK" for m in comm.infos)
    assert b.current_step is comm
    # `messages` repeats the infos: never counted twice
    assert message_count(b) == 4


def test_just_started_sample(just_started: dict[str, Any]) -> None:
    b = parse_batch(just_started, "1481018818069")
    assert b.batch_id == "1481018818069"
    assert b.progress is None  # -1 = unknown
    assert b.progress_message is None
    assert b.running is True
    assert b.state is BatchState.RUNNING
    assert b.steps == ()
    assert b.current_step is None
    assert b.counts == Counts()
    assert b.login == "admin"


def test_requested_id_wins_over_echoed_id(finished_ok: dict[str, Any]) -> None:
    finished_ok["batchId"] = 1481016600181  # a number
    assert parse_batch(finished_ok, "1481016600181").batch_id == "1481016600181"
    finished_ok["batchId"] = "999"
    assert parse_batch(finished_ok, "0001481016600181").batch_id == "0001481016600181"


def test_type_drift_strings_and_nulls(finished_ok: dict[str, Any]) -> None:
    d = finished_ok
    d["batchId"] = 1481016600181
    d["batchProgressValue"] = "55"
    d["batchRunning"] = "false"
    d["cancelRequested"] = "true"
    d["cancelled"] = "false"
    d["statusError"] = "false"
    d["statusOk"] = "true"
    d["errorCode"] = 0  # a number, not a string
    d["value"]["infoMessagesCount"] = "4"
    step = d["value"]["stepResults"][0]
    step["errorMessages"] = None
    step["warningMessages"] = None
    step["infoMessagesCount"] = "1"
    step["status"] = "0"
    b = parse_batch(d, OK_ID)
    assert b.progress == 55
    assert b.running is False and b.cancelled is False
    assert b.cancel_requested is True
    assert b.status_ok is True and b.status_error is False
    assert b.error_code == "0"
    assert b.counts.info == 4
    assert b.steps[0].status == 0
    assert b.steps[0].errors == () and b.steps[0].warnings == ()
    assert b.steps[0].counts == Counts(1, 0, 0)
    assert b.state is BatchState.SUCCEEDED


def test_running_as_string_true(just_started: dict[str, Any]) -> None:
    just_started["batchRunning"] = "true"
    assert parse_batch(just_started, "1").state is BatchState.RUNNING


def test_null_lists_everywhere(finished_ok: dict[str, Any]) -> None:
    finished_ok["value"]["stepResults"] = None
    b = parse_batch(finished_ok, OK_ID)
    assert b.steps == ()
    assert b.counts.info == 4  # the reported total stays


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (100, 100.0),
        (0, 0.0),
        (42.5, 42.5),
        ("55", 55.0),
        (250, 100.0),  # clamped
        (100.0001, 100.0),
        (-1, None),
        (-5, None),
        ("-1", None),
        (float("nan"), None),
        ("NaN", None),
        (float("inf"), None),
        (None, None),
        ("abc", None),
        (True, None),
        ([], None),
    ],
)
def test_progress(raw: Any, expected: float | None, finished_ok: dict[str, Any]) -> None:
    assert as_progress(raw) == expected
    finished_ok["batchProgressValue"] = raw
    assert parse_batch(finished_ok, OK_ID).progress == expected


def test_progress_absent_is_none(finished_ok: dict[str, Any]) -> None:
    del finished_ok["batchProgressValue"]
    assert parse_batch(finished_ok, OK_ID).progress is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(True, True), (False, False), ("true", True), ("TRUE", True), ("false", False), (1, True),
     (0, False), (None, None), ("maybe", None), ([], None), (float("nan"), None)],
)  # fmt: skip
def test_as_bool(raw: Any, expected: bool | None) -> None:
    assert as_bool(raw) is expected


@pytest.mark.parametrize("value", [None, "some text", 42, [1, 2, {"a": 1}], {"report": {"rows": 3}}])
def test_value_of_another_shape_is_kept_raw(value: Any, finished_ok: dict[str, Any]) -> None:
    finished_ok["value"] = value
    b = parse_batch(finished_ok, OK_ID)
    assert b.raw_value == value
    assert b.steps == ()
    assert b.counts == Counts()
    assert b.state is BatchState.SUCCEEDED


def test_other_shape_keeps_login(finished_ok: dict[str, Any]) -> None:
    finished_ok["value"] = {"login": "operator", "rows": 3}
    b = parse_batch(finished_ok, OK_ID)
    assert b.login == "operator"
    assert b.raw_value == {"login": "operator", "rows": 3}


def test_slv_error_object_is_a_server_error_not_a_batch_state() -> None:
    err = {
        "errorCode": "605",
        "errorCodeLabel": "Batch not found",
        "message": "No batch with id 42",
        "status": "ERROR",
        "statusError": True,
        "statusOk": False,
        "value": None,
    }
    with pytest.raises(ServerError) as info:
        parse_batch(err, "42")
    assert str(info.value) == "server: 605 Batch not found"
    assert info.value.code == "605" and info.value.label == "Batch not found"
    assert info.value.transient  # a batch may appear a moment after it was started


def test_error_object_without_label_uses_message() -> None:
    with pytest.raises(ServerError, match=r"^server: 500 Internal trouble$"):
        parse_batch({"status": "ERROR", "errorCode": "500", "message": "Internal trouble"}, "1")


def test_error_status_with_batch_fields_is_still_failed() -> None:
    b = parse_batch({"batchId": "1", "batchRunning": False, "status": "ERROR", "errorCode": "409"}, "1")
    assert b.state is BatchState.FAILED


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ([1, 2, 3], "array"),
        ("hello", "string"),
        (None, "null"),
        (7, "number"),
        ({"foo": "bar"}, "not a batch"),
        ({}, "not a batch"),
    ],
)
def test_not_a_batch(data: Any, needle: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_batch(data, "1")
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


def test_messages_list_not_double_counted(finished_ok: dict[str, Any]) -> None:
    step = finished_ok["value"]["stepResults"][1]
    step["warningMessages"] = [{"status": 1, "statusText": "WARNING", "text": "w1"}]
    step["warningMessagesCount"] = 1
    step["messages"] = step["messages"] + step["warningMessages"]
    finished_ok["value"]["warningMessagesCount"] = 1
    b = parse_batch(finished_ok, OK_ID)
    s = b.steps[1]
    assert len(s.infos) == 3 and len(s.warnings) == 1 and s.errors == ()
    assert s.counts == Counts(3, 1, 0)
    assert b.counts == Counts(4, 1, 0)
    assert message_count(b) == 5


def test_only_combined_messages_list_is_classified() -> None:
    data = {
        "batchId": "7",
        "batchRunning": False,
        "value": {
            "stepResults": [
                {
                    "stepName": "s",
                    "messages": [
                        {"status": 0, "statusText": "OK", "text": "a"},
                        {"status": 1, "statusText": "WARNING", "text": "b"},
                        {"status": 2, "statusText": "ERROR", "text": "c"},
                        {"status": 0, "statusText": "OK", "text": "d"},
                    ],
                }
            ]
        },
    }
    b = parse_batch(data, "7")
    s = b.steps[0]
    assert [m.text for m in s.infos] == ["a", "d"]
    assert [m.text for m in s.warnings] == ["b"]
    assert [m.text for m in s.errors] == ["c"]
    assert [m.text for m in s.in_server_order] == ["a", "b", "c", "d"]
    assert s.counts == Counts(2, 1, 1)
    assert b.counts == Counts(2, 1, 1)
    assert b.state is BatchState.COMPLETED_WITH_ERRORS


def test_message_order_is_kept() -> None:
    texts = [f"m{i:02d}" for i in (5, 3, 9, 1, 7, 0, 8)]
    data = {
        "batchId": "7",
        "batchRunning": True,
        "value": {
            "stepResults": [
                {"stepName": "a", "infoMessages": [{"status": 0, "statusText": "OK", "text": t}
                                                   for t in texts]},
                {"stepName": "b"},
                {"stepName": "c", "errorMessages": [{"text": "z"}, {"text": "y"}]},
            ]
        },
    }  # fmt: skip
    b = parse_batch(data, "7")
    assert [s.name for s in b.steps] == ["a", "b", "c"]
    assert [m.text for m in b.steps[0].infos] == texts
    assert [m.text for m in b.steps[2].errors] == ["z", "y"]
    assert b.counts.error == 2  # no totals reported: summed from the steps


def _msg(status: int, text: str) -> dict[str, Any]:
    return {"status": status, "statusText": ("OK", "WARNING", "ERROR")[status], "text": text}


def _step_with_lists(combined: list[dict[str, Any]]) -> dict[str, Any]:
    """A step whose per-severity lists hold `combined` split by status, as SLV sends them."""
    by = {
        sev: [m for m in combined if m["status"] == i] for i, sev in enumerate(("info", "warning", "error"))
    }
    return {
        "stepName": "s",
        "infoMessages": by["info"],
        "warningMessages": by["warning"],
        "errorMessages": by["error"],
        "messages": combined,
    }


def test_combined_list_gives_the_server_order() -> None:
    combined = [_msg(0, "start"), _msg(2, "Lamp-7 failed"), _msg(0, "start"), _msg(1, "slow"), _msg(0, "end")]
    data = {"batchId": "7", "batchRunning": False, "value": {"stepResults": [_step_with_lists(combined)]}}
    s = parse_batch(data, "7").steps[0]
    assert [(m.severity.value, m.text) for m in s.in_server_order] == [
        ("info", "start"),
        ("error", "Lamp-7 failed"),
        ("info", "start"),
        ("warning", "slow"),
        ("info", "end"),
    ]
    assert [m.text for m in s.infos] == ["start", "start", "end"]
    assert s.counts == Counts(3, 1, 1)
    # every message object appears once: the order is a permutation of the grouped lists
    assert sorted(map(id, s.in_server_order)) == sorted(map(id, s.infos + s.warnings + s.errors))


@pytest.mark.parametrize(
    "combined_edit",
    [
        pytest.param(lambda c: c[:-1], id="combined-shorter"),
        pytest.param(lambda c: [*c, _msg(0, "extra")], id="combined-longer"),
        pytest.param(lambda c: [_msg(0, "other"), *c[1:]], id="combined-differs"),
    ],
)
def test_combined_list_that_disagrees_falls_back_to_grouped_order(combined_edit: Any) -> None:
    combined = [_msg(2, "e"), _msg(0, "i"), _msg(1, "w")]
    step = _step_with_lists(combined)
    step["messages"] = combined_edit(combined)
    s = parse_batch({"batchId": "7", "value": {"stepResults": [step]}}, "7").steps[0]
    assert [m.text for m in s.in_server_order] == ["i", "w", "e"]
    assert s.counts == Counts(1, 1, 1)


def test_odd_step_and_message_entries_do_not_crash() -> None:
    data = {
        "batchId": "7",
        "batchRunning": False,
        "value": {"stepResults": ["just text", None, 3, {"stepName": 12, "infoMessages": ["bare", None, 5]}]},
    }
    b = parse_batch(data, "7")
    assert len(b.steps) == 4
    assert b.steps[0].label == "just text"
    assert b.steps[3].name == "12"
    assert [m.text for m in b.steps[3].infos] == ["bare", "", "5"]


def test_negative_or_nan_counts_fall_back_to_lists(finished_ok: dict[str, Any]) -> None:
    step = finished_ok["value"]["stepResults"][1]
    step["infoMessagesCount"] = -1
    finished_ok["value"]["infoMessagesCount"] = float("nan")
    b = parse_batch(finished_ok, OK_ID)
    assert b.steps[1].counts.info == 3
    assert b.counts.info == 4


def test_13_digit_and_longer_ids_stay_exact(finished_ok: dict[str, Any]) -> None:
    big = "9223372036854775807"  # 19 digits, beyond float precision
    finished_ok["batchId"] = int(big)
    b = parse_batch(finished_ok, big)
    assert b.batch_id == big


def test_error_batch_with_a_plain_string_value_is_failed_with_that_reason() -> None:
    """Seen from real servers: `value` is the error message itself; ids and codes come as numbers."""
    from slv_tui.commands.render import render_line
    from slv_tui.slv.report import batch_json

    reason = (
        "Connection error Connect to localhost:80 [localhost/127.0.0.1, localhost/0:0:0:0:0:0:0:1]"
        " failed: Connection refused (Connection refused)"
    )
    raw = {
        "batchId": 1481021990417, "batchRunning": False, "batchProgressValue": 10, "cancelled": False,
        "cancelRequested": False, "status": "ERROR", "statusError": True, "errorCode": 1,
        "batchProgressMessage": "Connecting to controller", "value": reason,
    }  # fmt: skip
    batch = parse_batch(raw, "1481021990417")
    assert batch.state.value == "failed" and batch.message == reason and batch.error_code == "1"
    obj = batch_json("1481021990417", batch)
    assert (obj["batchId"], obj["state"], obj["message"], obj["errorCode"]) == (
        "1481021990417", "failed", reason, "1",
    )  # fmt: skip
    assert render_line("1481021990417", batch, color=False).endswith("— " + reason)
    ok = parse_batch({**raw, "status": "OK", "statusError": False, "errorCode": "0"}, "1481021990417")
    assert ok.message is None  # a string value on a good batch is not a reason


def test_numbers_that_cannot_be_represented_are_unreadable_not_an_exception() -> None:
    huge = 7 * 10**400  # what json.loads makes of a 400-digit number
    step = {"stepName": "s", "status": huge, "infoMessagesCount": huge,
            "infoMessages": [{"text": "t", "status": huge, "statusText": "OK"}]}  # fmt: skip
    value = {"stepResults": [step], "infoMessagesCount": -huge, "status": huge}
    b = parse_batch({"batchId": huge, "batchProgressValue": huge, "batchRunning": huge, "value": value}, "1")
    assert b.progress is None and b.running is True
    assert b.value_status is None
    assert b.steps[0].status is None and b.steps[0].infos[0].status is None
    assert b.steps[0].counts.info == 1 and b.counts.info == 1  # counted, not read
    assert as_number("9" * 400) is None and as_number(float("inf")) is None
    assert as_number(2**63) is None and as_number(2**63 - 1) == float(2**63 - 1)


def test_utf8_bom_before_json_is_tolerated() -> None:
    assert loads_json(decode_text("application/json", b'\xef\xbb\xbf{"batchId": "1"}', 64)) == {
        "batchId": "1"
    }
