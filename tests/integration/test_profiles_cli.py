"""`PROFILE:ID`: the script commands against two real simulators (one basic, one csrf session) that
serve the same batch IDs, each profile with its own login; JSON objects name their server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slv_tui.sim import ThreadedSim

from .conftest import Cli

OK = "1481016600181"
FAILED = "1481021896034"
RUNNING = "1481019204417"


def write_config(cli: Cli, lab: ThreadedSim, prod: ThreadedSim, *, prod_password: bool = True) -> Path:
    config = cli.home / "config.toml"
    prod_secret = 'password_command = "echo prodpw"\n' if prod_password else ""
    config.write_text(
        f'[servers.lab]\nurl = "{lab.url}"\npassword_command = "echo labpw"\n\n'
        f'[servers.prod]\nurl = "{prod.url}"\n{prod_secret}'
    )
    return config


def test_the_same_id_on_two_servers_gives_two_objects_naming_their_server(
    cli: Cli, lab: ThreadedSim, prod: ThreadedSim
) -> None:
    config = write_config(cli, lab, prod)
    before = lab.server.request_count, prod.server.request_count
    done = cli.run("status", "--json", "--config", str(config), f"lab:{OK}", f"prod:{OK}")
    assert done.returncode == 0, done.stderr
    objects = json.loads(done.stdout)
    assert [(o["batchId"], o["server"], o["state"]) for o in objects] == [
        (OK, "lab", "succeeded"),
        (OK, "prod", "succeeded"),
    ]
    assert list(objects[0])[:3] == ["batchId", "server", "state"]
    # each server was asked, each with its own login (the csrf one found by the probe)
    assert lab.server.request_count > before[0] and prod.server.request_count > before[1]


def test_plain_ids_use_the_profile_given_and_exit_codes_cover_every_server(
    cli: Cli, lab: ThreadedSim, prod: ThreadedSim
) -> None:
    config = write_config(cli, lab, prod)
    done = cli.run("status", "--json", "--config", str(config), "--profile", "lab", OK, f"prod:{FAILED}")
    assert done.returncode == 1, done.stderr  # the failed batch on prod counts
    objects = json.loads(done.stdout)
    assert [(o["server"], o["state"]) for o in objects] == [("lab", "succeeded"), ("prod", "failed")]
    table = cli.run("status", "--config", str(config), "--profile", "lab", OK, f"prod:{OK}")
    assert table.returncode == 0, table.stderr
    rows = table.stdout.splitlines()[1:]
    assert rows[0].startswith(f"lab:{OK} ") and rows[1].startswith(f"prod:{OK} ")


def test_a_plain_id_without_profiles_names_the_default_server(cli: Cli, lab: ThreadedSim) -> None:
    done = cli.run("status", "--json", "--url", lab.url, OK, SLV_PASSWORD="labpw")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["server"] == "default"


@pytest.mark.parametrize(
    ("token", "needle"),
    [
        (f"nope:{OK}", "servers.nope: no such profile (defined: lab, prod)"),
        ("http://127.0.0.1:8080/reports", "looks like a URL, not a batch ID"),
        (f"12:{OK}", "expected 1 to 19 digits, or PROFILE:ID"),
        (f":{OK}", "expected 1 to 19 digits, or PROFILE:ID"),
        ("lab:12x", "'lab:12x': invalid batch ID '12x'"),
    ],
)
def test_a_bad_target_is_one_line_and_exit_2_before_any_request(
    cli: Cli, lab: ThreadedSim, prod: ThreadedSim, token: str, needle: str
) -> None:
    config = write_config(cli, lab, prod)
    before = lab.server.request_count, prod.server.request_count
    done = cli.run("status", "--config", str(config), f"lab:{OK}", token)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("slv-tui: error: ") and needle in line, line
    assert (lab.server.request_count, prod.server.request_count) == before


def test_one_servers_password_is_never_sent_to_another(cli: Cli, lab: ThreadedSim, prod: ThreadedSim) -> None:
    """SLV_PASSWORD is for the --profile server; prod has no password source of its own: exit 2."""
    config = write_config(cli, lab, prod, prod_password=False)
    before = lab.server.request_count, prod.server.request_count
    done = cli.run(
        "status", "--config", str(config), "--profile", "lab", OK, f"prod:{OK}", SLV_PASSWORD="labpw"
    )
    assert done.returncode == 2
    assert "no password for profile 'prod'" in done.stderr and "labpw" not in done.stderr
    assert (lab.server.request_count, prod.server.request_count) == before


def test_follow_report_and_history_take_profile_ids(cli: Cli, lab: ThreadedSim, prod: ThreadedSim) -> None:
    config = write_config(cli, lab, prod)
    follow = cli.run("follow", "--json", "--config", str(config), f"lab:{OK}", f"prod:{FAILED}")
    assert follow.returncode == 1, follow.stderr  # finished batches: at once, the failed one counts
    lines = [json.loads(line) for line in follow.stdout.splitlines()]
    assert sorted((o["server"], o["batchId"], o["state"]) for o in lines) == [
        ("lab", OK, "succeeded"),
        ("prod", FAILED, "failed"),
    ]
    history = cli.run("history", "--json", "--config", str(config), f"prod:{FAILED}")
    assert history.returncode == 0, history.stderr
    events = json.loads(history.stdout)
    assert events and all(e["server"] == "prod" for e in events)
    assert cli.run("history", "--config", str(config), f"lab:{FAILED}").returncode == 1  # not on lab
    report = cli.run("report", "--config", str(config), f"lab:{OK}", f"prod:{OK}")
    assert report.returncode == 0, report.stderr
    assert f"{lab.url} (profile lab)" in report.stdout and f"{prod.url} (profile prod)" in report.stdout
    assert report.stdout.count(f"# SLV batch {OK}") == 2
