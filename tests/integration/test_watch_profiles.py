"""`slv-tui watch` over several profiles, as the dashboard takes them, against two real simulators
(one basic, one csrf session, each its own password): one Board per profile, every JSON line names
its server, one /metrics for both, each profile's own [notify] and watchlist file, SIGTERM exit 0."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from slv_tui.sim import ThreadedSim
from slv_tui.store.events import EventLog, events_dir
from slv_tui.store.watchlist import Watchlist

from .conftest import Cli
from .test_notify import Receiver
from .test_watch import FAILED, OK, RUNNING, Lines, free_port, scrape, value, wait_for

HOOK_SECRET = "Lb-7Qx2-h00kT0ken"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()
    yield got
    got.stop()


def setup(
    cli: Cli, lab: ThreadedSim, prod: ThreadedSim, extra: str = ""
) -> tuple[Path, Watchlist, Watchlist]:
    """Two profiles (stall after 1 s, interval 0.5 s); lab watches FAILED and RUNNING, prod OK and
    FAILED."""
    config = cli.home / "config.toml"
    config.write_text(
        f'{extra}[servers.lab]\nurl = "{lab.url}"\npassword_command = "echo labpw"\nstall_after = 1\n'
        f'interval = 0.5\n\n[servers.prod]\nurl = "{prod.url}"\npassword_command = "echo prodpw"\n'
        "interval = 0.5\n"
    )
    folder = cli.home / "data" / "slv-tui" / "watchlists"
    folder.mkdir(parents=True)
    lab_list, prod_list = Watchlist(folder / "lab.json"), Watchlist(folder / "prod.json")
    lab_list.add([FAILED, RUNNING], "lab line")
    prod_list.add([OK, FAILED], "prod line")
    return config, lab_list, prod_list


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert "Traceback" not in err
    return err


def test_two_profiles_one_board_each_one_metrics_own_notify_and_reload(
    cli: Cli, lab: ThreadedSim, prod: ThreadedSim, receiver: Receiver
) -> None:
    url = f"json://hook:{HOOK_SECRET}@127.0.0.1:{receiver.port}/hook"
    config, lab_list, prod_list = setup(cli, lab, prod)
    with config.open("a") as file:  # only lab notifies
        file.write(f'\n[servers.lab.notify]\nurls = ["{url}"]\n')
    port = free_port()
    # the plain-ID server's variables name neither profile: with several, each resolves on its own
    proc = cli.popen(
        "watch", "--config", str(config), "--profile", "lab", "--profile", "prod",
        "--metrics-listen", f"127.0.0.1:{port}", SLV_PASSWORD="admin", SLV_URL="http://127.0.0.1:9/x",
    )  # fmt: skip
    lines = Lines(proc)
    try:
        wait_for(
            lambda: (
                any(e["event"] == "failed" and e["server"] == "prod" for e in lines.items)
                and any(e["event"] == "stalled" and e["server"] == "lab" for e in lines.items)
            ),
            "failed on prod and stalled on lab",
        )
        by_server = {(e["server"], e["event"], e.get("batchId")) for e in lines.items}
        assert {("lab", "server_up", None), ("prod", "server_up", None)} <= by_server
        assert {("lab", "failed", FAILED), ("prod", "failed", FAILED), ("prod", "succeeded", OK)} <= by_server
        assert ("lab", "stalled", RUNNING) in by_server and ("prod", "stalled", RUNNING) not in by_server
        assert {e["server"] for e in lines.items} == {"lab", "prod"}

        samples = wait_for(
            lambda: (s := scrape(port)) and value(s, "slv_up", server="prod") == 1 and s, "metrics"
        )
        assert isinstance(samples, dict)
        assert value(samples, "slv_up", server="lab") == 1
        assert value(samples, "slv_batch_state", server="prod", batch=OK, state="succeeded") == 1
        assert value(samples, "slv_batch_state", server="lab", batch=OK, state="succeeded") is None
        assert value(samples, "slv_batch_state", server="lab", batch=FAILED, state="failed") == 1
        assert value(samples, "slv_requests_total", server="lab", outcome="ok")
        assert value(samples, "slv_requests_total", server="prod", outcome="ok")

        # lab's own [notify] only: one notification, naming lab; prod's failure is not sent
        wait_for(lambda: receiver.mentions(FAILED), "lab's notification")
        assert all("on lab" in body["title"] for body in receiver.bodies)

        new = prod.server.start_batch("commission_ok")  # prod's file changes: only prod watches it
        prod_list.add([new])
        wait_for(
            lambda: value(scrape(port), "slv_batch_info", server="prod", batch=new) == 1, "the new batch"
        )
        assert value(scrape(port), "slv_batch_info", server="lab", batch=new) is None
        before = {p: p.read_bytes() for p in (lab_list.path, prod_list.path)}
    finally:
        if proc.poll() is None:
            err = stop(proc)
        proc.wait(10)
    assert {p: p.read_bytes() for p in before} == before
    for written in (cli.home / "data").rglob("*.json*"):  # every file written parses whole
        if written.suffix == ".lock":
            continue
        text = written.read_text()
        rows = text.splitlines() if written.suffix == ".jsonl" else [text]
        assert all(json.loads(row) is not None for row in rows if row)
    assert HOOK_SECRET not in err and "labpw" not in err and "prodpw" not in err
    feed, _ = EventLog(events_dir(cli.home / "data" / "slv-tui")).read_counted()
    stalls = [(r["server"], r["kind"], r["batchId"]) for r in feed if r["kind"] == "stalled"]
    assert stalls == [("lab", "stalled", RUNNING)]  # the watcher's Board stall, in the event feed
    assert all(HOOK_SECRET not in json.dumps(e) for e in lines.items)


def both_up(lines: Lines) -> bool:
    return {e["server"] for e in lines.items if e["event"] == "server_up"} == {"lab", "prod"}


def test_dashboard_profiles_of_the_config_and_all_profiles(
    cli: Cli, lab: ThreadedSim, prod: ThreadedSim
) -> None:
    config, _, _ = setup(cli, lab, prod, extra='[dashboard]\nprofiles = ["prod", "lab"]\n\n')
    for argv in ([], ["--all-profiles"]):
        proc = cli.popen("watch", "--config", str(config), *argv)
        lines = Lines(proc)
        try:
            wait_for(partial(both_up, lines), f"both servers up ({argv})")
        finally:
            if proc.poll() is None:
                stop(proc)
            proc.wait(10)


def test_several_profiles_refuse_one_servers_options(cli: Cli, lab: ThreadedSim, prod: ThreadedSim) -> None:
    config, _, _ = setup(cli, lab, prod)
    for argv, says in (
        (["--all-profiles", "--profile", "lab"], "--all-profiles and --profile"),
        (["--profile", "lab", "--profile", "prod", "--user", "x"], "--user and --auth"),
        (["--profile", "lab", "--profile", "prod", "--url", lab.url], "--url names one server"),
    ):
        done = cli.run("watch", "--config", str(config), *argv)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and says in done.stderr, argv
