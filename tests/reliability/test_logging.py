"""Logging: rotating log in XDG_STATE_HOME, timings, errors; bodies only with --debug."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from support.env import state_log_file

from slv_tui.common.logs import setup_logging
from slv_tui.sim import ThreadedSim

from .conftest import run_cli
from .hostilecases import record

BATCH = "1481016600181"


def log_text(home: Path) -> str:
    path = state_log_file(home)
    assert path.exists(), sorted(str(p) for p in home.rglob("*"))
    return path.read_text()


def test_paths_and_version_show_the_log_file_under_xdg_state_home(tmp_path: Path) -> None:
    expected = str(tmp_path / "state" / "slv-tui" / "log" / "slv-tui.log")
    paths = run_cli(tmp_path, "paths")
    version = run_cli(tmp_path, "--version")
    assert paths.returncode == version.returncode == 0
    assert expected in paths.stdout and expected in version.stdout
    assert str(tmp_path / "data") in paths.stdout


def test_requests_are_logged_with_timings_and_errors_without_bodies(
    tmp_path: Path, threaded_sim: ThreadedSim
) -> None:
    ok = run_cli(tmp_path, "status", "--url", threaded_sim.url, BATCH, SLV_PASSWORD="admin")
    threaded_sim.server.set_fault("server_error")
    bad = run_cli(tmp_path, "status", "--url", threaded_sim.url, BATCH, SLV_PASSWORD="admin")
    assert (ok.returncode, bad.returncode) == (0, 3)
    text = log_text(tmp_path)
    assert f"batchId={BATCH} -> 200 in " in text and " ms" in text
    assert "HTTP error: the server answered HTTP 500" in text
    assert "body of batchId" not in text and "stepResults" not in text


def test_debug_logs_the_first_2_kib_of_bodies(tmp_path: Path, threaded_sim: ThreadedSim) -> None:
    done = run_cli(tmp_path, "status", "--debug", "--url", threaded_sim.url, BATCH, SLV_PASSWORD="admin")
    assert done.returncode == 0
    lines = [line for line in log_text(tmp_path).splitlines() if "body of batchId" in line]
    assert lines and "batchProgressValue" in lines[0]
    assert len(lines[0]) < 2048 + 200


def test_log_level_option(tmp_path: Path, threaded_sim: ThreadedSim) -> None:
    args = ("status", "--log-level", "warning", "--url", threaded_sim.url, BATCH)
    assert run_cli(tmp_path, *args, SLV_PASSWORD="admin").returncode == 0
    path = tmp_path / "state" / "slv-tui" / "log" / "slv-tui.log"
    assert not path.exists() or "-> 200 in" not in path.read_text()
    debug = run_cli(
        tmp_path, "status", "--log-level", "debug", "--url", threaded_sim.url, BATCH, SLV_PASSWORD="admin"
    )
    assert debug.returncode == 0
    text = log_text(tmp_path)
    assert "-> 200 in" in text and "body of batchId" not in text  # debug level is not --debug


def test_log_rotates(tmp_path: Path, restore_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import slv_tui.common.logs

    monkeypatch.setattr(slv_tui.common.logs, "MAX_BYTES", 64 * 1024)  # the same handler, smaller files
    path = setup_logging(tmp_path / "log" / "slv-tui.log", "info")
    assert path is not None
    log = logging.getLogger("slv_tui.rotation")
    for i in range(1500):
        log.info("line %d %s", i, "x" * 400)
    files = sorted(p.name for p in path.parent.iterdir())
    expected = ["slv-tui.log"] + [f"slv-tui.log.{n}" for n in range(1, slv_tui.common.logs.BACKUPS + 1)]
    assert files == expected
    assert all(p.stat().st_size <= 64 * 1024 + 1024 for p in path.parent.iterdir())


def test_an_unwritable_log_dir_writes_no_log_lines_on_stderr(
    tmp_path: Path, threaded_sim: ThreadedSim
) -> None:
    """No log file: the run goes on, and no warning reaches Python's last-resort handler (stderr)."""
    (tmp_path / "not-a-dir").write_text("x")
    threaded_sim.server.set_fault("server_error")
    done = run_cli(
        tmp_path, "status", "--url", threaded_sim.url, BATCH,
        SLV_PASSWORD="admin", XDG_STATE_HOME=str(tmp_path / "not-a-dir"),
    )  # fmt: skip
    assert done.returncode == 3
    assert "HTTP error: the server answered HTTP 500" in done.stdout
    assert "failed in" not in done.stderr and "batchId=" not in done.stderr, done.stderr


def test_debug_bodies_hide_escaped_basic_tokens_sessions_and_csrf_tokens(tmp_path: Path) -> None:
    """A proxy echoes the request as a Java encoder writes JSON (`\\/`), with a session cookie and a
    CSRF token: none of them reaches the --debug log, registered or not."""
    import base64

    from .hostile import HostileServer, Reply, batch_body

    password = "???>>>~~~"
    token = base64.b64encode(f"admin:{password}".encode()).decode()
    assert "/" in token
    echoed = (
        f"Authorization: Basic {token}\nCookie: JSESSIONID=8F00D1E5C0FFEE\n"
        "Set-Cookie: SESSION=Zm9vYmFyYmF6; Path=/\nX-CSRF-Token: 3b1f9c0e-aa12-4d7e"
    )
    body = batch_body(BATCH, message=echoed).replace(b"/", b"\\/")
    with HostileServer(Reply(body=body)) as server:
        done = run_cli(tmp_path, "status", "--debug", "--url", server.url, BATCH, SLV_PASSWORD=password)
    assert done.returncode == 0, done.stderr
    text = log_text(tmp_path)
    assert "body of batchId" in text and "********" in text
    escaped_token = token.replace("/", "\\/")
    leaks = (escaped_token, token, "8F00D1E5C0FFEE", "Zm9vYmFyYmF6", "3b1f9c0e", password)
    for leak in leaks:
        assert leak not in text, f"leaked into the --debug log: {leak}"
    modes = "n/a (not POSIX)"
    if os.name == "posix":
        log = state_log_file(tmp_path)
        modes = f"{stat.S_IMODE(log.parent.stat().st_mode):o}/{stat.S_IMODE(log.stat().st_mode):o}"
        assert modes == "700/600", f"log folder/file modes {modes}: readable by other users"
    redactions = text.count("********")
    record(
        8, f"log folder/file {modes}; 0 of {len(leaks)} secrets in the --debug log, {redactions} redactions"
    )
