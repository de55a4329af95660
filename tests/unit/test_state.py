"""The batch state rule: every state, and first match wins."""

from __future__ import annotations

from typing import Any

import pytest

from slv_tui.slv.model import Batch, BatchState, Counts, derive_state
from slv_tui.slv.parse import parse_batch


def wire(**fields: Any) -> dict[str, Any]:
    """A healthy finished batch on the wire, with some fields replaced."""
    base: dict[str, Any] = {
        "batchId": "1",
        "batchProgressValue": 100,
        "batchRunning": False,
        "cancelRequested": False,
        "cancelled": False,
        "errorCode": "0",
        "errorCodeLabel": None,
        "status": "OK",
        "statusError": False,
        "statusOk": True,
        "value": {"errorMessagesCount": 0, "infoMessagesCount": 1, "warningMessagesCount": 0,
                  "stepResults": []},
    }  # fmt: skip
    base.update(fields)
    return base


def errors_value(n: int) -> dict[str, Any]:
    return {"errorMessagesCount": n, "infoMessagesCount": 0, "warningMessagesCount": 0, "stepResults": []}


CASES: list[tuple[str, dict[str, Any], BatchState]] = [
    ("plain success", wire(), BatchState.SUCCEEDED),
    ("warnings only still succeed", wire(value={**errors_value(0), "warningMessagesCount": 3}),
     BatchState.SUCCEEDED),
    ("running", wire(batchRunning=True, batchProgressValue=40), BatchState.RUNNING),
    ("cancelling", wire(batchRunning=True, cancelRequested=True), BatchState.CANCELLING),
    ("cancelled", wire(cancelled=True, cancelRequested=True), BatchState.CANCELLED),
    ("failed by statusError", wire(statusError=True), BatchState.FAILED),
    ("failed by status ERROR", wire(status="ERROR"), BatchState.FAILED),
    ("failed by errorCode", wire(errorCode="409"), BatchState.FAILED),
    ("errorCode empty is no error", wire(errorCode=""), BatchState.SUCCEEDED),
    ("completed with errors", wire(value=errors_value(2)), BatchState.COMPLETED_WITH_ERRORS),
    # precedence: first match wins
    ("cancelled beats running", wire(cancelled=True, batchRunning=True), BatchState.CANCELLED),
    ("cancelled beats failed", wire(cancelled=True, statusError=True, errorCode="5"),
     BatchState.CANCELLED),
    ("cancelling beats failed and errors",
     wire(batchRunning=True, cancelRequested=True, statusError=True, value=errors_value(3)),
     BatchState.CANCELLING),
    ("running beats failed", wire(batchRunning=True, status="ERROR", errorCode="500"),
     BatchState.RUNNING),
    ("running beats error messages", wire(batchRunning=True, value=errors_value(4)),
     BatchState.RUNNING),
    ("cancel requested but finished is not cancelling", wire(cancelRequested=True),
     BatchState.SUCCEEDED),
    ("failed beats completed_with_errors", wire(statusError=True, value=errors_value(1)),
     BatchState.FAILED),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_state_from_wire(name: str, data: dict[str, Any], expected: BatchState) -> None:
    assert parse_batch(data, "1").state is expected


def test_every_design_state_is_covered() -> None:
    assert {c[2] for c in CASES} == set(BatchState)
    assert [s.value for s in BatchState] == [
        "cancelled", "cancelling", "running", "failed", "completed_with_errors", "succeeded",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("batch", "expected"),
    [
        (Batch("1", status="error"), BatchState.FAILED),  # case-insensitive ERROR
        (Batch("1", error_code=None), BatchState.SUCCEEDED),
        (Batch("1", error_code="0", counts=Counts(0, 9, 0)), BatchState.SUCCEEDED),
        (Batch("1", counts=Counts(0, 0, 1)), BatchState.COMPLETED_WITH_ERRORS),
        (Batch("1", running=True, cancel_requested=True, cancelled=True), BatchState.CANCELLED),
    ],
)
def test_derive_state_on_model(batch: Batch, expected: BatchState) -> None:
    assert derive_state(batch) is expected
    assert batch.state is expected


def test_finished_and_bad_flags() -> None:
    finished = {s for s in BatchState if s.finished}
    bad = {s for s in BatchState if s.bad}
    assert finished == set(BatchState) - {BatchState.RUNNING, BatchState.CANCELLING}
    assert bad == {BatchState.CANCELLED, BatchState.FAILED, BatchState.COMPLETED_WITH_ERRORS}
