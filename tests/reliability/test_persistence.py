"""Persistence: atomic watchlist writes under SIGKILL, corrupt files, two writers."""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from slv_tui.store.watchlist import Watchlist

from .conftest import REPO

WRITER = """
import sys
import time
from pathlib import Path
from slv_tui.store.watchlist import Watchlist
wl = Watchlist(Path(sys.argv[1]))
start = len(wl.load())
print("ready", flush=True)
i = start
while True:
    i += 1
    wl.add([str(i)], label="run " + str(i) * 50)  # a label long enough that writes take a moment
"""


def temp_files(path: Path) -> list[Path]:
    return list(path.parent.glob(f".{path.name}.*.tmp"))


def read_ids(path: Path) -> list[str]:
    data = json.loads(path.read_bytes().decode("utf-8"))  # must always parse: old or new, never a mix
    assert data["version"] == 1
    return [e["batchId"] for e in data["entries"]]


def wait_for_a_write(path: Path, count: int, limit: float = 30.0) -> None:
    """Until the file holds more than `count` entries (each read is a complete version); the limit
    only guards against a hang."""
    deadline = time.monotonic() + limit
    while not (path.exists() and len(read_ids(path)) > count):
        assert time.monotonic() < deadline, f"no write past {count} entries within {limit} s"
        time.sleep(0.002)  # polling the condition, not waiting for time to pass


def test_sigkill_never_leaves_a_torn_file(tmp_path: Path) -> None:
    path = tmp_path / "watchlists" / "default.json"
    rng = random.Random(4)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    previous: list[str] = []
    for _ in range(30):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], env=env, stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        wait_for_a_write(path, len(previous))  # this writer is really at work (however loaded the machine)
        time.sleep(rng.uniform(0.0, 0.05))  # a random moment mid-loop (what we test is the kill, not luck)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        ids = read_ids(path) if path.exists() else []
        # A complete version: 1..n in order, and never fewer than what the previous writer left.
        assert ids == [str(i) for i in range(1, len(ids) + 1)]
        assert len(ids) >= len(previous)
        previous = ids
        assert len(temp_files(path)) <= 1, temp_files(path)  # only the one in flight at the kill
    assert len(previous) >= 30  # the writers really did work: each wrote at least once
    Watchlist(path).add(["999999"])
    assert temp_files(path) == []  # the next writer sweeps the leftover


CORRUPT = {
    "garbage": b"\x00\xff not json",
    "truncated": b'{"version": 1, "entries": [{"batchId": "12',
    "empty": b"",
    "wrong_shape": b'["1", "2"]',
    "bad_id": b'{"version": 1, "entries": [{"batchId": "12ab"}]}',
    "bad_entry": b'{"version": 1, "entries": [7]}',
    "deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("name", sorted(CORRUPT))
def test_corrupt_file_is_moved_aside_not_emptied(tmp_path: Path, name: str) -> None:
    path = tmp_path / "default.json"
    path.write_bytes(CORRUPT[name])
    wl = Watchlist(path)
    assert wl.load() == []
    assert wl.problem is not None and "moved aside" in wl.problem and str(path) in wl.problem
    assert not path.exists()  # moved, not copied (a copy would be "found corrupt" at every start)
    aside = list(tmp_path.glob("default.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == CORRUPT[name]  # nothing lost
    assert wl.add(["42"]) == ["42"]  # and the app goes on with a fresh list
    assert Watchlist(path).load()[0].batch_id == "42"


def test_dashboard_launch_survives_a_corrupt_watchlist(tmp_path: Path) -> None:
    """The real wiring (dashboard.launch's load + add) starts on a corrupt file; the UI is not needed."""
    path = tmp_path / "default.json"
    path.write_bytes(b"{{{")
    wl = Watchlist(path)
    wl.load()
    wl.add(["1481016600181"])
    assert wl.ids() == ["1481016600181"] and wl.problem


ADDER = """
import sys
import time
from pathlib import Path
from slv_tui.store.watchlist import Watchlist
wl = Watchlist(Path(sys.argv[1]))
base = int(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()  # both start adding at the same moment
for i in range(60):
    wl.add([str(base + i)])
    if i % 7 == 3:
        wl.remove([str(base + i)])  # removes race with the other's adds too
        wl.restore([])
    time.sleep(0.002)  # a gap between edits, as between a user's keys: a polled lock cannot be hogged
"""


def test_two_processes_sharing_a_data_dir_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "watchlists" / "default.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ADDER, str(path), str(base)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for base in (100_000, 200_000)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.close()
    for proc in procs:
        assert proc.wait(timeout=60) == 0
        assert proc.stdout is not None
        proc.stdout.close()
    ids = read_ids(path)
    expected = {str(b + i) for b in (100_000, 200_000) for i in range(60) if i % 7 != 3}
    assert sorted(ids) == sorted(expected)  # nothing lost, nothing duplicated, nothing resurrected
    # The writers really overlapped (else this test could not fail): their IDs interleave in the file.
    owners = [i[0] for i in ids]
    assert sum(a != b for a, b in itertools.pairwise(owners)) >= 3, owners
    assert temp_files(path) == []
