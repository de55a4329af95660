"""Security-probe reproductions not covered elsewhere: a dripping form login, a 400-digit number under
`follow`, local files and locks, a world-writable config, invisible characters on the dashboard,
bad inputs that used to give tracebacks or hangs, and multi-line passwords, BOMs and tiny intervals.

Every server is real (stdlib or the simulator on 127.0.0.1) and `slv-tui` runs as a subprocess
except where the dashboard is driven through Textual's pilot. Time bounds are generous (3-10x what
is expected) and lower bounds only ever get easier on a slow machine.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.locks import lock_held_elsewhere

from slv_tui.sim import ThreadedSim
from slv_tui.store import files
from slv_tui.store.watchlist import Watchlist

from .conftest import child_env, cli_argv, run_cli
from .drip import DRIP_BYTES, DripServer, wait_until
from .hostile import HostileServer, Reply, batch_body
from .hostilecases import record

BATCH = "1481016600181"
POSIX = os.name == "posix"
posix_only = pytest.mark.skipif(not POSIX, reason="modes, FIFOs and devices are POSIX notions")


def one_line_usage_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, f"exit {done.returncode}, expected the usage error 2: {done.stderr}"
    assert "Traceback" not in done.stderr, f"a traceback instead of one line: {done.stderr}"
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {done.stderr}"
    return lines[0]


# -- 3: the deadline covers the form login -------------------------------------------------------


def test_form_login_timeout_bounds_a_dripping_auth_json(tmp_path: Path) -> None:
    """auth.json dripped one byte every 0.5 s (100 s in all): `--timeout 2` ends the login."""
    every = 0.5
    with DripServer({"": "body"}, every=every) as srv:  # auth.json carries no batchId
        started = time.monotonic()
        done = run_cli(
            tmp_path, "status", "--auth", "form", "--timeout", "2", "--url", srv.url, BATCH, SLV_PASSWORD="pw"
        )
        took = time.monotonic() - started
    assert done.returncode == 3, done.stdout + done.stderr
    assert "timeout" in done.stdout and "Traceback" not in done.stderr, done.stdout + done.stderr
    bound = DRIP_BYTES * every / 4
    assert took < bound, f"form login was not bounded by --timeout 2: {took:.1f} s (bound {bound:.0f} s)"
    record(3, f"form login dripped: exit 3 after {took:.1f} s with `--timeout 2` (bound {bound:.0f} s)")


# -- 5: follow on a 400-digit number -------------------------------------------------------------


def test_follow_ends_on_a_400_digit_number(tmp_path: Path) -> None:
    """Before: an OverflowError on every round, retried for ever. Now: the batch is read and ends."""
    huge = "7" * 400
    body = batch_body(BATCH, batchProgressValue=100, cancelRequested=0)
    body = body.replace(b'"batchProgressValue": 100', f'"batchProgressValue": {huge}'.encode())
    body = body.replace(b'"cancelRequested": 0', f'"cancelRequested": {huge}'.encode())
    assert body.count(huge.encode()) == 2
    with HostileServer(Reply(body=body)) as server:
        started = time.monotonic()
        done = run_cli(
            tmp_path, "follow", "--json", "--url", server.url, BATCH, SLV_PASSWORD="pw", timeout=60
        )
        took = time.monotonic() - started
        requests = server.requests
    assert done.returncode == 0, f"follow exit {done.returncode}: {done.stderr}"
    assert "Traceback" not in done.stderr and "OverflowError" not in done.stderr, done.stderr
    (line,) = done.stdout.splitlines()
    obj = json.loads(line)
    assert obj["state"] == "succeeded" and obj["progress"] is None, obj
    # one login probe (`--auth auto`) and the batch: no retry of a finished batch
    assert requests <= 2, f"follow asked {requests} times for a finished batch (retrying?)"
    record(
        5, f"`follow`: exit 0 after {requests} requests (login probe, batch) in {took:.1f} s, progress null"
    )


# -- 7: local files and locks -------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@posix_only
def test_local_files_are_private_and_locks_never_hang(tmp_path: Path) -> None:
    path = tmp_path / "data" / "slv-tui" / "watchlists" / "default.json"
    Watchlist(path).add([BATCH])
    lock = path.with_name("default.json.lock")
    modes = {p.name: oct(mode(p)) for p in (path.parent, path.parent.parent, path, lock)}
    assert modes == {"watchlists": "0o700", "slv-tui": "0o700", "default.json": "0o600",
                     "default.json.lock": "0o600"}, f"readable by other users: {modes}"  # fmt: skip

    # a symlinked lock planted by someone else: refused, its target untouched
    other = tmp_path / "other" / "watchlists" / "default.json"
    other.parent.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    other.with_name("default.json.lock").symlink_to(victim)
    planted = Watchlist(other)
    planted.add(["1"])
    assert planted.problem is not None and "symbolic link" in planted.problem, planted.problem
    assert victim.read_text() == "precious", "the symlinked lock was followed"

    # a lock another process holds for ever: given up after the short timeout, with one line
    with lock_held_elsewhere(lock):
        held = Watchlist(path)
        started = time.monotonic()
        held.add(["2"])
        took = time.monotonic() - started
    bound = 5 * files.LOCK_TIMEOUT
    assert took < bound, f"a held lock blocked for {took:.1f} s (timeout {files.LOCK_TIMEOUT} s)"
    assert held.problem is not None and "another slv-tui process holds" in held.problem
    assert "\n" not in held.problem
    record(7, f"modes 0700/0600; symlinked lock refused; a held lock given up after {took:.1f} s"
              f" (timeout {files.LOCK_TIMEOUT:.0f} s, bound {bound:.0f} s)")  # fmt: skip


# -- 9: a world-writable config -----------------------------------------------------------------


@posix_only
def test_a_world_writable_config_is_refused_and_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "the-command-ran"
    script = tmp_path / "password.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('x')\nprint('pw')\n")
    command = f"{sys.executable} {script}"
    with HostileServer(Reply(body=batch_body(BATCH))) as server:
        config = tmp_path / "shared.toml"
        config.write_text(f"[servers.default]\nurl = \"{server.url}\"\npassword_command = '{command}'\n")
        config.chmod(0o666)
        done = run_cli(tmp_path, "status", "--config", str(config), BATCH)
        assert server.requests == 0, "a request was sent with a config every user may write"
        config.chmod(0o600)  # the same file, private: it is used (so the refusal is about the mode)
        used = run_cli(tmp_path, "status", "--config", str(config), BATCH)
    line = one_line_usage_error(done)
    assert "writable by every user" in line and str(config) in line, line
    assert used.returncode == 0 and marker.exists(), used.stderr
    reason = line.split(f"{config}: ", 1)[-1]
    record(9, f"exit {done.returncode}: `shared.toml: {reason}`; command not run, 0 requests")


# -- 10: invisible characters on the dashboard --------------------------------------------------

INVISIBLE = (
    "\u200b\u2060\u2061\u2064\u206a\u206f\ufff9\ufffa\ufffb\u00ad\u180e\u3164"
    + "".join(chr(c) for c in range(0xE0020, 0xE0080))  # tag characters: ASCII smuggled invisibly
)


def _sprinkle(text: str) -> str:
    """`text` with every invisible character put between its letters."""
    out = []
    for index, char in enumerate(text):
        out.append(char + INVISIBLE[index % len(INVISIBLE) :: 7])
    return "".join(out)


async def test_invisible_characters_never_reach_the_dashboard(tmp_path: Path) -> None:
    pytest.importorskip("textual")
    from .pilot_helpers import build, screen_text, wait_for

    batch = "1000000000001"
    texts = {"login": "Operator", "progress": "Tagging", "step": "StepAlpha", "error": "ErrBeta"}
    scenario = {
        "frozen": False,
        "batches": [
            {
                "id": batch, "start": 0, "duration": 100000, "login": _sprinkle(texts["login"]),
                "progress_messages": [[0, _sprinkle(texts["progress"])]], "outcome": "failed",
                "steps": [{"name": "s1", "label": _sprinkle(texts["step"]), "at": 0, "messages": [
                    {"at": 0, "severity": "error", "text": _sprinkle(texts["error"])},
                ]}],
            }
        ],
    }  # fmt: skip
    sent = sum(_sprinkle(t).count(c) for t in texts.values() for c in INVISIBLE)
    assert {c for t in texts.values() for c in _sprinkle(t)} >= set(INVISIBLE)  # every one is sent
    path = tmp_path / "invisible.json"
    path.write_text(json.dumps(scenario))
    with ThreadedSim(scenario=str(path)) as sim:
        stack = build(sim.url, tmp_path, ids=[batch])
        async with stack.app.run_test(size=(160, 45)) as pilot:
            app = stack.app
            hidden = str.maketrans("", "", INVISIBLE)  # wait on the letters, whatever lies between them
            await wait_for(
                pilot, lambda: all(t in screen_text(app).translate(hidden) for t in texts.values())
            )
            text = screen_text(app)
        await stack.client.aclose()
    shown = [f"U+{ord(c):04X}" for c in text if c in INVISIBLE]
    assert shown == [], f"invisible characters reached the dashboard: {shown}"
    record(10, f"0 of {sent} invisible characters sent by the server reached the screen")


# -- 11: inputs that gave tracebacks or hangs -----------------------------------------------------


def _one_line_case(home: Path, *args: str) -> tuple[str, float]:
    started = time.monotonic()
    done = run_cli(home, *args, SLV_PASSWORD="pw", timeout=60)
    took = time.monotonic() - started
    return one_line_usage_error(done), took


def test_bad_inputs_are_one_line_usage_errors_that_never_hang(tmp_path: Path) -> None:
    lines: dict[str, str] = {}
    slowest = 0.0
    for name, url, needle in (
        ("DEL in --url", "http://127.0.0.1:1/\x7f", "non-printable"),
        ("--url xn--.com", "http://xn--.com/", "Malformed A-label"),
    ):
        line, took = _one_line_case(tmp_path, "status", "--url", url, BATCH)
        assert line.startswith("slv-tui: error: invalid server URL") and needle in line, line
        lines[name], slowest = line, max(slowest, took)

    # a non-PEM CA bundle for the dashboard (no subcommand): refused before any screen opens
    bundle = tmp_path / "not-a-ca.pem"
    bundle.write_text("this is not a certificate\n")
    config = tmp_path / "tls.toml"
    config.write_text(f'[servers.default]\nurl = "https://127.0.0.1:9/reports"\nca_bundle = "{bundle}"\n')
    line, took = _one_line_case(tmp_path, "--config", str(config))
    assert "ca_bundle" in line and "cannot load it" in line, line
    lines["non-PEM ca_bundle"], slowest = line, max(slowest, took)

    if POSIX:
        fifo = tmp_path / "fifo.toml"
        os.mkfifo(fifo)  # nobody writes: opening it for reading would block for ever
        zero = tmp_path / "zero.toml"
        zero.symlink_to("/dev/zero")  # endless bytes: read whole, a MemoryError
        for name, path in (("FIFO as --config", fifo), ("/dev/zero as --config", zero)):
            line, took = _one_line_case(tmp_path, "status", "--config", str(path), BATCH)
            assert "not a regular file" in line, line
            lines[name], slowest = line, max(slowest, took)
    bound = 20.0
    assert slowest < bound, f"an input error took {slowest:.1f} s (hang?), bound {bound:.0f} s"
    record(11, f"{len(lines)} bad inputs ({', '.join(lines)}): exit 2, one line each, slowest"
               f" {slowest:.1f} s (bound {bound:.0f} s)")  # fmt: skip


# -- 12: multi-line password_command, BOM, interval floor --------------------------------------


def test_password_command_first_line_and_a_bom(tmp_path: Path) -> None:
    printer = tmp_path / "pass_show.py"  # what `pass show` prints: the password, then notes
    printer.write_text("print('the-right-one')\nprint('login: admin')\nprint('url: https://cms')\n")
    with ThreadedSim(scenario="static", password="the-right-one") as sim:
        config = tmp_path / "config.toml"
        config.write_text(
            f"[servers.default]\nurl = \"{sim.url}\"\npassword_command = '{sys.executable} {printer}'\n"
        )
        done = run_cli(tmp_path, "status", "--json", "--config", str(config), BATCH)
    assert done.returncode == 0, f"multi-line password_command output was not cut to its first line: {done}"
    assert json.loads(done.stdout)[0]["state"] == "succeeded"

    with HostileServer(Reply(body=b"\xef\xbb\xbf" + batch_body(BATCH))) as server:
        bom = run_cli(tmp_path, "status", "--json", "--url", server.url, BATCH, SLV_PASSWORD="pw")
    assert bom.returncode == 0, f"a UTF-8 BOM before the JSON was refused: {bom.stdout} {bom.stderr}"
    assert json.loads(bom.stdout)[0]["state"] == "succeeded"
    record(12, "3-line `password_command`: logged in (exit 0); BOM before JSON: parsed (exit 0)")


def test_interval_floor_bounds_the_request_rate(tmp_path: Path) -> None:
    """`--interval 1e-9` made ~175 requests/s; the 0.5 s floor allows 2/s."""
    body = batch_body(BATCH, batchRunning=True, batchProgressValue=40)
    with HostileServer(Reply(body=body)) as server:
        proc = subprocess.Popen(
            cli_argv("follow", "--interval", "1e-9", "--url", server.url, BATCH),
            env=child_env(tmp_path, SLV_PASSWORD="pw", PYTHONUNBUFFERED="1"),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            wait_until(lambda: server.requests >= 2, timeout=60)  # the login probe, the first round
            first = time.monotonic()
            wait_until(lambda: server.requests >= 6, timeout=60)  # four rounds later
            took = time.monotonic() - first
        finally:
            proc.kill()
            _, err = proc.communicate(timeout=30)
    rate = 4 / took
    assert took >= 4 * 0.5 * 0.75, f"4 rounds in {took:.2f} s: {rate:.0f} requests/s, the 0.5 s floor is gone"
    assert "raised to the 0.5 s floor" in err.splitlines()[0], err
    record(12, f"`--interval 1e-9`: {rate:.1f} requests/s (was ~175/s; at most 2/s)")
