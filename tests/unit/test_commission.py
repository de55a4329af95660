"""Commissioning requests and the Markdown report: pure functions of their input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from slv_tui.slv.commission import (
    CONTROLLER_PATH,
    DEVICES_PATH,
    MAX_DEVICES,
    CommissionError,
    flags_of,
    make_request,
)
from slv_tui.slv.model import Batch, Counts, Severity, Step, StepMessage
from slv_tui.slv.report_md import ReportTimes, inert, render_report, times_from_history


@pytest.mark.parametrize(
    ("names", "flags"),
    [(["config"], 1), (["schedules"], 2), (["devices"], 4), (["config", " Devices"], 5),
     (["config", "schedules", "devices"], 7), (["config", "config"], 1)],
)  # fmt: skip
def test_flags_of(names: list[str], flags: int) -> None:
    assert flags_of(names) == flags


@pytest.mark.parametrize("names", [[""], ["lamps"], ["config", "x"], []])
def test_flags_of_refuses_unknown_or_nothing(names: list[str]) -> None:
    with pytest.raises(CommissionError):
        flags_of(names)


def test_controller_request_form_and_confirmation_rows() -> None:
    request = make_request(" CTRL-7 ", flags=3)
    assert request.path == CONTROLLER_PATH and request.endpoint == "commissionControllerAsync"
    assert request.form() == {"controllerStrId": "CTRL-7", "flags": "3"}
    assert request.sent() == [
        ("POST", CONTROLLER_PATH), ("controllerStrId", "CTRL-7"),
        ("flags", "3 = Controller configuration + Schedulers"),
    ]  # fmt: skip


def test_device_request_dedupes_in_order() -> None:
    request = make_request("C", devices=["L2", "L1", "L2"])
    assert request.path == DEVICES_PATH
    assert request.form() == {"controllerStrId": "C", "idOnController": ["L2", "L1"]}
    assert request.sent()[-1] == ("idOnController", "2 device(s): L2, L1")


def test_device_ids_are_free_text_with_spaces() -> None:
    request = make_request("CTRL-3", devices=["lamp 2", "L,3", "L4"])
    assert request.form() == {"controllerStrId": "CTRL-3", "idOnController": ["lamp 2", "L,3", "L4"]}
    assert request.sent()[-1] == ("idOnController", "3 device(s): 'lamp 2', 'L,3', L4")


@pytest.mark.parametrize(
    ("controller", "devices", "flags", "needle"),
    [
        ("", None, 7, "no controller ID"),
        ("   ", None, 7, "no controller ID"),
        ("C", ["ok", " "], 7, "no device ID"),
        ("a\x1b[2Jb", None, 7, "no control characters"),
        ("C", ["lamp\t2"], 7, "no control characters"),
        ("x" * 201, None, 7, "too long"),
        ("C", ["ok", "\u202eevil"], 7, "invalid device ID"),
        ("C", None, 0, "flags must be 1 to 7"),
        ("C", None, 8, "flags must be 1 to 7"),
        ("C", [f"L{n}" for n in range(MAX_DEVICES + 1)], 7, "too many devices"),
    ],
)
def test_make_request_refuses(controller: str, devices: list[str] | None, flags: int, needle: str) -> None:
    with pytest.raises(CommissionError, match=needle) as caught:
        make_request(controller, flags=flags, devices=devices)
    assert "\x1b" not in str(caught.value) and "\u202e" not in str(caught.value)


def test_inert_escapes_markdown_and_strips_controls() -> None:
    assert inert("a|b") == r"a\|b"
    assert (
        inert("`x` *y* _z_ [l](u) <b> ~s~ #h &amp; \\")
        == r"\`x\` \*y\* \_z\_ \[l\](u) \<b\> \~s\~ \#h \&amp; \\"
    )
    assert inert("red\x1b[31m\nline\u202e") == "red line"
    # `@` and a dot between letters are escaped too: an e-mail address, a mention or a domain never links
    assert inert("Lamp-0041 @ controller CTRL-7: 1.5") == r"Lamp-0041 \@ controller CTRL-7: 1\.5"  # no link


def _batch() -> Batch:
    step = Step(
        name="commissioning", label="Commissioning | phase", status=2,
        infos=(StepMessage(Severity.INFO, "pushed"),),
        warnings=(StepMessage(Severity.WARNING, "w|1", 1, "WARNING"),),
        errors=(StepMessage(Severity.ERROR, "e<script>", 2, "ERROR"),),
        counts=Counts(1, 1, 1),
    )  # fmt: skip
    return Batch(batch_id="42", progress=100.0, status="OK", error_code="0", login="ada|x",
                 counts=Counts(1, 1, 1), steps=(step,))  # fmt: skip


def test_report_header_steps_and_problems() -> None:
    written = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    times = ReportTimes(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), None)
    text = render_report("https://cms/reports", "42", _batch(), times=times, written=written)
    assert text.startswith("# SLV batch 42\n")
    assert "| State | completed_with_errors |" in text
    assert "| Progress | 100 % |" in text and r"| Started by | ada\|x |" in text
    assert "| First seen | 2026-12-01T12:00:00Z |" in text and "| Finished | — |" in text
    assert "| Report written | 2026-12-01T13:00:00Z |" in text
    assert r"| 1 | Commissioning \| phase | 2 | 1 | 1 | 1 |" in text
    assert "## Warnings and errors (2)" in text
    assert r"- **warning** (WARNING): w\|1" in text and r"- **error** (ERROR): e\<script\>" in text
    assert "pushed" not in text  # info messages are counted, not listed


def test_report_of_a_batch_not_fetched() -> None:
    text = render_report("https://cms/reports", "7", None, "server: 605 Batch not found")
    assert "| State | unknown |" in text and "| Error | server: 605 Batch not found |" in text
    assert "## Steps" not in text


def test_times_from_history_events() -> None:
    events = [
        {"at": "2026-12-01T10:00:05Z", "kind": "state", "state": "running"},
        {"at": "2026-12-01T10:00:00+00:00", "kind": "first_seen", "state": "running"},
        {"at": "not a time", "kind": "progress"},
        {"at": "2026-12-01T10:20:00Z", "kind": "finished", "state": "succeeded"},
    ]
    times = times_from_history(events)
    assert times.first_seen == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert times.finished == datetime(2026, 12, 1, 10, 20, tzinfo=UTC)
    assert times_from_history([]) == ReportTimes()


def test_report_on_a_batch_the_server_does_not_know_says_not_found() -> None:
    from slv_tui.slv.errors import ServerError

    text = render_report(
        "https://cms.example.org", "1481099999999", None, ServerError("605", "Batch not found")
    )
    assert "| State | not found |" in text and "not fetched" not in text


def test_a_batch_finished_before_first_seen_has_no_made_up_finish_time() -> None:
    from slv_tui.slv.report_md import times_from_history

    events = [  # recorded when the batch was first seen: it had finished already
        {"at": "2026-12-01T00:50:23Z", "kind": "first_seen", "state": "succeeded"},
        {"at": "2026-12-01T00:50:23Z", "kind": "finished", "state": "succeeded"},
    ]
    times = times_from_history(events)
    assert times.finished is None and times.finished_before_seen
    text = render_report("https://cms/reports", "7", None, None, times=times)
    assert "| Finished | before first seen (time unknown) |" in text
