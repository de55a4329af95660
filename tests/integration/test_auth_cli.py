"""`status`, `follow`, `check`, `login` and `logout` as real subprocesses against the simulator in
every login mode: no --auth needed, dying sessions, secrets never printed or logged."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reliability.hostile import HostileServer, Reply, batch_body
from support.clock import FakeClock
from support.tls import self_signed

from slv_tui.sim import ThreadedSim

from .conftest import Cli

OK = "1481016600181"
FAILED = "1481021896034"
RUNNING = "1481019204417"
PASSWORD = "S3ss10n-Pa55-w0rd"
TOKEN = "Bearer-T0ken-9f8e7d"
TESTS = Path(__file__).resolve().parents[1]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait for a condition another process brings about (fails loudly, never sleeps-and-hopes)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def all_output(cli: Cli, *done: object) -> str:
    texts = [getattr(d, "stdout", "") + getattr(d, "stderr", "") for d in done]
    logs = [p.read_text(errors="replace") for p in cli.home.rglob("*.log*")]
    return "".join(texts + logs)


def test_status_on_a_csrf_server_with_a_session_dying_mid_run(cli: Cli) -> None:
    with ThreadedSim(scenario="static", auth="csrf", password=PASSWORD) as sim:
        sim.server.expire_sessions_after(2)
        ids = [OK, FAILED, RUNNING, "1481021145590", "1481023025871"]
        done = cli.run("status", "--json", "--debug", "--url", sim.url, *ids, SLV_PASSWORD=PASSWORD)
        handed_out = sim.server.handed_out
        handshakes = sim.server.handshakes
    assert done.returncode == 1, done.stderr  # FAILED is failed: every batch was read
    assert [o["error"] for o in json.loads(done.stdout)] == [None] * 5
    assert handshakes == 2  # the probe, and one fresh handshake for the three refused calls
    assert len(handed_out) >= 4  # two cookies and two tokens
    log = cli.log_file.read_text()
    assert "body of batchId" in log and "login mode detected: csrf session" in log
    everything = all_output(cli, done)
    for secret in (*handed_out, PASSWORD):
        assert secret not in everything


def test_follow_on_a_csrf_server_whose_sessions_die_every_three_calls(cli: Cli) -> None:
    clock = FakeClock()
    with ThreadedSim(
        scenario="static", auth="csrf", password=PASSWORD, session_max_uses=3, clock=clock
    ) as sim:
        batch = sim.server.start_batch("failed_plain")
        proc = cli.popen("follow", "--debug", "--interval", "0.5", "--url", sim.url, batch,
                         SLV_PASSWORD=PASSWORD)  # fmt: skip
        try:
            wait_until(lambda: sim.server.request_count >= 7, "seven polls (two dead sessions)")
            clock.advance(100)  # the batch ends: failed, with a plain string as its reason
            out, err = proc.communicate(timeout=30)
        finally:
            proc.kill()
        requests, handshakes, handed_out = (
            sim.server.request_count,
            sim.server.handshakes,
            sim.server.handed_out,
        )
    assert proc.returncode == 1, err
    assert "slv-tui:" not in err  # no retry notes: a dead session is not a failure
    last = out.strip().splitlines()[-1]
    assert "failed" in last and "Connection error Connect to localhost:80" in last
    assert handshakes <= requests // 3 + 1  # at most one handshake per dead session
    assert handshakes >= 3
    everything = out + err + cli.log_file.read_text()
    for secret in (*handed_out, PASSWORD):
        assert secret not in everything


@pytest.mark.parametrize("mode", ["basic", "form"])
def test_status_without_auth_option_on_older_servers(cli: Cli, mode: str) -> None:
    with ThreadedSim(scenario="static", auth=mode, password=PASSWORD, session_max_uses=2) as sim:
        done = cli.run("status", "--debug", "--url", sim.url, OK, RUNNING, SLV_PASSWORD=PASSWORD)
        handed_out = sim.server.handed_out
    assert done.returncode == 0, done.stderr
    assert (
        f"login mode detected: {'basic' if mode == 'basic' else 'form session'}" in cli.log_file.read_text()
    )
    for secret in (*handed_out, PASSWORD):
        assert secret not in all_output(cli, done)


def test_bearer_with_slv_token_and_no_auth_option(cli: Cli) -> None:
    with ThreadedSim(scenario="static", auth="bearer", token=TOKEN) as sim:
        done = cli.run("status", "--json", "--debug", "--url", sim.url, OK, SLV_TOKEN=TOKEN)
        wrong = cli.run(
            "status", "--json", "--auth", "bearer", "--url", sim.url, OK, SLV_TOKEN="nope-" + TOKEN
        )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["state"] == "succeeded"
    assert wrong.returncode == 3
    assert (
        json.loads(wrong.stdout)[0]["error"]
        == "authentication failed: the server refused the credentials (HTTP 401)"
    )
    assert TOKEN not in all_output(cli, done, wrong)


def test_bearer_without_a_token_is_a_usage_error(cli: Cli) -> None:
    done = cli.run("status", "--auth", "bearer", "--url", "http://127.0.0.1:9/reports", OK)
    assert done.returncode == 2
    assert "no token given: set SLV_TOKEN, run 'slv-tui login'" in done.stderr


def test_token_command_is_used_like_password_command(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    script = tmp_path / "token.py"
    script.write_text(f"print({TOKEN!r})\n")

    with ThreadedSim(scenario="static", auth="bearer", token=TOKEN) as sim:
        config.write_text(
            f'[servers.default]\nurl = "{sim.url}"\nauth = "bearer"\n'
            f"token_command = {json.dumps(sys.executable + ' ' + str(script))}\n"
        )
        done = cli.run("status", "--config", str(config), OK)
    assert done.returncode == 0, done.stderr
    assert TOKEN not in all_output(cli, done)


# -- check -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "label", "detected"),
    [("basic", "basic", True), ("form", "form session", True), ("csrf", "csrf session", True),
     ("bearer", "bearer token", False)],
)  # fmt: skip
def test_check_in_each_mode(cli: Cli, mode: str, label: str, detected: bool) -> None:
    with ThreadedSim(scenario="static", auth=mode, password=PASSWORD, token=TOKEN, username="ops") as sim:
        secret: Any = {"SLV_TOKEN": TOKEN} if mode == "bearer" else {"SLV_PASSWORD": PASSWORD}
        done = cli.run("check", "--json", "--user", "ops", "--url", sim.url, **secret)
        human = cli.run("check", "--user", "ops", "--url", sim.url, **secret)
        handed_out = sim.server.handed_out
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["batchesReadable"] is True and report["reachable"] is True
    assert report["auth"]["mode"] == mode and report["auth"]["detected"] is detected
    assert report["user"] == "ops" and report["problems"] == [] and report["error"] is None
    assert report["tls"] == {"used": False, "verified": None, "detail": "not used (plain http)"}
    assert isinstance(report["rttMs"], float)
    assert human.returncode == 0
    assert f"login      {label} (" in human.stdout and "user       ops" in human.stdout
    assert human.stdout.rstrip().endswith("ok: slv-tui can read batches from this server")
    for secret_value in (*handed_out, PASSWORD, TOKEN):
        assert secret_value not in all_output(cli, done, human)


def test_check_with_the_user_name_as_password_redacts_it_and_says_why(cli: Cli) -> None:
    """A user name that is the password is the password: it is redacted like everywhere else (no
    output ever shows a secret), and the line says why, so the operator can fix it."""
    same = "operator-4711"
    with ThreadedSim(scenario="static", auth="basic", password=same, username=same) as sim:
        human = cli.run("check", "--user", same, "--url", sim.url, SLV_PASSWORD=same)
    assert human.returncode == 0, human.stdout + human.stderr
    (line,) = [line for line in human.stdout.splitlines() if line.startswith("user ")]
    assert line.split()[1] == "********" and same not in human.stdout + human.stderr
    assert "it holds the password; choose another password" in line


def test_check_wrong_password(cli: Cli) -> None:
    with ThreadedSim(scenario="static", auth="csrf", password=PASSWORD) as sim:
        done = cli.run("check", "--json", "--url", sim.url, SLV_PASSWORD="Wr0ng-" + PASSWORD)
        human = cli.run("check", "--url", sim.url, SLV_PASSWORD="Wr0ng-" + PASSWORD)
    assert done.returncode == 3 and human.returncode == 3
    report = json.loads(done.stdout)
    assert report["ok"] is False and report["reachable"] is True and report["auth"]["mode"] is None
    assert report["error"] == "authentication failed: the server refused the credentials (HTTP 401)"
    (problem,) = report["problems"]
    assert problem["advice"].startswith("check the user name (--user) and the password (SLV_PASSWORD")
    assert "advice: check the user name" in human.stdout and "not ok:" in human.stdout
    assert PASSWORD not in all_output(cli, done, human)


def test_check_tls_error(cli: Cli, tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    with HostileServer(Reply(body=batch_body()), tls=context) as server:
        done = cli.run("check", "--json", "--url", server.url, SLV_PASSWORD=PASSWORD)
    assert done.returncode == 3
    report = json.loads(done.stdout)
    assert (
        report["reachable"] is False and report["tls"]["used"] is True and report["tls"]["verified"] is False
    )
    assert report["tls"]["detail"].startswith("failed: certificate verification failed")
    assert "ca_bundle" in report["problems"][0]["advice"]


def test_check_closed_port_and_missing_url(cli: Cli, closed_port: int) -> None:
    done = cli.run("check", "--url", f"http://127.0.0.1:{closed_port}/reports", SLV_PASSWORD=PASSWORD)
    assert done.returncode == 3
    assert "reachable  no" in done.stdout and "refused the connection" in done.stdout
    assert "advice: check the URL (host and port)" in done.stdout
    usage = cli.run("check", SLV_PASSWORD=PASSWORD)
    assert usage.returncode == 2 and "no server URL" in usage.stderr


# -- login / logout ------------------------------------------------------------------------------


def run_input(cli: Cli, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line with `text` on its stdin (a pipe, not a terminal)."""
    return subprocess.run(
        [sys.executable, "-m", "slv_tui.cli", *args], env=cli.env, input=text,
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def keyring_env(tmp_path: Path) -> dict[str, str]:
    """A file keyring for the child processes (never the developer's real one)."""
    return {
        "PYTHON_KEYRING_BACKEND": "support.memkeyring.FileKeyring",
        "PYTHONPATH": str(TESTS),
        "SLV_TEST_KEYRING": str(tmp_path / "keyring.json"),
    }


def test_login_then_status_then_logout(cli: Cli, tmp_path: Path) -> None:
    env = keyring_env(tmp_path)
    with ThreadedSim(scenario="static", auth="csrf", password=PASSWORD) as sim:
        cli.env.update(env)
        login = run_input(cli, PASSWORD + "\n", "login", "--stdin", "--url", sim.url)
        assert login.returncode == 0, login.stderr
        assert "password for admin (profile default) kept in the keyring" in login.stderr
        status = cli.run("status", "--url", sim.url, OK)  # no SLV_PASSWORD: the keyring has it
        assert status.returncode == 0, status.stderr
        env_wins = cli.run("status", "--url", sim.url, OK, SLV_PASSWORD="Wr0ng-" + PASSWORD)
        assert env_wins.returncode == 3  # the environment comes before the keyring
        logout = cli.run("logout")
        again = cli.run("logout")
        after = cli.run("status", "--url", sim.url, OK)
    assert logout.returncode == 0 and "forgot the password of admin (profile default)" in logout.stderr
    assert again.returncode == 0 and "nothing was kept" in again.stderr
    assert after.returncode == 2 and "no password" in after.stderr
    assert json.loads((tmp_path / "keyring.json").read_text()) == {}
    assert PASSWORD not in all_output(cli, login, status, env_wins, logout, again, after)


def test_login_token_for_bearer(cli: Cli, tmp_path: Path) -> None:
    cli.env.update(keyring_env(tmp_path))
    with ThreadedSim(scenario="static", auth="bearer", token=TOKEN) as sim:
        login = run_input(cli, TOKEN + "\n", "login", "--token", "--stdin")
        status = cli.run("status", "--auth", "bearer", "--url", sim.url, OK)
    assert login.returncode == 0 and "token for admin" in login.stderr
    assert status.returncode == 0, status.stderr
    assert json.loads((tmp_path / "keyring.json").read_text()) == {"slv-tui/default:admin:token": TOKEN}


def test_login_without_a_keyring_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.env.update(keyring_env(tmp_path), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    login = run_input(cli, PASSWORD + "\n", "login", "--stdin")
    logout = cli.run("logout")
    for done in (login, logout):
        assert done.returncode == 2
        (line,) = done.stderr.splitlines()
        assert "no system keyring is available here" in line
    assert not (tmp_path / "keyring.json").exists()


def test_login_without_a_terminal_or_stdin_option(cli: Cli, tmp_path: Path) -> None:
    cli.env.update(keyring_env(tmp_path))
    done = cli.run("login")
    assert done.returncode == 2 and "pipe it in with --stdin" in done.stderr
