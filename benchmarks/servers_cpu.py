"""Two servers in one dashboard: CPU per request against one server with the same load and against
the HTTP work itself.

Run: python benchmarks/servers_cpu.py [--seconds 60] [--warmup 65] [--interval 2] [--tree PATH]

From a plain install of the tree (the venv `ptyrun.plain_install` builds), each program in its own
160x45 pseudo-terminal, the simulators in their own processes (never counted), traffic only to
127.0.0.1, one measuring window for all after `--warmup` s:
- two:    `slv-tui --profile a --profile b`, each server a simulator with 200 watched batches, 50 of
          them running (the same batch IDs on both: 400 rows);
- one:    `slv-tui` on one simulator with 400 watched batches, 100 of them running (the same number
          of rows and requests on one server);
- httpx:  two bare `httpx.AsyncClient` loops (one per server of `two`) fetching its 50 running
          batches every interval and `json.loads`-ing each answer: the HTTP work itself.
Goals: two <= 2x httpx per request (the busy console's goal), and two close to one (the cost of a
second server is its requests, not more per request).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from console_cpu import COUNTING_WRAPPER, HTTPX_LOOP, batch_ids, read_counts, scenario
from ptyrun import (
    bench_env,
    cpu_seconds,
    describe,
    plain_install,
    spawn_in_pty,
    start_loop,
    start_sim,
    window_args,
)

CONFIG = """
[servers.a]
url = "{a}"
auth = "basic"
password_command = "echo admin"
interval = {interval}
[servers.b]
url = "{b}"
auth = "basic"
password_command = "echo admin"
interval = {interval}
"""

WATCH = """
import sys
from slv_tui.common import paths
from slv_tui.store.watchlist import Watchlist
watchlist = Watchlist(paths.watchlist_file(sys.argv[1]))
watchlist.load()
watchlist.add(sys.argv[2:])
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    window_args(parser)
    args = parser.parse_args()
    install = plain_install(args.tree)
    py = install.python

    home = Path(tempfile.mkdtemp(prefix="slv-servers-"))
    (home / "one").mkdir()
    env = bench_env(home)
    running, done = batch_ids(1483000000000, 50), batch_ids(1483000001000, 150)
    pair = scenario([(running, "long_run"), (done, None)])
    sim_a, url_a = start_sim(home, pair, env, install)
    sim_b, url_b = start_sim(home, pair, env, install)
    running_one, done_one = batch_ids(1484000000000, 100), batch_ids(1484000001000, 300)
    sim_one, url_one = start_sim(
        home / "one", scenario([(running_one, "long_run"), (done_one, None)]), env, install
    )
    two_env = {**env, "XDG_DATA_HOME": str(home / "two-data"), "XDG_CONFIG_HOME": str(home / "two-config")}
    config = home / "two-config" / "slv-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(CONFIG.format(a=url_a, b=url_b, interval=args.interval))
    config.chmod(0o600)
    (home / "watch.py").write_text(WATCH)
    for profile in ("a", "b"):
        subprocess.run([py, str(home / "watch.py"), profile, *running, *done], env=two_env, check=True)
    (home / "wrapper.py").write_text(COUNTING_WRAPPER)
    (home / "httpx_loop.py").write_text(HTTPX_LOOP)
    counts = {name: home / f"{name}.json" for name in ("two", "one", "httpx-a", "httpx-b")}
    pids: dict[str, int] = {}
    procs: list[subprocess.Popen[bytes]] = []
    load_before = os.getloadavg()
    try:
        t0 = time.monotonic()
        pids["two"] = spawn_in_pty(
            [py, str(home / "wrapper.py"), "--profile", "a", "--profile", "b"],
            {**two_env, "SLV_BENCH_COUNTS": str(counts["two"])},
        )
        alone_argv = [
            "--url",
            url_one,
            "--user",
            "admin",
            "--interval",
            str(args.interval),
            *running_one,
            *done_one,
        ]
        pids["one"] = spawn_in_pty(
            [py, str(home / "wrapper.py"), *alone_argv],
            {**env, "SLV_BENCH_COUNTS": str(counts["one"]), "XDG_DATA_HOME": str(home / "one-data")},
        )
        for name, url in (("httpx-a", url_a), ("httpx-b", url_b)):
            loop_env = {**env, "INTERVAL": str(args.interval), "IDS": " ".join(running), "URL": url}
            proc = start_loop([py, str(home / "httpx_loop.py")], {**loop_env, "OUT": str(counts[name])})
            procs.append(proc)
            pids[name] = proc.pid
        time.sleep(max(0.0, t0 + args.warmup - time.monotonic()))
        start = {name: (cpu_seconds(pid), read_counts(counts[name])) for name, pid in pids.items()}
        time.sleep(max(0.0, t0 + args.warmup + args.seconds - time.monotonic()))
        end = {name: (cpu_seconds(pid), read_counts(counts[name])) for name, pid in pids.items()}
    finally:
        for name in ("two", "one"):
            if name in pids:
                os.kill(pids[name], signal.SIGTERM)
                os.waitpid(pids[name], 0)
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
        for sim in (sim_a, sim_b, sim_one):
            sim.terminate()
            sim.wait()
    load_after = os.getloadavg()

    def used(*names: str) -> tuple[float, int]:
        cpu = sum(end[n][0] - start[n][0] for n in names)
        requests = sum(end[n][1].get("requests", 0) - start[n][1].get("requests", 0) for n in names)
        return cpu, requests

    print(describe(install))
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(f"window {args.seconds:.0f} s after {args.warmup:.0f} s; interval {args.interval:g} s; 160x45 pty")
    per: dict[str, float] = {}
    for label, names in (("httpx (2 loops)", ("httpx-a", "httpx-b")), ("one server", ("one",)),
                         ("two servers", ("two",))):  # fmt: skip
        cpu, requests = used(*names)
        per[label] = 1000 * cpu / requests if requests else float("nan")
        print(f"{label:16s} {cpu:6.2f} CPU s  {requests:5d} requests  {per[label]:5.2f} ms/request")
    two, one, httpx = per["two servers"], per["one server"], per["httpx (2 loops)"]
    met = "met" if two <= 2 * httpx else "NOT met"
    print(f"two servers = {two / httpx:4.2f}x httpx per request (goal <= 2x: {met}),"
          f" {two / one:4.2f}x one server with the same load")  # fmt: skip


if __name__ == "__main__":
    main()
