"""The shipped alert rules under promtool, and a real Prometheus scraping a real `slv-tui watch`."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from slv_tui.sim import ThreadedSim
from slv_tui.store.watchlist import Watchlist

from .conftest import Cli
from .test_watch import FAILED, RUNNING, free_port, wait_for

RULES = Path(__file__).resolve().parents[2] / "docs" / "prometheus"
PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian: apt-get install prometheus)")
def test_rules_check_and_unit_tests_pass() -> None:
    assert PROMTOOL is not None
    for args in (["check", "rules", "slv-tui.rules.yml"], ["test", "rules", "slv-tui.rules.test.yml"]):
        done = subprocess.run(
            [PROMTOOL, *args], cwd=RULES, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(
    PROMETHEUS is None, reason="prometheus not installed (Debian: apt-get install prometheus)"
)
def test_real_prometheus_scrapes_the_watcher(cli: Cli, static_sim: ThreadedSim, tmp_path: Path) -> None:
    assert PROMETHEUS is not None
    path = cli.home / "data" / "slv-tui" / "watchlists" / "default.json"
    path.parent.mkdir(parents=True)
    Watchlist(path).add([FAILED, RUNNING])
    metrics_port, prom_port = free_port(), free_port()
    watcher = cli.popen(
        "watch",
        "--url",
        static_sim.url,
        "--metrics-listen",
        f"127.0.0.1:{metrics_port}",
        SLV_PASSWORD="admin",
    )
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: ['{RULES / 'slv-tui.rules.yml'}']\n"
        "scrape_configs:\n"
        f"  - job_name: slv-tui\n    static_configs: [{{targets: ['127.0.0.1:{metrics_port}']}}]\n"
    )
    prometheus = subprocess.Popen(
        [PROMETHEUS, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{prom_port}",
         f"--storage.tsdb.path={tmp_path / 'tsdb'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    api = f"http://127.0.0.1:{prom_port}/api/v1"

    def query(promql: str) -> list[dict[str, object]] | None:
        try:
            answer = httpx.get(f"{api}/query", params={"query": promql}, timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return None
        result: list[dict[str, object]] = answer["data"]["result"]
        return result

    try:
        failed = wait_for(
            lambda: query('slv_batch_state{state="failed"} == 1'), "the failed batch in Prometheus", 60
        )
        assert isinstance(failed, list) and [r["metric"]["batch"] for r in failed] == [FAILED]
        alerts = wait_for(
            lambda: query('ALERTS{alertname="SlvBatchFailed",alertstate="firing"}'), "the alert", 60
        )
        assert isinstance(alerts, list) and alerts
    finally:
        prometheus.terminate()
        watcher.send_signal(signal.SIGTERM)
        # exits cleanly on SIGTERM; the 2 s product bound is checked in test_watch.py (the 30 s here
        # only stops a hang from blocking the run)
        assert watcher.wait(30) == 0
        prometheus.wait(20)
