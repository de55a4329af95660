"""Calendar commissioning and device import requests, the CSV file reader and a refusal's reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from slv_tui.commands.commission import Target
from slv_tui.slv.commission import (
    IMPORT_PATH,
    MAX_CSV_BYTES,
    SCHEDULER_PATH,
    CommissionError,
    import_request,
    make_request,
    scheduler_request,
)
from slv_tui.slv.errors import ServerError
from slv_tui.store.device_csv import read_device_csv

CSV = b"controllerStrId,idOnController,name\nCTRL-1,lamp 1,Lamp one\n\nCTRL-1,L2,Lamp two\n"


def test_scheduler_request_is_a_get_with_its_query() -> None:
    request = scheduler_request(" CTRL 7 ", " 12 ")
    assert (request.kind, request.method, request.path) == ("scheduler", "GET", SCHEDULER_PATH)
    assert request.endpoint == "commissionControllersSchedulers"
    assert request.query() == {"schedulerId": "12", "controllerStrId": "CTRL 7"}
    assert request.form() == {}
    assert request.sent() == [("GET", SCHEDULER_PATH), ("schedulerId", "12"), ("controllerStrId", "CTRL 7")]
    assert request.describe() == "commissionControllersSchedulers controller 'CTRL 7' (schedulerId=12)"
    assert request.label == "CTRL 7"


@pytest.mark.parametrize(
    ("controller", "scheduler", "needle"),
    [
        ("C", "", "invalid scheduler ID ''"),
        ("C", "12a", "invalid scheduler ID '12a'"),
        ("C", "-1", "invalid scheduler ID"),
        ("C", "١٢", "invalid scheduler ID"),  # Arabic-Indic digits are digits to str.isdigit
        ("C", "1" * 20, "1-19 digits"),
        ("", "12", "no controller ID given"),
        ("C\x1b[2J", "12", "no control characters"),
    ],
)
def test_scheduler_request_refusals(controller: str, scheduler: str, needle: str) -> None:
    with pytest.raises(CommissionError, match=needle) as caught:
        scheduler_request(controller, scheduler)
    assert "\x1b" not in str(caught.value)


def test_import_request_posts_the_bytes_and_summarises_the_header() -> None:
    request = import_request("devices.csv", CSV)
    assert (request.kind, request.method, request.path) == ("csv", "POST", IMPORT_PATH)
    assert request.csv is not None and request.csv.data == CSV  # the bytes as they are, unchanged
    assert request.csv.fields == ("controllerStrId", "idOnController", "name")
    assert request.csv.rows == 2  # the blank line is no device
    assert request.form() == {} and request.query() == {}
    fields = "controllerStrId, idOnController, name"
    summary = f"'devices.csv': {len(CSV)} bytes, 2 device row(s); fields: {fields}"
    assert request.sent() == [("POST", IMPORT_PATH), ("body", f"the CSV file {summary}")]
    assert request.describe() == f"importDevicesFromCsvFileAsync of {summary}"
    assert request.label == "import devices.csv"


def test_import_summary_of_hostile_or_odd_files_stays_one_clean_line() -> None:
    data = "\ufeffname\x1b]52;c;AAAA\x07,é\r\nx,y\r\n".encode() + b"\xff\xfe"
    request = import_request("a\x1b[31m.csv", data)
    assert request.csv is not None and request.csv.data == data
    for text in (request.describe(), *(value for _, value in request.sent())):
        assert "\x1b" not in text and "\x07" not in text and "\n" not in text
    assert request.csv.fields[1] == "é" and request.csv.rows == 2


@pytest.mark.parametrize(
    ("data", "needle"),
    [(b"", "empty"), (b"\n \n\r\n", "empty"), (b"a" * (MAX_CSV_BYTES + 1), "larger than 10 MiB")],
)
def test_import_request_refusals(data: bytes, needle: str) -> None:
    with pytest.raises(CommissionError, match=needle):
        import_request("f.csv", data)


def test_the_controller_kinds_are_unchanged() -> None:
    request = make_request("C", flags=3)
    assert (request.kind, request.method, request.query()) == ("controller", "POST", {})
    assert request.label == "C"


def test_read_device_csv_reads_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(CSV)
    request = read_device_csv(path)
    assert request.csv is not None and request.csv.data == CSV and request.csv.name == "d.csv"


def test_read_device_csv_refusals_are_one_line(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_CSV_BYTES + 1)  # sparse: nothing is written
    cases = {tmp_path / "missing.csv": "no such file", tmp_path: "not a regular file"}
    cases[big] = "larger than 10 MiB"
    for path, needle in cases.items():
        with pytest.raises(CommissionError, match=needle) as caught:
            read_device_csv(path)
        assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_read_device_csv_odd_paths(tmp_path: Path) -> None:
    for path, needle in ((Path("a\x00b.csv"), "cannot read it"), (tmp_path / ("x" * 300), "cannot read it")):
        with pytest.raises(CommissionError, match=needle) as caught:
            read_device_csv(path)
        assert "\x00" not in str(caught.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_read_device_csv_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(CommissionError, match="not a regular file"):
        read_device_csv(fifo)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_read_device_csv_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "secret.csv"
    path.write_bytes(CSV)
    path.chmod(0)
    with pytest.raises(CommissionError, match="permission denied"):
        read_device_csv(path)


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        ({"message": "Unknown field 'x'"}, "602 Invalid CSV file: Unknown field 'x'"),
        ({"message": None, "value": "No header row"}, "602 Invalid CSV file: No header row"),
        ({"message": "invalid csv file"}, "602 Invalid CSV file"),  # says nothing more
        ({"message": "  ", "value": None}, "602 Invalid CSV file"),
        ([1, 2], "602 Invalid CSV file"),
    ],
)
def test_a_refusal_carries_the_server_reason(answer: object, detail: str) -> None:
    assert ServerError("602", "Invalid CSV file").with_reason(answer).detail == detail


def test_a_refusal_reason_is_clean_and_bounded() -> None:
    refusal = ServerError("601", None).with_reason({"message": "x\x1b[31m" + "y" * 1000})
    assert "\x1b" not in str(refusal) and len(str(refusal)) < 400


def test_the_terminal_question_names_the_call_the_file_and_the_target() -> None:
    target = Target("https://cms.example.org/reports", "admin", "city")
    question = target.question(import_request("devices.csv", CSV))
    assert question == (
        f"start importDevicesFromCsvFileAsync of 'devices.csv': {len(CSV)} bytes, 2 device row(s);"
        " fields: controllerStrId, idOnController, name on https://cms.example.org/reports as admin"
        " (profile city)? [y/N] "
    )
    question = target.question(scheduler_request("CTRL-7", "12"))
    expected = "start commissionControllersSchedulers controller 'CTRL-7' (schedulerId=12) on "
    assert question.startswith(expected)
