"""`slv-tui commission --csv FILE` and `commission CONTROLLER_ID --scheduler ID` as real subprocesses."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from support.clock import FakeClock

from slv_tui.sim import ThreadedSim
from slv_tui.store.watchlist import Watchlist

from .conftest import Cli

IMPORT = "/reports/api/loggingmanagement/importDevicesFromCsvFileAsync"
SCHEDULER = "/reports/api/dimmingscheduler/commissionControllersSchedulers"
CSV = "controllerStrId,idOnController,name\nCTRL-1,lamp 1,Lamp one\nCTRL-1,L2,Lamp two\n"


def starts(sim: ThreadedSim) -> list[tuple[str, str]]:
    return [r for r in sim.server.requests if "management/" in r[1] or "dimmingscheduler" in r[1]]


def watched(cli: Cli) -> list[tuple[str, str]]:
    path = cli.home / "data" / "slv-tui" / "watchlists" / "default.json"
    return [(e.batch_id, e.label) for e in Watchlist(path).load()]


def csv_file(cli: Cli, text: str = CSV, name: str = "devices.csv") -> Path:
    path = cli.home / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_import_starts_prints_and_joins_the_watchlist(cli: Cli) -> None:
    path = csv_file(cli)
    with ThreadedSim(scenario="static") as sim:
        done = cli.run("commission", "--url", sim.url, "--csv", str(path), "--yes", SLV_PASSWORD="admin")
        posted, started = starts(sim), list(sim.server.started)
    assert done.returncode == 0, done.stderr
    assert posted == [("POST", IMPORT)]
    fields = ["controllerStrId", "idOnController", "name"]
    assert started == [("import_devices", {"fields": fields, "rows": 2, "refused": 0})]
    new = done.stdout.split()[1]
    assert done.stdout.startswith(f"started {new} ▶ running")
    assert watched(cli) == [(new, "import devices.csv")]
    assert f"batch {new} added to the watchlist" in done.stderr


def test_scheduler_commissioning_with_json(cli: Cli) -> None:
    with ThreadedSim(scenario="static", password="pw-not-the-user") as sim:  # a login equal to it is redacted
        done = cli.run("commission", "--url", sim.url, "CTRL 7", "--scheduler", "12", "--yes", "--json",
                       extra=["-X", "importtime"], SLV_PASSWORD="pw-not-the-user")  # fmt: skip
        posted, started = starts(sim), list(sim.server.started)
    assert done.returncode == 0, done.stderr
    assert "slv_tui.commands.commission" in done.stderr and "textual" not in done.stderr
    obj = json.loads(done.stdout)
    assert obj["state"] == "running" and obj["error"] is None and obj["login"] == "admin"
    assert posted == [("GET", SCHEDULER)]
    assert started == [("commission_scheduler", {"controller": "CTRL 7", "scheduler": "12"})]
    assert watched(cli) == [(obj["batchId"], "CTRL 7")]


@pytest.mark.parametrize("auth", ["csrf", "form"])
@pytest.mark.parametrize("kind", ["csv", "scheduler"])
def test_session_logins_are_accepted_at_once(cli: Cli, auth: str, kind: str) -> None:
    args = ["--csv", str(csv_file(cli))] if kind == "csv" else ["CTRL-7", "--scheduler", "3"]
    with ThreadedSim(scenario="static", auth=auth, password="pw") as sim:
        done = cli.run("commission", "--url", sim.url, *args, "--yes", SLV_PASSWORD="pw")
        posted, handed_out = starts(sim), sim.server.handed_out
    assert done.returncode == 0, done.stderr
    assert posted == [("POST", IMPORT) if kind == "csv" else ("GET", SCHEDULER)]
    for secret in (*handed_out, "pw"):
        assert secret not in done.stdout + done.stderr


def test_a_missing_csv_file_is_a_usage_error_before_any_request(cli: Cli) -> None:
    with ThreadedSim(scenario="static") as sim:
        done = cli.run("commission", "--url", sim.url, "--csv", str(cli.home / "nope.csv"), "--yes",
                       SLV_PASSWORD="admin")  # fmt: skip
        assert list(sim.server.requests) == []
    assert done.returncode == 2
    assert done.stderr == f"slv-tui: error: {cli.home / 'nope.csv'}: no such file\n"
    assert done.stdout == "" and watched(cli) == []


def test_unfit_csv_files_are_refused_in_one_line(cli: Cli) -> None:
    big = cli.home / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)
    empty = csv_file(cli, "\n\n", "empty.csv")
    cases = {big: "larger than 10 MiB", cli.home: "not a regular file", empty: "the CSV file is empty"}
    with ThreadedSim(scenario="static") as sim:
        for path, needle in cases.items():
            done = cli.run("commission", "--url", sim.url, "--csv", str(path), "--yes", SLV_PASSWORD="admin")
            assert done.returncode == 2, (path, done.stderr)
            assert needle in done.stderr and done.stderr.count("\n") == 1, done.stderr
            assert "Traceback" not in done.stderr
        assert list(sim.server.requests) == []


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--csv", "FILE", "CTRL-1"], "--csv takes no CONTROLLER_ID"),
        (["--csv", "FILE", "--what", "config"], "--csv takes no"),
        (["--csv", "FILE", "--scheduler", "1"], "--csv takes no"),
        ([], "no CONTROLLER_ID given (or --csv FILE"),
        (["CTRL-1", "--scheduler", "12a"], "invalid scheduler ID '12a'"),
        (["CTRL-1", "--scheduler", "1", "--device", "L1"], "--scheduler takes no --what or --device"),
        (["CTRL-1", "--scheduler", "1", "--what", "config"], "--scheduler takes no"),
    ],
)
def test_bad_combinations_exit_2_without_a_request(cli: Cli, args: list[str], needle: str) -> None:
    path = str(csv_file(cli))
    with ThreadedSim(scenario="static") as sim:
        args = [path if a == "FILE" else a for a in args]
        done = cli.run("commission", "--url", sim.url, *args, "--yes", SLV_PASSWORD="admin")
        assert list(sim.server.requests) == []
    assert done.returncode == 2 and needle in done.stderr, done.stderr


@pytest.mark.parametrize("how", ["option", "profile"])
@pytest.mark.parametrize("kind", ["csv", "scheduler"])
def test_read_only_refuses_without_a_request(cli: Cli, how: str, kind: str) -> None:
    config = cli.home / "config.toml"
    config.write_text("[servers.default]\nread_only = true\n" if how == "profile" else "")
    args = ["--csv", str(csv_file(cli))] if kind == "csv" else ["CTRL-7", "--scheduler", "3"]
    with ThreadedSim(scenario="static") as sim:
        extra = ["--read-only"] if how == "option" else []
        done = cli.run("commission", "--config", str(config), "--url", sim.url, *args, "--yes", *extra,
                       SLV_PASSWORD="admin")  # fmt: skip
        assert list(sim.server.requests) == []
    assert done.returncode == 2
    assert "read-only" in done.stderr and "Traceback" not in done.stderr and watched(cli) == []


def test_without_a_terminal_and_without_yes_nothing_is_sent(cli: Cli) -> None:
    with ThreadedSim(scenario="static") as sim:
        done = cli.run("commission", "--url", sim.url, "--csv", str(csv_file(cli)), SLV_PASSWORD="admin")
        assert list(sim.server.requests) == []
    assert done.returncode == 2 and "not confirmed" in done.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--csv", "BAD"], "the server refused: 602 Invalid CSV file: Unknown field 'colour' in the header"),
        (["unknown-3", "--scheduler", "4"], "the server refused: 601 Controller not found"),
    ],
)
def test_a_refusal_exits_1_with_its_reason_and_adds_nothing(cli: Cli, args: list[str], needle: str) -> None:
    bad = csv_file(cli, "controllerStrId,idOnController,colour\nC,L,red\n", "bad.csv")
    with ThreadedSim(scenario="static") as sim:
        args = [str(bad) if a == "BAD" else a for a in args]
        done = cli.run("commission", "--url", sim.url, *args, "--yes", SLV_PASSWORD="admin")
        assert sim.server.started == []
    assert done.returncode == 1, done.stderr
    assert needle in done.stderr and done.stdout == "" and watched(cli) == []


def test_follow_an_import_to_its_end(cli: Cli) -> None:
    path = csv_file(cli, CSV + "unknown-9,L3,Lamp three\n")
    clock = FakeClock()
    with ThreadedSim(scenario="static", clock=clock) as sim:
        proc = cli.popen("commission", "--url", sim.url, "--csv", str(path), "--yes", "--follow", "--json",
                         "--interval", "0.5", SLV_PASSWORD="admin")  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while sim.server.request_count < 1:  # the first poll of the new batch (a subprocess)
                assert time.monotonic() < deadline, "the new batch was never polled"
                time.sleep(0.02)
            clock.now += 100  # the import is over
            out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
    assert proc.returncode == 1, err  # completed with errors: one row named an unknown controller
    last = json.loads(out.splitlines()[-1])
    assert last["state"] == "completed_with_errors" and last["counts"]["error"] == 1
    assert [s["name"] for s in last["steps"]] == ["check", "row1", "row2", "row3", "import"]


def test_help_names_both_kinds(cli: Cli) -> None:
    done = cli.run("commission", "--help")
    text = " ".join(done.stdout.split())
    assert done.returncode == 0
    for needle in ("--scheduler SCHEDULER_ID", "commissionControllersSchedulers", "--csv FILE",
                   "importDevicesFromCsvFileAsync", "at most 10 MiB"):  # fmt: skip
        assert needle in text, needle
