"""`slv-tui commission` and `slv-tui report` as real subprocesses against a threaded simulator."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support.clock import FakeClock

from slv_tui.sim import ThreadedSim
from slv_tui.store.watchlist import Watchlist

from .conftest import Cli

COMMISSION = "/reports/api/controllermanagement/commissionControllerAsync"
DEVICES = "/reports/api/controllermanagement/commissionControllerDevicesListAsync"
ERRORS = "1481023025871"
OK = "1481016600181"
PASSWORD = "pw-not-the-login"
"""Not the user name: a login equal to the password is shown as ******** (it would show the password)."""


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait for a condition the test cannot be told about (a subprocess's requests), failing clearly."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def commissions(sim: ThreadedSim) -> list[tuple[str, str]]:
    return [r for r in sim.server.requests if "controllermanagement" in r[1]]


def watched(cli: Cli, profile: str = "default") -> list[str]:
    path = cli.home / "data" / "slv-tui" / "watchlists" / f"{profile}.json"
    return [e.batch_id for e in Watchlist(path).load()]


def test_yes_starts_prints_and_adds_the_batch_to_the_watchlist(cli: Cli) -> None:
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        done = cli.run("commission", "--url", sim.url, "CTRL-7", "--yes", "--what", "config,schedules",
                       SLV_PASSWORD=PASSWORD)  # fmt: skip
        new = [b for b in sim.server.batch_ids() if b not in (ERRORS, OK)][-1]
        posted = commissions(sim)
    assert done.returncode == 0, done.stderr
    assert posted == [("POST", COMMISSION)]
    assert done.stdout.startswith(f"started {new} ▶ running")
    assert f"batch {new} added to the watchlist" in done.stderr
    assert new in watched(cli)


def test_device_list_variant_with_json(cli: Cli) -> None:
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        done = cli.run("commission", "--url", sim.url, "CTRL-7", "--device", "Lamp-1", "--device", "Lamp-2",
                       "--yes", "--json", extra=["-X", "importtime"], SLV_PASSWORD=PASSWORD)  # fmt: skip
        posted = commissions(sim)
    assert done.returncode == 0, done.stderr
    assert "slv_tui.commands.commission" in done.stderr and "textual" not in done.stderr
    obj = json.loads(done.stdout)
    assert obj["state"] == "running" and obj["error"] is None and obj["login"] == "admin"
    assert obj["server"] == "default"  # the profile, as in status --json
    assert obj["batchId"].isdigit() and obj["batchId"] in watched(cli)
    assert posted == [("POST", DEVICES)]


def test_without_a_terminal_and_without_yes_nothing_is_sent(cli: Cli) -> None:
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        done = cli.run("commission", "--url", sim.url, "CTRL-7", SLV_PASSWORD=PASSWORD)
        assert list(sim.server.requests) == []
    assert done.returncode == 2
    assert "not confirmed" in done.stderr and "--yes" in done.stderr
    assert done.stdout == "" and watched(cli) == []


@pytest.mark.parametrize("how", ["option", "profile"])
def test_read_only_exits_2_without_a_request(cli: Cli, how: str) -> None:
    config = cli.home / "config.toml"
    config.write_text("[servers.default]\nread_only = true\n" if how == "profile" else "")
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        extra = ["--read-only"] if how == "option" else []
        done = cli.run("commission", "--config", str(config), "--url", sim.url, "CTRL-7", "--yes", *extra,
                       SLV_PASSWORD=PASSWORD)  # fmt: skip
        assert list(sim.server.requests) == []
    assert done.returncode == 2
    assert "read-only" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--what", "config,lamps"], "unknown part 'lamps'"),
        (["--what", ""], "unknown part"),
        (["--device", "a\x1b[31mb"], "invalid device ID"),
    ],
)
def test_bad_arguments_exit_2_without_a_request(cli: Cli, args: list[str], needle: str) -> None:
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        done = cli.run("commission", "--url", sim.url, "CTRL-7", "--yes", *args, SLV_PASSWORD=PASSWORD)
        assert list(sim.server.requests) == []
    assert done.returncode == 2 and needle in done.stderr
    assert "\x1b" not in done.stderr


def test_a_refusal_exits_1_with_the_server_label_and_adds_nothing(cli: Cli) -> None:
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        before = sim.server.batch_ids()
        done = cli.run("commission", "--url", sim.url, "unknown-controller", "--yes", SLV_PASSWORD=PASSWORD)
        assert sim.server.batch_ids() == before
    assert done.returncode == 1
    assert "the server refused: 601 Controller not found" in done.stderr
    assert done.stdout == "" and watched(cli) == []


def test_unreachable_server_exits_3(cli: Cli, closed_port: int) -> None:
    done = cli.run("commission", "--url", f"http://127.0.0.1:{closed_port}/reports", "C", "--yes",
                   SLV_PASSWORD=PASSWORD)  # fmt: skip
    assert done.returncode == 3 and "connection failed" in done.stderr


def test_wrong_password_exits_3(cli: Cli) -> None:
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        done = cli.run("commission", "--url", sim.url, "CTRL-7", "--yes", SLV_PASSWORD="wrong")
        assert commissions(sim) in ([], [("POST", COMMISSION)])
    assert done.returncode == 3 and "authentication failed" in done.stderr


def test_csrf_server_gets_the_session_headers(cli: Cli) -> None:
    with ThreadedSim(scenario="static", auth="csrf", password="pw") as sim:
        done = cli.run("commission", "--url", sim.url, "CTRL-7", "--yes", "--json", SLV_PASSWORD="pw")
        posted, basic, handed_out = commissions(sim), sim.server.basic_in_session, sim.server.handed_out
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] == "running"
    assert posted == [("POST", COMMISSION)]  # accepted at once: cookie and CSRF token were sent
    assert basic == 0
    for secret in (*handed_out, "pw"):
        assert secret not in done.stdout + done.stderr


def test_follow_follows_the_new_batch_to_the_end(cli: Cli) -> None:
    clock = FakeClock()
    with ThreadedSim(scenario="static", clock=clock, password=PASSWORD) as sim:
        proc = cli.popen("commission", "--url", sim.url, "CTRL-7", "--yes", "--follow", "--json",
                         "--interval", "0.5", SLV_PASSWORD=PASSWORD)  # fmt: skip
        try:
            wait_until(lambda: sim.server.request_count >= 1, "the first poll of the new batch")
            clock.now += 100  # the 20 s commissioning is over
            out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0]["state"] == "running" and lines[-1]["state"] == "succeeded"
    assert {line["batchId"] for line in lines} == {lines[0]["batchId"]}
    assert {line["server"] for line in lines} == {"default"}
    assert [s["name"] for s in lines[-1]["steps"]] == [
        "check", "controllerConfig", "calendars", "devices", "commissioning",
    ]  # fmt: skip


def test_report_on_stdout_one_after_another(cli: Cli) -> None:
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        done = cli.run(
            "report", "--url", sim.url, ERRORS, OK, extra=["-X", "importtime"], SLV_PASSWORD=PASSWORD
        )
    assert done.returncode == 0, done.stderr
    assert "slv_tui.commands.report" in done.stderr and "textual" not in done.stderr
    first, second = done.stdout.split(f"# SLV batch {OK}")
    assert first.startswith(f"# SLV batch {ERRORS}")
    assert "| State | completed_with_errors |" in first and "| Started by | admin |" in first
    assert "| 2 | Commissioning | 2 | 20 | 1 | 2 |" in first
    assert "## Warnings and errors (3)" in first
    assert r"- **error** (ERROR): Lamp-0311 \@ controller CTRL-TOULOUSE-09" in first
    assert "| First seen | — |" in first
    assert "## Warnings and errors (0)" in second and "None." in second


def test_report_to_a_file_and_an_unknown_batch(cli: Cli) -> None:
    target = cli.home / "out" / "report.md"
    target.parent.mkdir()
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        done = cli.run("report", "--url", sim.url, "--output", str(target), ERRORS, "1481099999999",
                       SLV_PASSWORD=PASSWORD)  # fmt: skip
    assert done.returncode == 3  # one batch could not be fetched; its report says why
    assert done.stdout == ""
    assert f"report written to {target}" in done.stderr
    text = target.read_text()
    assert "| State | completed_with_errors |" in text
    assert "| Error | server: 605 Batch not found |" in text
    assert [p.name for p in target.parent.iterdir()] == ["report.md"]  # no temp file left


def test_hostile_server_text_stays_inert_in_the_report(cli: Cli, tmp_path: Path) -> None:
    hostile = "x|y`z`[a](http://e.vil)<img src=x>*b*_i_\x1b]8;;http://e.vil\x07\x1b[31m~~s~~&lt;#h"
    clock = FakeClock()
    with ThreadedSim(scenario="static", clock=clock, password=PASSWORD) as sim:
        batch = sim.server.start_batch("errors", params={"controller": hostile})
        clock.now += 100
        done = cli.run("report", "--url", sim.url, batch, SLV_PASSWORD=PASSWORD)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "\x1b" not in out and "\x07" not in out
    line = next(x for x in out.splitlines() if x.startswith("- **error**"))
    inert = r"x\|y\`z\`\[a\](http\:/\/e\.vil)\<img src=x\>\*b\*\_i\_\~\~s\~\~\&lt;\#h"
    assert line.startswith(r"- **error** (ERROR): Lamp-0311 \@ controller " + inert), line
    for row in (x for x in out.splitlines() if x.startswith("|")):
        assert row.replace("\\|", "").count("|") in (3, 7), row  # no cell was split by server text


def _on_a_terminal(cli: Cli, sim: ThreadedSim, answer: bytes, *args: str) -> tuple[int, str, str]:
    """Run `commission` with stdin and stderr on a pseudo-terminal, answer the question, return
    (exit code, stdout, everything the terminal showed)."""
    pty = pytest.importorskip("pty")  # POSIX only
    import os
    import subprocess
    import sys

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "slv_tui.cli", "commission", "--url", sim.url, *args],
        env={**cli.env, "SLV_PASSWORD": PASSWORD}, stdin=slave, stderr=slave, stdout=subprocess.PIPE,
        text=False,
    )  # fmt: skip
    os.close(slave)
    shown = b""
    try:
        while b"[y/N]" not in shown:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the process ended without asking
                chunk = b""
            assert chunk, (proc.wait(timeout=30), shown)
            shown += chunk
        assert commissions(sim) == []  # nothing is sent before the answer
        os.write(master, answer)
        out, _ = proc.communicate(timeout=30)
        try:
            while chunk := os.read(master, 4096):
                shown += chunk
        except OSError:  # the terminal closed with the process
            pass
    finally:
        proc.kill()
        os.close(master)
    return proc.returncode, out.decode(), shown.decode(errors="replace")


@pytest.mark.parametrize(("answer", "code"), [(b"y\n", 0), (b"\n", 2), (b"no\n", 2)])
def test_the_question_on_a_terminal(cli: Cli, answer: bytes, code: int) -> None:
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        rc, out, shown = _on_a_terminal(cli, sim, answer, "CTRL-7", "--what", "devices")
        posted = commissions(sim)
    assert rc == code, shown
    question = shown.split("[y/N]")[0]
    assert "start commissionControllerAsync controller 'CTRL-7' (flags=4: OLCs / devices)" in question
    assert f"on {sim.url} as admin (profile default)?" in question
    assert posted == ([("POST", COMMISSION)] if code == 0 else [])
    assert out.startswith("started ") if code == 0 else out == ""


def test_report_takes_its_times_from_the_recorded_history(cli: Cli) -> None:
    """`follow` records the batch's timeline; `report` of the same profile shows its first seen time."""
    with ThreadedSim(scenario="static", password=PASSWORD) as sim:
        followed = cli.run("follow", "--url", sim.url, OK, SLV_PASSWORD=PASSWORD)
        done = cli.run("report", "--url", sim.url, OK, SLV_PASSWORD=PASSWORD)
    assert followed.returncode == 0, followed.stderr
    assert done.returncode == 0, done.stderr
    first_seen = next(line for line in done.stdout.splitlines() if line.startswith("| First seen |"))
    assert first_seen != "| First seen | — |" and "20" in first_seen  # an ISO 8601 time of this century
