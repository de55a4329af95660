"""The log file never holds a secret: registered passwords, j_password fields, Basic headers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.logs import preserved_logging

from slv_tui.logs import REDACTED, redact, register_secret, setup_logging


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    with preserved_logging():
        path = tmp_path / "log" / "slv-tui.log"
        assert setup_logging(path, "debug") == path
        yield path


def test_registered_secret_redacted(log_file: Path) -> None:
    register_secret("Zq-Registered-991")
    log = logging.getLogger("slv_tui.test")
    log.warning("login as admin with Zq-Registered-991 failed")
    log.info("args too: %s", "prefix-Zq-Registered-991-suffix")
    text = log_file.read_text()
    assert "Zq-Registered-991" not in text
    assert text.count(REDACTED) == 2
    assert "login as admin with" in text


def test_form_and_header_redacted(log_file: Path) -> None:
    log = logging.getLogger("slv_tui.test")
    log.info("POST j_username=admin&j_password=NotRegistered77&x=1")
    log.info("headers: Authorization: Basic YWRtaW46c2VjcmV0 ; next")
    log.info('json {"password": "JsonPw55"}')
    text = log_file.read_text()
    for secret in ("NotRegistered77", "YWRtaW46c2VjcmV0", "JsonPw55"):
        assert secret not in text
    assert "j_username=admin" in text and "x=1" in text


def test_exception_text_redacted(log_file: Path) -> None:
    register_secret("Exc-Secret-314")
    log = logging.getLogger("slv_tui.test")
    try:
        raise ValueError("bad Exc-Secret-314")
    except ValueError:
        log.exception("boom")
    text = log_file.read_text()
    assert "Exc-Secret-314" not in text and "ValueError" in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("j_password=abc&j_username=u", "j_password=********&j_username=u"),
        ("AUTHORIZATION: basic Zm9vOmJhcg==", "AUTHORIZATION: basic ********"),
        ("nothing here", "nothing here"),
    ],
)
def test_redact(raw: str, expected: str) -> None:
    assert redact(raw) == expected


def test_unwritable_log_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    root = logging.getLogger("slv_tui")
    saved = (list(root.handlers), root.propagate)
    try:
        assert setup_logging(blocker / "log" / "slv-tui.log") is None
    finally:
        for handler in saved[0]:
            root.addHandler(handler)
        root.propagate = saved[1]
