"""Three `slv-tui follow` processes of one batch share its history file: every change is recorded once."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

from support.clock import FakeClock

from slv_tui.sim import ThreadedSim

from .conftest import child_env, cli_argv
from .hostilecases import CONCURRENT_RECORDERS, record

FOLLOWERS = 3


def _history(home: Path, batch_id: str) -> list[dict[str, object]]:
    path = home / "data" / "slv-tui" / "history" / "default" / f"{batch_id}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_three_follows_of_one_batch_record_each_change_once(tmp_path: Path) -> None:
    clock = FakeClock()
    with ThreadedSim(scenario="static", clock=clock) as sim:
        batch_id = sim.server.start_batch("commission_ok")  # 12 s, progress known after 1 s
        clock.advance(1.5)
        env = child_env(tmp_path, SLV_PASSWORD="admin", PYTHONUNBUFFERED="1")
        argv = cli_argv("follow", "--interval", "0.5", "--url", sim.url, batch_id)
        followers = [
            subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(FOLLOWERS)
        ]
        try:
            for follower in followers:  # each has fetched (and queued for its recorder) the batch
                assert follower.stdout is not None and follower.stdout.readline(), "no first line"
            finished = False
            while not finished:  # 10 % a step, and every follower sees every step
                clock.advance(1.2)
                lines = [follower.stdout.readline() if follower.stdout else "" for follower in followers]
                assert all(lines), lines
                finished = all("succeeded" in line for line in lines)
            codes = [follower.wait(timeout=60) for follower in followers]
        finally:
            for follower in followers:
                if follower.poll() is None:
                    follower.kill()
                    follower.wait()
    assert codes == [0] * FOLLOWERS, [f.stderr.read() if f.stderr else "" for f in followers]
    events = _history(tmp_path, batch_id)
    kinds = Counter(str(e["kind"]) for e in events)
    progress = [e["progress"] for e in events if e["kind"] == "progress"]
    assert kinds["first_seen"] == 1 and kinds["finished"] == 1, kinds
    assert len(progress) == len(set(progress)) and progress == sorted(progress), progress  # type: ignore[type-var]
    assert events[-1]["state"] == "succeeded"
    record(
        CONCURRENT_RECORDERS,
        f"{FOLLOWERS} `follow`s of one batch: {kinds['first_seen']} first seen, {kinds['finished']} finished,"
        f" {len(progress)} progress events, each once (before: 3 finished, 24 progress events)",
    )
