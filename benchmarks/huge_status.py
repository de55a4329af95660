"""A huge result: decode + parse, and `status --json` end to end, against `json.loads` of the same bytes.

Run: python benchmarks/huge_status.py [--shape steps|messages|empty|dense|all] [--runs N]

Shapes (each a finished batch):
  steps     100 steps x 1,000 messages, each message in its severity list and the combined list
            (the shape SLV sends), about 19 MB
  messages  one step with 100,000 messages with text
  empty     `"infoMessages": [{}, {}, ...]` 8 MiB: 2.8 M empty messages (refused by the caps)
  dense     `"infoMessages": [{}, {}, ...]` just under the caps: the densest answer still read

Printed, each against a baseline measured in the same run:
  * in process: `json.loads` of the body (1.00x) against our decode + parse
    (`decode_json` + `parse_batch`) and decode + parse + writing the `status --json` text;
  * as processes: `slv-tui status --json ID` (stdout to /dev/null) against a script that GETs the
    same answer with httpx and runs `json.loads` on it; and peak RSS above the same command's
    peak RSS for a 1 KB answer, as a multiple of the answer size.
Times are CPU times (user + system) of the measured process, medians of N runs: on a machine shared
with other work they hold still where wall time does not. The answer is served by a plain HTTP
server in its own process (never counted).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from slv_tui.slv.decode import decode_json, gc_paused
from slv_tui.slv.parse import parse_batch
from slv_tui.slv.report import write_json_array

BATCH_ID = "1481016600181"
SERVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
body = open(sys.argv[1], "rb").read()
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"""
BASELINE = r"""
import json, sys, httpx
with httpx.Client() as c:
    data = json.loads(c.get(sys.argv[1], params={"batchId": "1", "ser": "json"}).content)
"""


def message(i: int) -> dict[str, Any]:
    return {"status": 0, "statusText": "OK", "text": f"Device Lamp-{i:07d} configured on CTRL-PARIS-01"}


def finished(steps: list[dict[str, Any]], total: int) -> dict[str, Any]:
    return {
        "batchId": BATCH_ID, "batchProgressValue": 100, "batchRunning": False, "cancelRequested": False,
        "cancelled": False, "errorCode": "0", "status": "OK", "statusError": False, "statusOk": True,
        "value": {"login": "admin", "status": 0, "infoMessagesCount": total, "warningMessagesCount": 0,
                  "errorMessagesCount": 0, "stepResults": steps},
    }  # fmt: skip


def step(name: str, infos: list[Any]) -> dict[str, Any]:
    return {
        "stepName": name, "stepLabel": name, "status": 0, "infoMessages": infos,
        "infoMessagesCount": len(infos), "messages": infos, "warningMessages": [], "errorMessages": [],
    }  # fmt: skip


def body_of(shape: str) -> bytes:
    """The answer's bytes for a shape."""
    if shape == "steps":
        steps = [step(f"step{s}", [message(s * 1000 + i) for i in range(1000)]) for s in range(100)]
        return json.dumps(finished(steps, 100_000)).encode()
    if shape == "messages":
        return json.dumps(finished([step("push", [message(i) for i in range(100_000)])], 100_000)).encode()
    count = (8 * 1024 * 1024) // 3 if shape == "empty" else 900_000
    head = json.dumps(finished([step("push", [])], count)).encode()
    marker = b'"infoMessages": []'
    assert marker in head
    items = b"[" + b",".join([b"{}"] * count) + b"]"
    return head.replace(marker, b'"infoMessages": ' + items)


def median_time(func: Callable[[], object], runs: int) -> float:
    """Median CPU time of this process for `func()` (steadier than wall time on a shared machine)."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        func()
        times.append(time.process_time() - started)
    return statistics.median(times)


def ours(body: bytes, write: bool) -> None:
    """What the client and `status --json` do with the bytes of an answer."""
    with gc_paused():
        try:
            batch = parse_batch(decode_json("application/json", body, 64), BATCH_ID)
        except Exception:  # the caps refuse a shape: that is its result
            return
        if write:
            write_json_array(io.StringIO().write, [(BATCH_ID, batch, None)])


MEASURE = r"""
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
scale = 1 if sys.platform == "darwin" else 1024
print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss * scale, code)
"""
"""Runs a command from a small interpreter: on Linux a child's ru_maxrss starts at its parent's RSS
at fork time, so measuring from this big benchmark process would count the benchmark itself."""


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """CPU time (user + system, s), peak RSS (bytes) and exit code of one process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], env=env, capture_output=True, text=True)
    elapsed, rss, code = out.stdout.split()
    return float(elapsed), int(rss), int(code)


def serve(path: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}/reports"


def processes(body: bytes, runs: int) -> tuple[float, float, float, int]:
    """(our wall time, baseline wall time, RSS above the small-answer run in bytes, exit code)."""
    env = {**os.environ, "SLV_PASSWORD": "benchmark", "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        env.update(XDG_STATE_HOME=tmp, XDG_DATA_HOME=tmp, XDG_CONFIG_HOME=tmp)
        big, small = Path(tmp) / "big.json", Path(tmp) / "small.json"
        big.write_bytes(body)
        small.write_bytes(json.dumps(finished([step("s", [message(1)])], 1)).encode())
        servers = [serve(big), serve(small)]
        try:
            (_, big_url), (_, small_url) = servers
            status = [sys.executable, "-m", "slv_tui.cli", "status", "--json", "--url"]
            ours_t, base_t, rss, small_rss = [], [], [], []
            code = 0
            for _ in range(runs):
                t, r, code = run_measured([*status, big_url, BATCH_ID], env)
                ours_t.append(t)
                rss.append(r)
                base_t.append(run_measured([sys.executable, "-c", BASELINE, big_url + BATCH_PATH], env)[0])
                small_rss.append(run_measured([*status, small_url, BATCH_ID], env)[1])
        finally:
            for proc, _ in servers:
                proc.kill()
                proc.wait()
    above = statistics.median(rss) - statistics.median(small_rss)
    return statistics.median(ours_t), statistics.median(base_t), above, code


BATCH_PATH = "/api/batch/getBatchResult"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", default="all", choices=["steps", "messages", "empty", "dense", "all"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    shapes = ["steps", "messages", "empty", "dense"] if args.shape == "all" else [args.shape]
    for shape in shapes:
        body = body_of(shape)
        mb = len(body) / 1e6
        base = median_time(lambda: json.loads(body), args.runs)  # noqa: B023
        parse_t = median_time(lambda: ours(body, write=False), args.runs)  # noqa: B023
        full_t = median_time(lambda: ours(body, write=True), args.runs)  # noqa: B023
        ours_p, base_p, above, code = processes(body, args.runs)
        print(f"shape {shape}: {mb:.1f} MB of JSON")
        print(f"  json.loads                      {base * 1000:8.1f} ms   ratio 1.00x (baseline)")
        print(f"  decode + parse                  {parse_t * 1000:8.1f} ms   ratio {parse_t / base:5.2f}x")
        print(f"  decode + parse + JSON text      {full_t * 1000:8.1f} ms   ratio {full_t / base:5.2f}x")
        print(f"  process: httpx GET + json.loads {base_p * 1000:8.1f} ms   ratio 1.00x (baseline)")
        ratio = ours_p / base_p
        print(f"  process: status --json, exit {code} {ours_p * 1000:7.1f} ms   ratio {ratio:5.2f}x")
        rss = f"{above / 1e6:7.1f} MB = {above / len(body):5.2f}x the JSON"
        print(f"  status --json peak RSS above a 1 KB answer: {rss}")


if __name__ == "__main__":
    main()
