"""`slv-tui watch` as a real subprocess against the simulator: events, metrics, reload, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from slv_tui.sim import ThreadedSim
from slv_tui.store.watchlist import Watchlist

from .conftest import Cli

OK = "1481016600181"
RUNNING = "1481019204417"
CANCELLED = "1481021145590"
FAILED = "1481021896034"
ERRORS = "1481023025871"
MISSING = "1481099999999"
DEADLINE = 20.0


def watch_files(cli: Cli, server: str, ids: list[str], label: str = "") -> tuple[Path, Watchlist]:
    """The config (`server`: the lines of its [servers.default] table, then any other tables) and the
    default watchlist holding `ids` that `slv-tui watch --config CONFIG` reads under `cli.home`."""
    config = cli.home / "config.toml"
    config.write_text(f"[servers.default]\n{server}\n")
    path = cli.home / "data" / "slv-tui" / "watchlists" / "default.json"
    path.parent.mkdir(parents=True)
    watchlist = Watchlist(path)
    watchlist.add(ids, label)
    return config, watchlist


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_for(check: Callable[[], object], what: str, deadline: float = DEADLINE) -> object:
    """Poll `check` until it returns something truthy, failing after `deadline` seconds."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Lines:
    """The watcher's stdout lines, read by a thread as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.items: list[dict[str, object]] = []
        assert proc.stdout is not None
        stdout = proc.stdout
        self.thread = threading.Thread(target=self._read, args=(stdout,), daemon=True)
        self.thread.start()

    def _read(self, stdout: object) -> None:
        for line in stdout:  # type: ignore[attr-defined]
            self.items.append(json.loads(line))

    def has(self, event: str, batch_id: str | None = None) -> bool:
        return any(
            e["event"] == event and (batch_id is None or e.get("batchId") == batch_id) for e in self.items
        )


def scrape(port: int) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Every sample of /metrics by metric family name (the parser must accept the text)."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return out


def value(samples: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float | None:
    for got, val in samples.get(name, []):
        if all(got.get(k) == v for k, v in labels.items()):
            return val
    return None


@pytest.fixture
def watcher(
    cli: Cli, static_sim: ThreadedSim
) -> Iterator[tuple[subprocess.Popen[str], Lines, int, Watchlist]]:
    config, watchlist = watch_files(
        cli,
        f'url = "{static_sim.url}"\nstall_after = 1\ninterval = 0.5',
        [OK, RUNNING, CANCELLED, FAILED, ERRORS, MISSING],
        "lamp <b>[red]x</b>\x1b[31m",
    )
    port = free_port()
    proc = cli.popen(
        "watch", "--config", str(config), "--metrics-listen", f"127.0.0.1:{port}", SLV_PASSWORD="admin"
    )
    lines = Lines(proc)
    try:
        yield proc, lines, port, watchlist
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def test_watch_events_metrics_reload_and_sigterm(
    watcher: tuple[subprocess.Popen[str], Lines, int, Watchlist], static_sim: ThreadedSim
) -> None:
    proc, lines, port, watchlist = watcher
    wait_for(
        lambda: lines.has("failed", FAILED) and lines.has("stalled", RUNNING), "failed and stalled events"
    )
    assert lines.has("server_up") and lines.has("cancelled", CANCELLED) and lines.has("not_found", MISSING)
    assert lines.has("completed_with_errors", ERRORS) and lines.has("finished", OK)
    assert all("\x1b" not in json.dumps(e, ensure_ascii=False) for e in lines.items)

    samples = wait_for(
        lambda: (s := scrape(port)) and value(s, "slv_batch_stalled", batch=RUNNING) == 1 and s, "metrics"
    )
    assert isinstance(samples, dict)
    assert value(samples, "slv_up", server="default") == 1
    states = [(OK, "succeeded"), (RUNNING, "running"), (FAILED, "failed"), (ERRORS, "completed_with_errors")]
    for batch_id, state in [*states, (CANCELLED, "cancelled"), (MISSING, "not_found")]:
        assert value(samples, "slv_batch_state", batch=batch_id, state=state) == 1, batch_id
        assert sum(v for labels, v in samples["slv_batch_state"] if labels["batch"] == batch_id) == 1
    assert value(samples, "slv_batch_progress_ratio", batch=RUNNING) == pytest.approx(0.4)
    assert value(samples, "slv_batch_messages", batch=FAILED, severity="error") == 1
    assert value(samples, "slv_batch_finished_timestamp_seconds", batch=FAILED) is not None
    assert value(samples, "slv_batch_last_change_timestamp_seconds", batch=RUNNING) is not None
    assert value(samples, "slv_requests_total", server="default", outcome="ok")
    assert value(samples, "slv_requests_total", server="default", outcome="not_found")
    assert value(samples, "slv_request_duration_seconds_count", server="default")
    label = next(lb["label"] for lb, _ in samples["slv_batch_info"] if lb["batch"] == OK)
    assert "\x1b" not in label and label.startswith("lamp")
    assert "admin" not in httpx.get(f"http://127.0.0.1:{port}/metrics").text.replace("login", "")

    watchlist.remove([OK])  # removed from the file: its series are gone at a following scrape
    new = static_sim.server.start_batch("commission_ok")
    watchlist.add([new])
    wait_for(lambda: value(scrape(port), "slv_batch_info", batch=OK) is None, "the removed batch gone")
    wait_for(lambda: value(scrape(port), "slv_batch_info", batch=new) == 1, "the added batch")

    before = watchlist.path.read_bytes()
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0
    assert time.monotonic() - started < 2.0
    assert watchlist.path.read_bytes() == before
    assert proc.stderr is not None and "Traceback" not in proc.stderr.read()


def test_watch_bad_listen_address_is_one_line(cli: Cli, static_sim: ThreadedSim) -> None:
    done = cli.run(
        "watch", "--url", static_sim.url, "--metrics-listen", "127.0.0.1:99999", SLV_PASSWORD="admin"
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--metrics-listen" in done.stderr


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery to a child is POSIX-only here")
def test_watch_sigint_exits_zero(watcher: tuple[subprocess.Popen[str], Lines, int, Watchlist]) -> None:
    proc, lines, _port, _watchlist = watcher
    wait_for(lambda: lines.has("server_up"), "the first round")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(5) == 0


def test_watch_busy_metrics_port_is_one_line(cli: Cli, static_sim: ThreadedSim) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = cli.run("watch", "--url", static_sim.url, "--metrics-listen", str(port), SLV_PASSWORD="admin")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and f"127.0.0.1:{port}" in done.stderr


def test_status_and_plain_watch_do_not_import_prometheus_or_apprise(
    cli: Cli, static_sim: ThreadedSim
) -> None:
    done = cli.run("status", "--url", static_sim.url, OK, extra=["-X", "importtime"], SLV_PASSWORD="admin")
    assert done.returncode == 0 and "slv_tui.commands.output" in done.stderr
    assert "prometheus_client" not in done.stderr and "apprise" not in done.stderr
    assert "slv_tui.commands.watch" not in done.stderr
