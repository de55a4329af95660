"""ThreadedSim (background thread) and run_sim (foreground `slv-tui sim`)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

import httpx
import pytest

from slv_tui.sim import ThreadedSim, run_sim

OK = {"batchId": "1481016600181", "ser": "json"}


def fetch(url: str) -> httpx.Response:
    return httpx.get(url + "/api/batch/getBatchResult", params=OK, auth=("admin", "admin"))


def test_threaded_sim_serves_and_stops() -> None:
    with ThreadedSim(scenario="static") as sim:
        assert sim.url == f"http://127.0.0.1:{sim.port}/reports"
        assert sim.server.url == sim.url
        assert fetch(sim.url).json()["batchId"] == "1481016600181"
        url = sim.url
    with pytest.raises(httpx.ConnectError):
        fetch(url)


def test_threaded_sim_restart_on_same_port() -> None:
    sim = ThreadedSim(scenario="static")
    url = sim.start()
    port = sim.port
    with httpx.Client(auth=("admin", "admin")) as client:  # keep-alive across the restart
        get = client.get(url + "/api/batch/getBatchResult", params=OK)
        assert get.status_code == 200
        batch_id = sim.server.start_batch()
        sim.stop()
        with pytest.raises(httpx.TransportError):
            client.get(url + "/api/batch/getBatchResult", params=OK)
        sim.restart()
        assert sim.port == port and sim.url == url
        again = client.get(url + "/api/batch/getBatchResult", params={"batchId": batch_id, "ser": "json"})
        assert again.json()["batchId"] == batch_id  # batches survive a restart
    sim.stop()
    sim.stop()  # idempotent


def test_threaded_sim_controls_from_test_thread() -> None:
    with ThreadedSim(scenario="static", auth="form") as sim, httpx.Client() as c:
        c.get(sim.url + "/auth.json")
        c.post(sim.url + "/j_security_check", data={"j_username": "admin", "j_password": "admin"})
        assert c.get(sim.url + "/api/batch/getBatchResult", params=OK).status_code == 200
        sim.server.set_fault("unavailable")
        assert c.get(sim.url + "/api/batch/getBatchResult", params=OK).status_code == 503
        sim.server.set_fault(None)
        sim.server.expire_sessions()
        r = c.get(sim.url + "/api/batch/getBatchResult", params=OK)
        assert r.headers["Content-Type"].startswith("text/html")
        assert sim.server.request_count == 3


def test_threaded_sim_port_in_use() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(OSError):
            ThreadedSim(scenario="static").start(port=busy.getsockname()[1])


def test_run_sim_port_taken(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert run_sim(port=port, scenario="static") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"127.0.0.1:{port}" in err


def test_run_sim_bad_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_sim(port=0, scenario="no-such-scenario") == 2
    assert "no-such-scenario" in capsys.readouterr().err


@pytest.mark.parametrize("port", [-1, 65536, 70000])
def test_run_sim_port_out_of_range(capsys: pytest.CaptureFixture[str], port: int) -> None:
    assert run_sim(port=port, scenario="static") == 2
    err = capsys.readouterr().err
    assert err == f"slv-tui sim: port {port} is out of range (0 to 65535)\n"


def test_run_sim_serves_until_ctrl_c() -> None:
    code = "from slv_tui.sim import run_sim; raise SystemExit(run_sim(port=0, password='hunter2'))"
    with subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            assert line.startswith("slv-tui sim: serving scenario 'demo' at http://127.0.0.1:")
            assert "(auth basic, user admin); Ctrl-C to stop" in line
            assert "hunter2" not in line
            url = line.split(" at ", 1)[1].split(" ", 1)[0]
            ids = proc.stderr.readline()  # the IDs it serves, to paste into slv-tui
            assert ids.startswith("slv-tui sim: ") and " batch IDs: " in ids and "1481016600181" in ids
            r = httpx.get(url + "/api/batch/getBatchResult", params=OK, auth=("admin", "hunter2"))
            assert r.json()["batchId"] == "1481016600181"
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=10) == 0
            assert proc.stderr.read() == ""
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_sim_command_line_serves_csrf_with_dying_sessions() -> None:
    argv = [sys.executable, "-m", "slv_tui.cli", "sim", "--port", "0", "--scenario", "static",
            "--auth", "csrf", "--session-requests", "1"]  # fmt: skip
    with subprocess.Popen(argv, stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            assert "(auth csrf, user admin); Ctrl-C to stop" in line
            url = line.split(" at ", 1)[1].split(" ", 1)[0]
            with httpx.Client() as c:
                fetch = {"X-CSRF-Token": "Fetch", "X-Requested-With": "XMLHttpRequest"}
                shake = c.get(url + "/api/userprofile/getCurrentUser", headers=fetch, auth=("admin", "admin"))
                session = {"X-CSRF-Token": shake.headers["X-CSRF-Token"]}
                first = c.get(url + "/api/batch/getBatchResult", params=OK, headers=session)
                second = c.get(url + "/api/batch/getBatchResult", params=OK, headers=session)
            assert (first.status_code, second.status_code) == (200, 403)  # one call per session
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_sim_help_documents_every_option() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "slv_tui.cli", "sim", "--help"], capture_output=True, text=True, check=True
    )
    text = " ".join(done.stdout.split())
    options = ("--host", "--port", "--scenario", "--latency-ms", "--fault-rate", "--auth", "--user",
               "--password", "--token", "--session-requests")  # fmt: skip
    described = text.split("options:", 1)[1]
    for option in options:
        assert option in described, option
    assert described.count("(default:") == len(options)  # each described, with its default
    assert "user admin and the password admin" in text and "batch IDs it serves" in text
