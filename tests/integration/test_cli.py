"""The command-line contract, run as real subprocesses against a threaded simulator."""

from __future__ import annotations

import itertools
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from slv_tui import __version__
from slv_tui.sim import ThreadedSim

from .conftest import Cli

OK = "1481016600181"
RUNNING = "1481019204417"
CANCELLING = "1481020373648"
CANCELLED = "1481021145590"
FAILED = "1481021896034"
ERRORS = "1481023025871"
WRONG = "S3cr3t-Wr0ng-Pa55"

KEYS = [
    "batchId", "server", "state", "progress", "running", "cancelRequested", "cancelled", "status",
    "errorCode", "errorCodeLabel", "progressMessage", "message", "login", "counts", "steps", "error",
]  # fmt: skip


def status(cli: Cli, sim: ThreadedSim, *args: str, password: str = "admin") -> tuple[int, str, str]:
    done = cli.run("status", "--url", sim.url, *args, SLV_PASSWORD=password)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    ("ids", "code"),
    [
        ([OK], 0),
        ([RUNNING], 0),
        ([OK, RUNNING, CANCELLING], 0),
        ([FAILED], 1),
        ([CANCELLED], 1),
        ([ERRORS], 1),
        ([OK, FAILED], 1),
        (["1481099999999"], 3),  # no such batch: not found is not failed
        ([FAILED, "1481099999999"], 3),
    ],
)
def test_status_exit_codes(cli: Cli, static_sim: ThreadedSim, ids: list[str], code: int) -> None:
    rc, out, err = status(cli, static_sim, *ids)
    assert rc == code, err
    for batch_id in ids:
        assert batch_id in out
    assert "Traceback" not in err


def test_status_json_array_in_order_given(cli: Cli, static_sim: ThreadedSim) -> None:
    ids = [FAILED, OK, "0001481016600181", RUNNING]
    rc, out, err = status(cli, static_sim, "--json", *ids)
    assert rc == 3, err  # one batch could not be fetched (not found)
    objects = json.loads(out)
    assert [o["batchId"] for o in objects] == ids  # as requested, even with leading zeros
    assert all(list(o) == KEYS for o in objects)
    failed, ok, padded, running = objects
    assert failed["state"] == "failed" and failed["errorCode"] == "409"
    assert failed["errorCodeLabel"] == "Controller not connected" and failed["error"] is None
    assert ok["state"] == "succeeded" and ok["progress"] == 100 and '"progress": 100,' in out
    assert ok["counts"] == {"info": 4, "warning": 0, "error": 0}
    assert ok["login"] == "********"  # the password is "admin" too: the login would show it
    assert ok["steps"][0]["messages"][0] == {
        "severity": "info", "status": 0, "statusText": "OK",
        "text": "Inventory has been checked in the database and is consistent",
    }  # fmt: skip
    # the server does not know "0001…": an SLV error object, a fetch problem and never "failed"
    assert padded["state"] is None and padded["error"] == "server: 605 Batch not found"
    assert all(padded[k] is None for k in KEYS if k not in ("batchId", "server", "error"))
    assert running["state"] == "running" and running["running"] is True


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["status", "12x"], {}, "invalid batch ID '12x'"),
        (["status", "1" * 20], {}, "more than 19 digits"),
        (["status", OK], {"SLV_URL": ""}, "no server URL"),
        (["follow", "-5"], {}, ""),
    ],
)
def test_usage_errors_exit_2_before_any_request(
    cli: Cli, static_sim: ThreadedSim, args: list[str], env: dict[str, str], needle: str
) -> None:
    before = static_sim.server.request_count
    extra = [] if env.get("SLV_URL") == "" else ["--url", static_sim.url]
    env = {"SLV_PASSWORD": "admin", **{k: v for k, v in env.items() if v}}
    done = cli.run(*args[:1], *extra, *args[1:], **env)  # type: ignore[arg-type]  # env: str values only
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr
    assert "Traceback" not in done.stderr
    assert static_sim.server.request_count == before


def test_first_run_without_config_names_the_way_out(cli: Cli) -> None:
    done = cli.run(SLV_URL="")  # the dashboard with no config, no URL: one line, exit 2
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert "--demo" in line and "slv-tui paths" in line and "config.example.toml" in line


def test_no_password_without_terminal_exits_2(cli: Cli, static_sim: ThreadedSim) -> None:
    before = static_sim.server.request_count
    done = cli.run("status", "--url", static_sim.url, OK)  # stdin is /dev/null, no SLV_PASSWORD
    assert done.returncode == 2
    assert "no password" in done.stderr
    assert static_sim.server.request_count == before


def test_missing_explicit_config_exits_2(cli: Cli, static_sim: ThreadedSim) -> None:
    done = cli.run("status", "--config", str(cli.home / "nope.toml"), OK, SLV_PASSWORD="admin")
    assert done.returncode == 2 and "nope.toml: file not found" in done.stderr


def test_status_on_a_connection_error_reads_unknown_not_failed(cli: Cli, closed_port: int) -> None:
    done = cli.run("status", "--url", f"http://127.0.0.1:{closed_port}/reports", OK, SLV_PASSWORD="admin")
    assert done.returncode == 3
    line = next(line for line in done.stdout.splitlines() if line.startswith(OK))
    assert line.split()[1:3] == ["?", "unknown"] and "✖" not in line
    assert "connection" in line.lower()  # the error in its own column


def test_connection_refused_exits_3(cli: Cli, closed_port: int) -> None:
    done = cli.run("status", "--json", "--url", f"http://127.0.0.1:{closed_port}/reports", OK,
                   SLV_PASSWORD="admin")  # fmt: skip
    assert done.returncode == 3
    (obj,) = json.loads(done.stdout)
    assert list(obj) == KEYS and obj["batchId"] == OK
    assert obj["error"].startswith("connection failed: ")
    assert all(obj[k] is None for k in KEYS if k not in ("batchId", "server", "error"))


def test_wrong_password_exits_3_and_never_shows_the_password(cli: Cli, static_sim: ThreadedSim) -> None:
    rc, out, err = status(cli, static_sim, "--json", OK, RUNNING, password=WRONG)
    assert rc == 3
    objects = json.loads(out)
    assert [o["error"] for o in objects] == [
        "authentication failed: the server refused the credentials (HTTP 401)"
    ] * 2
    rc2, out2, err2 = status(cli, static_sim, "--debug", OK, password=WRONG)
    assert rc2 == 3
    log = cli.log_file.read_text()
    assert OK in log  # the log was written ...
    for text in (out, err, out2, err2, log):
        assert WRONG not in text  # ... without the password


def test_wrong_password_form_mode_never_shows_the_password(cli: Cli) -> None:
    with ThreadedSim(scenario="static", auth="form") as sim:
        done = cli.run("status", "--auth", "form", "--debug", "--url", sim.url, OK, SLV_PASSWORD=WRONG)
        assert sim.server.request_count == 0
    assert done.returncode == 3
    log = cli.log_file.read_text() if cli.log_file.exists() else ""
    for text in (done.stdout, done.stderr, log):
        assert WRONG not in text


def test_status_form_auth_ok(cli: Cli) -> None:
    with ThreadedSim(scenario="static", auth="form") as sim:
        done = cli.run("status", "--auth", "form", "--url", sim.url, OK, SLV_PASSWORD="admin")
    assert done.returncode == 0, done.stderr


def test_status_does_not_import_textual(cli: Cli, static_sim: ThreadedSim) -> None:
    done = cli.run("status", "--url", static_sim.url, OK, extra=["-X", "importtime"], SLV_PASSWORD="admin")
    assert done.returncode == 0
    assert "slv_tui.commands.output" in done.stderr  # importtime output is really there
    assert "textual" not in done.stderr
    assert "slv_tui.ui" not in done.stderr and "slv_tui.sim" not in done.stderr


def test_version(cli: Cli) -> None:
    done = cli.run("--version")
    assert done.returncode == 0
    assert done.stdout.startswith(f"slv-tui {__version__}")
    assert str(cli.home / "state" / "slv-tui" / "log" / "slv-tui.log") in done.stdout


def test_paths_honour_xdg(cli: Cli) -> None:
    done = cli.run("paths")
    assert done.returncode == 0
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines())
    assert lines["config"].strip() == str(cli.home / "config" / "slv-tui" / "config.toml")
    assert lines["data"].strip() == str(cli.home / "data" / "slv-tui")
    assert lines["watchlists"].strip().startswith(str(cli.home / "data" / "slv-tui"))
    assert lines["log file"].strip() == str(cli.home / "state" / "slv-tui" / "log" / "slv-tui.log")


def test_config_profile_from_xdg(cli: Cli, static_sim: ThreadedSim) -> None:
    cfg = cli.home / "config" / "slv-tui" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(f'[servers.default]\nurl = "{static_sim.url}"\npassword_command = "echo admin"\n')
    done = cli.run("status", OK)
    assert done.returncode == 0, done.stderr


# -- follow ------------------------------------------------------------------------------------


@pytest.fixture
def fast_sim() -> Iterator[ThreadedSim]:
    """The demo templates on a clock that stands still until the first getBatchResult arrives, then
    runs 8x: however long the command takes to start (a loaded machine), its first answer shows the
    batch running, and a 12 s commissioning then finishes in 1.5 s."""
    sims: list[ThreadedSim] = []
    started: list[float] = []

    def clock() -> float:
        if not started and sims and sims[0].server.request_count > 0:  # counted before it is answered
            started.append(time.monotonic())
        return 1000.0 + (time.monotonic() - started[0]) * 8 if started else 1000.0

    with ThreadedSim(scenario="demo", clock=clock) as sim:
        sims.append(sim)
        yield sim


def test_follow_json_lines_until_finished(cli: Cli, fast_sim: ThreadedSim) -> None:
    batch_id = fast_sim.server.start_batch("commission_ok")
    done = cli.run("follow", "--json", "--interval", "0.5", "--url", fast_sim.url, batch_id,
                   SLV_PASSWORD="admin")  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    objects = [json.loads(line) for line in lines]
    assert len(objects) >= 2
    # the full object at the start and at the end; in between only what changed beside the state
    assert list(objects[0]) == KEYS and list(objects[-1]) == KEYS
    assert all(o["batchId"] == batch_id and "state" in o for o in objects)
    for before, after in itertools.pairwise(objects[:-1]):
        assert list(after)[:3] == ["batchId", "server", "state"] and "steps" not in after
        fixed = ("batchId", "server", "state", "changedSteps")
        assert all(k in fixed or before.get(k) != v for k, v in after.items())
    assert objects[0]["state"] == "running"
    assert objects[-1]["state"] == "succeeded" and objects[-1]["progress"] == 100
    assert all(a != b for a, b in itertools.pairwise(lines))  # one line per change only
    assert sum(o["state"] == "succeeded" for o in objects) == 1


def test_follow_finished_batches_exit_at_once(cli: Cli, static_sim: ThreadedSim) -> None:
    before = static_sim.server.request_count
    done = cli.run("follow", "--json", "--url", static_sim.url, OK, FAILED, SLV_PASSWORD="admin")
    assert done.returncode == 1, done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(o["batchId"] for o in objects) == sorted([OK, FAILED])
    assert static_sim.server.request_count - before == 2


def test_follow_wrong_password_exits_3_at_once(cli: Cli, static_sim: ThreadedSim) -> None:
    before = len(static_sim.server.requests)
    done = cli.run("follow", "--json", "--url", static_sim.url, RUNNING, SLV_PASSWORD=WRONG)
    assert done.returncode == 3
    # --auth auto: the one probe of getCurrentUser is refused, and that ends the run
    assert [path for _, path in static_sim.server.requests][before:] == [
        "/reports/api/userprofile/getCurrentUser"
    ]
    (obj,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert obj["batchId"] == RUNNING and obj["state"] is None and obj["error"].startswith("authentication")
    assert "authentication failed" in done.stderr
    assert WRONG not in done.stdout + done.stderr + cli.log_file.read_text()


def test_follow_retries_transient_fault_on_stderr(cli: Cli, static_sim: ThreadedSim) -> None:
    static_sim.server.set_fault("server_error", batch_id=OK)
    try:
        proc = cli.popen("follow", "--interval", "0.5", "--url", static_sim.url, OK, SLV_PASSWORD="admin")
        assert proc.stderr is not None
        first = proc.stderr.readline()  # blocks until the first retry notice
    finally:
        static_sim.server.set_fault(None, batch_id=OK)
    out, err = proc.communicate(timeout=20)
    assert f"slv-tui: {OK}: HTTP error: the server answered HTTP 500" in first
    assert "retrying at " in first and "(in " in first
    assert proc.returncode == 0, err
    assert f"{OK} ✔ succeeded" in out  # the dashboard's words


def test_follow_sigint_exits_130(cli: Cli, static_sim: ThreadedSim) -> None:
    proc = cli.popen("follow", "--interval", "0.5", "--url", static_sim.url, RUNNING, SLV_PASSWORD="admin")
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()  # wait until it is really following
        assert RUNNING in first and "running" in first
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert "Traceback" not in err


# -- one-line errors, no traceback, nothing requested ------------------------------------------

SECRET_IN_URL = "Url-Pa55-4471"


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert done.stdout == ""
    return lines[0]


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://127.0.0.1:99999/reports", "Port out of range"),
        ("http://127.0.0.1:abc/reports", "'abc'"),
        ("ftp://127.0.0.1/reports", "expected http(s)://host[:port][/path]"),
        ("http:///reports", "expected http(s)://host[:port][/path]"),
        ("http://127.0.0.1/reports?x=1", "no ?query or #fragment"),
        (f"http://admin:{SECRET_IN_URL}@127.0.0.1/reports", "must not hold a user name or password"),
        (f"ftp://admin:{SECRET_IN_URL}@127.0.0.1/reports", "'ftp://***@127.0.0.1/reports'"),
        ("http://127.0.0.1:1/\x7f", "non-printable ASCII character"),  # httpx.InvalidURL
        ("http://xn--.com/", "Malformed A-label"),  # idna.IDNAError
        ("http://ex\u200bample.com/", "Invalid IDNA hostname"),
    ],
)
def test_bad_url_is_a_one_line_usage_error(cli: Cli, static_sim: ThreadedSim, url: str, needle: str) -> None:
    before = static_sim.server.request_count
    line = one_line_error(cli.run("status", "--url", url, OK, SLV_PASSWORD="admin"))
    assert line.startswith("slv-tui: error: invalid server URL") and needle in line
    assert SECRET_IN_URL not in line
    assert static_sim.server.request_count == before


def test_url_surrounding_spaces_are_ignored(cli: Cli, static_sim: ThreadedSim) -> None:
    done = cli.run("status", OK, SLV_URL=f" {static_sim.url}/\n", SLV_PASSWORD="admin")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("token", [" 1481016600181", "1481016600181 ", "+1", "1e3", "١٢٣", ""])
def test_batch_id_is_exactly_digits(cli: Cli, static_sim: ThreadedSim, token: str) -> None:
    before = static_sim.server.request_count
    line = one_line_error(cli.run("status", "--url", static_sim.url, OK, token, SLV_PASSWORD="admin"))
    assert f"invalid batch ID {token!r}" in line
    assert static_sim.server.request_count == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["status"], "slv-tui status: error: the following arguments are required: [PROFILE:]BATCH_ID"),
        (["follow", "--timeout", "inf", OK], "argument --timeout: expected a positive number"),
        (["status", "--interval", "0", OK], "argument --interval: expected a positive number"),
        (["status", "--auth", "digest", OK], "argument --auth: invalid choice: 'digest'"),
        (["status", "--bogus", OK], "unrecognized arguments: --bogus"),
        (["sim", "--port", "70000"], "argument --port: expected a port number from 0 to 65535"),
        (["sim", "--fault-rate", "1.5"], "argument --fault-rate: expected a number from 0 to 1"),
        (["sim", "--latency-ms", "-1"], "argument --latency-ms: expected 0 or more milliseconds"),
        (["stauts", OK], "(or a command: status, follow, check, login, logout, "),
    ],
)
def test_argument_errors_are_one_line(cli: Cli, args: list[str], needle: str) -> None:
    line = one_line_error(cli.run(*args, SLV_PASSWORD="admin", SLV_URL="http://127.0.0.1:9/reports"))
    assert needle in line


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"foo = [\n", "not valid TOML"),
        (b"\xff\xfe[servers]\n", "not valid TOML (not UTF-8 text"),
        (b"servers = 5\n", "servers: expected a table, got 5"),
        (b'[servers.default]\nurl = "http://127.0.0.1:9/r"\ntimeout = inf\n', "timeout: expected a positive"),
        # `password: …` reads as a credential to the redaction of every output (as in the log)
        (b'[servers.default]\nurl = "http://127.0.0.1:9/r"\npassword = "x"\n', "servers.default.password: "),
        (b'[servers.default]\nurl = "http://127.0.0.1:9/r"\nca_bundle = "/nonexistent/ca.pem"\n',
         "servers.default.ca_bundle: no readable file /nonexistent/ca.pem"),
        (b'default_profile = "prod"\n[servers.lab]\nurl = "http://127.0.0.1:9/r"\n',
         "default_profile: no profile 'prod'"),
        (b"a = " + b"[" * 100_000 + b"\n", "not valid TOML (nested too deeply)"),
    ],
)  # fmt: skip
def test_config_errors_are_one_line(cli: Cli, content: bytes, needle: str) -> None:
    cfg = cli.home / "bad.toml"
    cfg.write_bytes(content)
    line = one_line_error(cli.run("status", "--config", str(cfg), OK, SLV_PASSWORD="admin"))
    assert line.startswith(f"slv-tui: error: {cfg}: ") and needle in line


def test_unknown_profile_without_a_config_file_says_so(cli: Cli) -> None:
    line = one_line_error(cli.run("status", "--profile", "prod", OK, SLV_PASSWORD="admin"))
    assert "no profile 'prod': there is no config file" in line
    assert str(cli.home / "config" / "slv-tui" / "config.toml") in line


def test_empty_slv_tui_config_means_unset(cli: Cli, static_sim: ThreadedSim) -> None:
    done = cli.run("status", "--url", static_sim.url, OK, SLV_TUI_CONFIG="", SLV_PASSWORD="admin")
    assert done.returncode == 0, done.stderr


def test_failing_password_command_says_why_without_the_password(cli: Cli, static_sim: ThreadedSim) -> None:
    helper = cli.home / "pw.py"
    helper.write_text(
        "import sys\nprint('Cmd-Pa55-913')\n"
        "print('gpg: decryption failed: No secret key', file=sys.stderr)\nsys.exit(2)\n"
    )
    cfg = cli.home / "cfg.toml"
    cfg.write_text(
        f'[servers.default]\nurl = "{static_sim.url}"\npassword_command = "{sys.executable} {helper}"\n'
    )
    before = static_sim.server.request_count
    line = one_line_error(cli.run("status", "--config", str(cfg), OK))
    assert f"{cfg}: servers.default.password_command: the command failed with exit code 2" in line
    assert "(it said: gpg: decryption failed: No secret key)" in line
    assert "Cmd-Pa55-913" not in line
    assert static_sim.server.request_count == before


def test_python_dash_m_slv_tui(cli: Cli) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "slv_tui", "--version"], env=cli.env, capture_output=True, text=True,
        timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith(f"slv-tui {__version__}")


def test_ctrl_c_at_the_password_prompt_exits_130(cli: Cli, static_sim: ThreadedSim) -> None:
    pty = pytest.importorskip("pty")
    before = static_sim.server.request_count
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover -- the child
        os.execve(sys.executable, [sys.executable, "-m", "slv_tui", "status", "--url", static_sim.url, OK],
                  cli.env)  # fmt: skip
    seen = b""
    try:
        while b"Password for admin" not in seen:
            ready, _, _ = select.select([fd], [], [], 30)
            assert ready, seen
            seen += os.read(fd, 1024)
        os.write(fd, b"\x03")
        _, status_ = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status_) == 130
    assert static_sim.server.request_count == before


# -- output that cannot be written ---------------------------------------------------------------


def test_closed_stdout_exits_quietly(cli: Cli, static_sim: ThreadedSim) -> None:
    large = "1481024400630"  # ~600 kB of JSON: more than any pipe buffer
    proc = cli.popen("status", "--json", "--url", static_sim.url, large, SLV_PASSWORD="admin")
    assert proc.stdout is not None
    proc.stdout.close()  # the reader went away (`| head`)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 141
    assert err == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_unwritable_stdout_is_one_line(cli: Cli, static_sim: ThreadedSim) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "slv_tui", "status", "--url", static_sim.url, OK],
            env={**cli.env, "SLV_PASSWORD": "admin"}, stdin=subprocess.DEVNULL, stdout=full,
            stderr=subprocess.PIPE, text=True, timeout=30, check=False,
        )  # fmt: skip
    assert done.returncode == 74
    assert done.stderr.splitlines() == ["slv-tui: error: cannot write the output: No space left on device"]


# -- follow: what ends it at once, what it retries ---------------------------------------------


def test_follow_html_page_before_any_success_exits_3_at_once(cli: Cli, static_sim: ThreadedSim) -> None:
    static_sim.server.set_fault("html", batch_id=RUNNING)
    try:
        before = static_sim.server.request_count
        done = cli.run("follow", "--json", "--url", static_sim.url, RUNNING, SLV_PASSWORD="admin")
        requests = static_sim.server.request_count - before
    finally:
        static_sim.server.set_fault(None, batch_id=RUNNING)
    assert done.returncode == 3
    assert requests == 1
    (obj,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert obj["error"].startswith("authentication failed: the server answered with an HTML page, not JSON")


def test_follow_refusal_after_a_success_still_exits_3_at_once(cli: Cli, static_sim: ThreadedSim) -> None:
    static_sim.server.set_fault("unauthorized", batch_id=FAILED)
    try:
        before = static_sim.server.request_count
        done = cli.run("follow", "--json", "--url", static_sim.url, OK, FAILED, SLV_PASSWORD="admin")
        requests = static_sim.server.request_count - before
    finally:
        static_sim.server.set_fault(None, batch_id=FAILED)
    assert done.returncode == 3
    assert requests == 2
    objects = {o["batchId"]: o for o in map(json.loads, done.stdout.splitlines())}
    assert objects[OK]["state"] == "succeeded"
    assert objects[FAILED]["error"] == "authentication failed: the server refused the credentials (HTTP 401)"


def test_follow_retries_a_stray_html_page_once_the_login_worked(cli: Cli, static_sim: ThreadedSim) -> None:
    """A proxy page among good answers is not a wrong password: follow retries it (sim's `html` fault)."""
    static_sim.server.set_fault("html", batch_id=FAILED)
    try:
        proc = cli.popen("follow", "--json", "--interval", "2", "--url", static_sim.url, OK, FAILED,
                         SLV_PASSWORD="admin")  # fmt: skip
        assert proc.stderr is not None
        first = proc.stderr.readline()  # the retry notice; the retry itself is >= 1.6 s away
    finally:
        static_sim.server.set_fault(None, batch_id=FAILED)
    out, err = proc.communicate(timeout=30)
    assert f"slv-tui: {FAILED}: authentication failed: the server answered with an HTML page" in first
    assert "retrying at " in first and "(in " in first
    assert proc.returncode == 1, first + err
    states = {o["batchId"]: o["state"] for o in map(json.loads, out.splitlines())}
    assert states == {OK: "succeeded", FAILED: "failed"}


# -- JSON value types, whatever the server sends -------------------------------------------------

COUNTS = {"info": int, "warning": int, "error": int}
MESSAGE_TYPES = {"severity": str, "status": int, "statusText": str, "text": str}


def assert_contract_types(obj: dict[str, object]) -> None:
    """The value types of the documented example object (strings/null where the server may omit)."""
    optional_str = (str, type(None))
    expected: dict[str, type | tuple[type, ...]] = {
        "batchId": str, "server": str, "state": str, "progress": (int, float, type(None)), "running": bool,
        "cancelRequested": bool, "cancelled": bool, "status": optional_str, "errorCode": optional_str,
        "errorCodeLabel": optional_str, "progressMessage": optional_str, "message": optional_str,
        "login": optional_str, "counts": dict, "steps": list, "error": type(None),
    }  # fmt: skip
    assert list(obj) == KEYS
    for key, kind in expected.items():
        assert isinstance(obj[key], kind) and not (kind is int and isinstance(obj[key], bool)), key
    assert obj["state"] in (
        "running",
        "cancelling",
        "cancelled",
        "failed",
        "completed_with_errors",
        "succeeded",
    )
    progress = obj["progress"]
    assert progress is None or (
        isinstance(progress, int | float) and not isinstance(progress, bool) and 0 <= progress <= 100
    )
    counts = obj["counts"]
    assert isinstance(counts, dict) and {k: type(v) for k, v in counts.items()} == COUNTS
    steps = obj["steps"]
    assert isinstance(steps, list)
    for step in steps:
        assert list(step) == ["name", "label", "status", "counts", "messages"]
        assert {k: type(v) for k, v in step["counts"].items()} == COUNTS
        for msg in step["messages"]:
            assert {k: type(v) for k, v in msg.items()} == MESSAGE_TYPES
            assert msg["severity"] in ("info", "warning", "error")


ALL_STATIC = [OK, "1481018818069", RUNNING, CANCELLING, CANCELLED, FAILED, ERRORS, "1481025112006"]


@pytest.mark.parametrize("fault", [None, "wrong_types", "nan"])
def test_status_json_value_types(cli: Cli, static_sim: ThreadedSim, fault: str | None) -> None:
    for batch_id in ALL_STATIC:
        static_sim.server.set_fault(fault, batch_id=batch_id)
    try:
        rc, out, err = status(cli, static_sim, "--json", *ALL_STATIC)
    finally:
        for batch_id in ALL_STATIC:
            static_sim.server.set_fault(None, batch_id=batch_id)
    assert rc == 1, err
    objects = json.loads(out)
    assert [o["batchId"] for o in objects] == ALL_STATIC
    for obj in objects:
        assert_contract_types(obj)


def test_json_stdout_holds_only_json_warnings_go_to_stderr(cli: Cli, static_sim: ThreadedSim) -> None:
    done = cli.run("status", "--json", "--insecure", "--url", static_sim.url, OK, SLV_PASSWORD="admin")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["state"] == "succeeded"
    assert "slv-tui: warning: TLS certificate verification is OFF" in done.stderr


@pytest.mark.skipif(os.name != "posix", reason="file modes and FIFOs are POSIX notions")
@pytest.mark.parametrize("kind", ["world_writable", "fifo", "device"])
def test_a_config_that_is_no_safe_file_is_refused_in_one_line(cli: Cli, kind: str) -> None:
    """As ssh does with such files; a FIFO or /dev/zero as --config used to hang or eat memory."""
    cfg = cli.home / "risky.toml"
    if kind == "world_writable":
        cfg.write_text('[servers.default]\nurl = "http://127.0.0.1:9/r"\npassword_command = "echo x"\n')
        cfg.chmod(0o666)
    elif kind == "fifo":
        os.mkfifo(cfg)
    else:
        cfg.symlink_to("/dev/zero")
    line = one_line_error(cli.run("status", "--config", str(cfg), OK, SLV_PASSWORD="admin", timeout=20))
    needle = "writable by every user" if kind == "world_writable" else "not a regular file"
    assert line.startswith(f"slv-tui: error: {cfg}: ") and needle in line


def test_interval_below_the_floor_is_raised_and_said(cli: Cli, static_sim: ThreadedSim) -> None:
    done = cli.run("follow", "--interval", "1e-9", "--url", static_sim.url, OK, SLV_PASSWORD="admin")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == "slv-tui: note: interval 1e-09 s raised to the 0.5 s floor"


# -- history -----------------------------------------------------------------------------------


def test_follow_records_a_history_from_first_seen_to_succeeded(cli: Cli, fast_sim: ThreadedSim) -> None:
    batch_id = fast_sim.server.start_batch("commission_ok")
    done = cli.run("follow", "--interval", "0.5", "--url", fast_sim.url, batch_id, SLV_PASSWORD="admin")
    assert done.returncode == 0, done.stderr
    shown = cli.run("history", "--json", batch_id)
    assert shown.returncode == 0, shown.stderr
    events = json.loads(shown.stdout)
    assert events[0]["kind"] == "first_seen" and events[0]["state"] == "running"
    assert events[-1]["kind"] == "finished" and events[-1]["state"] == "succeeded"
    assert events[-1]["progress"] == 100
    assert all(e["state"] == "running" for e in events[:-1])
    stamps = [datetime.fromisoformat(e["at"]) for e in events]
    assert all(s.tzinfo is not None and s.utcoffset() == timedelta(0) for s in stamps)
    assert stamps == sorted(stamps)
    human = cli.run("history", batch_id)
    assert human.returncode == 0 and "first seen" in human.stdout and "succeeded" in human.stdout


def test_history_of_an_unknown_batch_says_so(cli: Cli) -> None:
    done = cli.run("history", "--json", "1481099999999")
    assert done.returncode == 1
    assert json.loads(done.stdout) == []
    assert "no history recorded" in done.stderr
    demo = cli.run("history", "--demo", "1481099999999")  # the demo's profile needs no config
    assert demo.returncode == 1 and "no history recorded" in demo.stderr


def test_status_not_found_reads_not_found_not_failed(cli: Cli, static_sim: ThreadedSim) -> None:
    rc, out, err = status(cli, static_sim, "1481099999999")
    assert rc == 3, err
    line = next(line for line in out.splitlines() if line.startswith("1481099999999"))
    assert "not found" in line and "failed" not in line and "605 Batch not found" in line


def test_follow_not_found_gives_up_after_a_few_tries_with_3(cli: Cli, static_sim: ThreadedSim) -> None:
    done = cli.run("follow", "--json", "--interval", "0.05", "--url", static_sim.url, "1481099999999",
                   SLV_PASSWORD="admin")  # fmt: skip
    assert done.returncode == 3, done.stderr
    (obj,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert obj["state"] is None and obj["error"] == "server: 605 Batch not found"
    notes = [line for line in done.stderr.splitlines() if "605 Batch not found" in line]
    assert len(notes) == 3  # try 1 of 3, try 2 of 3 (each with the real next try), then the last word
    assert "(try 1 of 3); retrying at " in notes[0] and "(try 2 of 3)" in notes[1]
    assert all(re.match(r"\d\d:\d\d:\d\d slv-tui: 1481099999999: ", line) for line in notes)


def test_follow_human_lines_label_their_counts(cli: Cli, static_sim: ThreadedSim) -> None:
    done = cli.run("follow", "--url", static_sim.url, OK, SLV_PASSWORD="admin")
    assert done.returncode == 0, done.stderr
    assert "(info 4 · warn 0 · err 0)" in done.stdout and "[4/0/0]" not in done.stdout
