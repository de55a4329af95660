"""The event feed end to end: `watch` and `follow` record what happened (a batch seen, an outage and
its recovery, a failure) and `slv-tui events` lists it in order, filtered by severity and server."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from typing import Any

import pytest

from slv_tui.sim import ThreadedSim
from slv_tui.store.watchlist import Watchlist

from .conftest import Cli
from .test_watch import Lines, wait_for

FAILED = "1481021896034"


class ManualClock:
    """The simulator's clock, moved by the test: a batch fails exactly when the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sim_clock() -> ManualClock:
    return ManualClock()


PASSWORD = "Feed-Pa55"


@pytest.fixture
def sim(sim_clock: ManualClock) -> Iterator[ThreadedSim]:
    # A password other than the user name: output redacts a password wherever it shows, the
    # "login" field (the user who started a batch) included.
    with ThreadedSim(scenario="static", clock=sim_clock, password=PASSWORD) as server:
        yield server


def events(cli: Cli, *args: str) -> list[dict[str, Any]]:
    done = cli.run("events", "--json", *args)
    assert done.returncode == 0, done.stderr
    records: list[dict[str, Any]] = json.loads(done.stdout)
    return records


def test_a_failure_an_outage_and_a_recovery_are_listed_in_order(
    cli: Cli, sim: ThreadedSim, sim_clock: ManualClock
) -> None:
    batch_id = sim.server.start_batch("failed")  # runs 35 s on the simulator's clock, then fails
    config = cli.home / "config.toml"
    config.write_text(f'[servers.lab]\nurl = "{sim.url}"\ninterval = 0.5\n')
    path = cli.home / "data" / "slv-tui" / "watchlists" / "lab.json"
    path.parent.mkdir(parents=True)
    Watchlist(path).add([batch_id])
    proc = cli.popen("watch", "--config", str(config), "--profile", "lab", SLV_PASSWORD=PASSWORD)
    lines = Lines(proc)
    try:
        wait_for(lambda: lines.has("state", batch_id), "the running batch")
        port = sim.port
        sim.stop()
        wait_for(lambda: lines.has("server_down"), "the outage")
        sim.start("127.0.0.1", port)
        # watch prints server_up at its start too: the recovery is the one after the outage
        wait_for(lambda: [e["event"] for e in lines.items][-1:] == ["server_up"], "the recovery")
        sim_clock.now += 100
        wait_for(lambda: lines.has("failed", batch_id), "the failure")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)

    records = events(cli)
    assert all(r["server"] == "lab" for r in records)
    kinds = [r["kind"] for r in records if r["kind"] != "login_mode"]
    assert kinds == ["first_seen", "server_down", "server_up", "failed"], json.dumps(records, indent=0)
    first, down, _up, failed = (r for r in records if r["kind"] != "login_mode")
    assert first["batchId"] == batch_id and first["state"] == "running" and first["login"] == "admin"
    assert down["severity"] == "error" and "connection" in down["text"]
    assert failed["batchId"] == batch_id and failed["severity"] == "error" and failed["previous"] == "running"
    assert failed["text"] == "Controller not connected"
    assert [r["at"] for r in records] == sorted(r["at"] for r in records)
    # filters: problems only, one server, a time window
    assert [r["kind"] for r in events(cli, "--severity", "error")] == ["server_down", "failed"]
    assert events(cli, "--server", "prod") == []
    assert len(events(cli, "--since", "1h")) == len(records)
    human = cli.run("events", "--severity", "warning")
    assert human.returncode == 0 and len(human.stdout.splitlines()) == 2
    assert "server unreachable" in human.stdout and f"failed                 {batch_id}" in human.stdout


def test_follow_records_once_and_a_restart_does_not_repeat_it(cli: Cli, sim: ThreadedSim) -> None:
    for _ in range(2):
        done = cli.run("follow", "--url", sim.url, FAILED, SLV_PASSWORD=PASSWORD)
        assert done.returncode == 1, done.stderr
    records = [r for r in events(cli) if r["kind"] != "login_mode"]
    assert [(r["server"], r["kind"], r.get("batchId")) for r in records] == [
        ("default", "first_seen", FAILED),
        ("default", "failed", FAILED),
    ]


def test_a_torn_or_foreign_line_is_skipped_and_counted(cli: Cli, sim: ThreadedSim) -> None:
    assert cli.run("follow", "--url", sim.url, FAILED, SLV_PASSWORD=PASSWORD).returncode == 1
    feed = cli.home / "data" / "slv-tui" / "events" / "events.jsonl"
    assert feed.stat().st_mode & 0o777 == 0o600 and feed.parent.stat().st_mode & 0o777 == 0o700
    good = feed.read_bytes()
    foreign = b'{"at":"2026-01-01T00:00:00","server":"x","kind":"failed","severity":"error"}\n'  # no zone
    feed.write_bytes(good + foreign + b'{"at": "2026-01-01T00:00:00.000Z", "server": "x", "ki')
    done = cli.run("events", "--json")
    assert done.returncode == 0
    assert "2 unreadable line(s) in the event feed skipped" in done.stderr
    assert len(json.loads(done.stdout)) == len(good.splitlines())
    # the next record starts on a line of its own, after the torn one
    assert cli.run("follow", "--url", sim.url, "1481016600181", SLV_PASSWORD=PASSWORD).returncode == 0
    assert any(r.get("batchId") == "1481016600181" for r in events(cli))


def test_a_bad_since_is_a_usage_error(cli: Cli) -> None:
    done = cli.run("events", "--since", "yesterday")
    assert done.returncode == 2
    assert done.stderr.startswith("slv-tui: error: --since: expected an age like 90s") and done.stdout == ""


def test_an_empty_feed_is_no_error(cli: Cli) -> None:
    assert events(cli) == []
    done = cli.run("events")
    assert done.returncode == 0 and "no events" in done.stderr


def test_commissioning_started_names_who_and_from_which_profile(cli: Cli, sim: ThreadedSim) -> None:
    done = cli.run("commission", "--url", sim.url, "CTRL-7", "--yes", SLV_PASSWORD=PASSWORD)
    assert done.returncode == 0, done.stderr
    (started,) = [r for r in events(cli) if r["kind"] == "commission_started"]
    assert started["server"] == "default" and started["user"] == "admin" and started["controller"] == "CTRL-7"
    assert started["batchId"] in sim.server.batch_ids() and started["text"] == sim.url
