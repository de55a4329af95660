"""A foreign line in a history file is skipped and counted, never fatal: not for the recorder
thread (`follow`), not for `slv-tui history`, and `history --json` never prints a bare Infinity."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.env import state_log_file

from slv_tui.sim import ThreadedSim
from slv_tui.slv.model import Batch
from slv_tui.store.files import UnsafeFileError
from slv_tui.store.history import HistoryStore, events_between

from .conftest import run_cli

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def line(second: int, kind: str, *, state: str = '"running"', progress: str = "5", warnings: str = "0",
         errors: str = "0", zone: str = ".000Z") -> str:  # fmt: skip
    return (f'{{"at":"2026-12-01T12:00:0{second}{zone}","kind":"{kind}","state":{state},'
            f'"progress":{progress},"warnings":{warnings},"errors":{errors}}}')  # fmt: skip


GOOD = line(0, "first_seen")
FOREIGN = [
    line(1, "warnings", warnings="Infinity"),
    line(2, "state", state="null"),
    line(3, "progress", progress="9" * 400),
    line(4, "progress", zone=""),
    line(5, "errors", errors="NaN"),
]


class _FastFromFirstFetch:
    """A simulator clock standing still until the first batch request, then running 8x: a 12 s
    commissioning finishes in 1.5 s of a `follow`, yet never before its first look (a `follow`
    process starting slowly on a busy machine saw it only finished: no "finished" to record)."""

    def __init__(self) -> None:
        self.sim: ThreadedSim | None = None
        self.started: float | None = None

    def __call__(self) -> float:
        if self.started is None:
            asked = self.sim is not None and any(
                p.endswith("getBatchResult") for _, p in self.sim.server.requests
            )
            if not asked:
                return 1000.0
            self.started = time.monotonic()
        return 1000.0 + (time.monotonic() - self.started) * 8


@pytest.fixture
def fast_sim() -> Iterator[ThreadedSim]:
    """The demo templates on a clock running 8x from the first batch request on."""
    clock = _FastFromFirstFetch()
    with ThreadedSim(scenario="demo", clock=clock) as sim:
        clock.sim = sim
        yield sim


def _history_file(home: Path, batch_id: str) -> Path:
    folder = home / "data" / "slv-tui" / "history" / "default"
    folder.mkdir(parents=True, mode=0o700)
    return folder / f"{batch_id}.jsonl"


def test_history_command_skips_and_counts_foreign_lines(tmp_path: Path) -> None:
    _history_file(tmp_path, "950").write_text("\n".join([GOOD, *FOREIGN]) + "\n")
    human = run_cli(tmp_path, "history", "950")
    assert human.returncode == 0, human.stderr
    assert "Traceback" not in human.stderr and len(human.stdout.splitlines()) == 1
    assert "5 unreadable line(s)" in human.stderr
    shown = run_cli(tmp_path, "history", "--json", "950")
    assert shown.returncode == 0, shown.stderr
    assert "Infinity" not in shown.stdout and "NaN" not in shown.stdout
    assert [e["kind"] for e in json.loads(shown.stdout)] == ["first_seen"]


def test_follow_records_the_next_batch_after_a_foreign_line(tmp_path: Path, fast_sim: ThreadedSim) -> None:
    first = fast_sim.server.start_batch("commission_ok")
    second = fast_sim.server.start_batch("commission_ok")
    _history_file(tmp_path, first).write_text("\n".join([GOOD, FOREIGN[0]]) + "\n")
    done = run_cli(tmp_path, "follow", "--interval", "0.5", "--url", fast_sim.url, first, second,
                   SLV_PASSWORD="admin")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for batch_id in (first, second):
        shown = run_cli(tmp_path, "history", "--json", batch_id)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)[-1]["kind"] == "finished"


def test_follow_never_writes_through_a_planted_link(tmp_path: Path, fast_sim: ThreadedSim) -> None:
    batch_id = fast_sim.server.start_batch("commission_ok")
    victim = tmp_path / "bashrc"
    victim.write_text("# mine\n")
    _history_file(tmp_path, batch_id).symlink_to(victim)
    done = run_cli(tmp_path, "follow", "--interval", "0.5", "--url", fast_sim.url, batch_id,
                   SLV_PASSWORD="admin")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert victim.read_text() == "# mine\n"
    said = state_log_file(tmp_path).read_text() + done.stderr
    assert "a symbolic link; refusing to write through it" in said


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_folder_others_can_write_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "history"
    folder.mkdir(mode=0o700)
    folder.chmod(0o777)  # someone else's folder, left open to all (private_dir tightens only ours)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(folder).st_uid + 1)
    store = HistoryStore(folder)
    with pytest.raises(UnsafeFileError, match="writable by other users"):
        store.append("42", events_between(None, Batch("42", progress=3, running=True), T0))
    assert list(folder.iterdir()) == []
