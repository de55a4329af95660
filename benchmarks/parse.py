"""Decoding + parsing a large commissioning batch, against plain `json.loads` of the same bytes.

Run: python benchmarks/parse.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from slv_tui.slv.decode import decode_json, gc_paused
from slv_tui.slv.parse import parse_batch


def big_batch(messages: int) -> dict[str, Any]:
    """A finished batch with `messages` messages spread over 10 steps."""
    per_step = messages // 10
    steps = []
    for s in range(10):
        infos = [
            {"status": 0, "statusText": "OK", "text": f"Device Lamp-{s:02d}{i:05d} configured"}
            for i in range(per_step)
        ]
        steps.append(
            {
                "stepName": f"step{s}", "stepLabel": f"Step {s}", "label": f"Step {s}", "status": 0,
                "infoMessages": infos, "infoMessagesCount": len(infos), "messages": infos,
                "warningMessages": [], "warningMessagesCount": 0,
                "errorMessages": [], "errorMessagesCount": 0,
            }
        )  # fmt: skip
    return {
        "batchId": "1481016600181", "batchProgressValue": 100, "batchRunning": False,
        "cancelRequested": False, "cancelled": False, "errorCode": "0", "status": "OK",
        "statusError": False, "statusOk": True,
        "value": {"login": "admin", "status": 0, "infoMessagesCount": messages,
                  "warningMessagesCount": 0, "errorMessagesCount": 0, "stepResults": steps},
    }  # fmt: skip


def best_of(func: Any, repeat: int = 5) -> float:
    """Median CPU time of `func()` over `repeat` runs (steadier than wall time on a shared machine)."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        func()
        times.append(time.process_time() - started)
    return statistics.median(times)


def read(body: bytes) -> None:
    """What the client does with an answer's bytes: checks, decode, parse, without cyclic GC."""
    with gc_paused():
        parse_batch(decode_json("application/json", body, 64), "1481016600181")


def main() -> None:
    """Print the baseline and our parse time, and their ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    n = parser.parse_args().messages
    body = json.dumps(big_batch(n)).encode()
    baseline = best_of(lambda: json.loads(body))
    ours = best_of(lambda: read(body))
    print(f"messages: {n}, body {len(body) / 1e6:.1f} MB")
    print(f"json.loads only     {baseline * 1000:8.1f} ms   ratio 1.00x (baseline)")
    print(f"decode + parse      {ours * 1000:8.1f} ms   ratio {ours / baseline:5.2f}x")


if __name__ == "__main__":
    main()
