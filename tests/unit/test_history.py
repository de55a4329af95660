"""The batch timeline: events derived from successive polls, appended safely, read back in order."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.spy import spy

from slv_tui.slv.model import Batch, Counts
from slv_tui.store import history
from slv_tui.store.history import HistoryRecorder, HistoryStore, Mark, events_between, parse_lines
from slv_tui.watch.snapshot import PollRound, ServerStatus, Snapshot, Update

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def running(progress: float, *, warnings: int = 0, errors: int = 0, cancel: bool = False) -> Batch:
    return Batch("42", progress=progress, running=True, cancel_requested=cancel,
                 counts=Counts(0, warnings, errors))  # fmt: skip


def kinds(events: list[history.Event]) -> list[str]:
    return [e["kind"] for e in events]


def test_first_seen_then_milestones_then_finished() -> None:
    assert kinds(events_between(None, running(3), T0)) == ["first_seen"]
    assert events_between(running(3), running(9), T0) == []  # no milestone crossed
    step = events_between(running(9), running(31), T0)
    assert kinds(step) == ["progress"] and step[0]["progress"] == 31
    done = events_between(running(95), Batch("42", progress=100, status="OK"), T0)
    assert kinds(done) == ["finished"] and done[0]["state"] == "succeeded"
    assert done[0]["at"] == "2026-12-01T12:00:00.000Z"


def test_a_batch_first_seen_finished_has_no_made_up_finish_time() -> None:
    """Already over when first seen: one "first seen" event in its final state, no "finished" at the
    moment slv-tui looked (the timeline, `history` and the report would show it as the finish time)."""
    (seen,) = events_between(None, Batch("42", progress=100, status="OK"), T0)
    assert seen["kind"] == "first_seen" and seen["state"] == "succeeded"


def test_cancel_and_counts_appear_and_double() -> None:
    assert kinds(events_between(running(5), running(5, cancel=True), T0)) == ["cancel_requested", "state"]
    assert kinds(events_between(running(5), running(5, warnings=1), T0)) == ["warnings"]
    assert events_between(running(5, warnings=3), running(5, warnings=5), T0) == []  # not doubled
    assert kinds(events_between(running(5, errors=3), running(5, errors=6), T0)) == ["errors"]


def test_mark_survives_the_file() -> None:
    event = events_between(None, running(40, warnings=2), T0)[0]
    assert Mark.from_event(json.loads(json.dumps(event))) == Mark.of(running(40, warnings=2))
    assert Mark.from_event({"at": "x", "kind": "state", "state": "nonsense"}) is None


def test_store_appends_privately_and_skips_a_torn_line(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h")
    store.append("42", events_between(None, running(3), T0))
    path = store.path("42")
    with path.open("ab") as handle:
        handle.write(b'{"at": "2026-12-01T12:00:01.000Z", "kind": "prog')  # a kill -9 mid-line
    store.append("42", events_between(running(3), running(50), T0 + timedelta(seconds=2)))
    assert kinds(store.read("42")) == ["first_seen", "progress"]
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_store_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "MAX_FILE_BYTES", 4000)
    monkeypatch.setattr(history, "KEEP_EVENTS", 10)
    store = HistoryStore(tmp_path)
    store.append("42", events_between(None, running(0), T0))
    for i in range(200):
        store.append("42", [history._event("warnings", Mark.of(running(1, warnings=i)), T0)])
    assert store.path("42").stat().st_size <= 4000 + 200
    events = store.read("42")
    assert events[0]["kind"] == "first_seen" and events[-1]["warnings"] == 199
    assert len(events) < 50  # compacted to 1 + 10, then grown again up to the cap


def test_parse_lines_ignores_foreign_lines() -> None:
    good = b'{"at": "2026-12-01T12:00:00Z", "kind": "state", "state": "running"}'
    raw = b'[1]\n{"at": "t", "kind": "nope"}\nnot json\n' + good + b"\n"
    assert kinds(parse_lines(raw)) == ["state"]


def _round(batch: Batch) -> PollRound:
    snap = Snapshot(batch.batch_id, 0.0, batch=batch, fetched_at=1.0)
    return PollRound((Update(snap, None),), ServerStatus(ok=True), 1.0, (snap,))


def test_recorder_writes_on_its_thread_and_resumes_after_a_restart(tmp_path: Path) -> None:
    times = iter(T0 + timedelta(seconds=i) for i in range(100))
    store = HistoryStore(tmp_path)
    recorder = HistoryRecorder(store, now=lambda: next(times))
    for progress in (5, 6, 25):
        recorder.record(_round(running(progress)))
    assert recorder.flush()
    recorder.close()
    assert kinds(store.read("42")) == ["first_seen", "progress"]
    again = HistoryRecorder(store, now=lambda: next(times))  # a new run goes on where it left off
    again.record(_round(running(25)))
    again.record(_round(Batch("42", progress=100, status="OK")))
    again.close()
    assert kinds(store.read("42")) == ["first_seen", "progress", "finished"]
    assert kinds(list(again.timeline("42"))) == ["first_seen", "progress", "finished"]
    stamps = [e["at"] for e in store.read("42")]
    assert stamps == sorted(stamps)


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from slv_tui.slv.model import Batch
    from slv_tui.store.history import HistoryStore, Mark, _event
    store = HistoryStore(Path(sys.argv[1]))
    mark = Mark.of(Batch("42", progress=1, running=True))
    big = [_event("progress", mark, datetime.now(UTC)) for _ in range(50)]
    i = 0
    while True:
        store.append("42", big)
        i += 1
        if i == 3:
            print("ready", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_9_mid_write_loses_at_most_the_last_event(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "ready\n"  # it has written and goes on writing
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    raw = (tmp_path / "42.jsonl").read_bytes()
    lines = raw.split(b"\n")
    whole = [line for line in lines if line]
    torn = [line for line in whole if not _parses(line)]
    assert len(torn) <= 1 and (not torn or torn[0] == lines[-1])  # only the last line may be torn
    store = HistoryStore(tmp_path)
    assert len(store.read("42")) >= 150
    store.append("42", [history._event("finished", Mark.of(Batch("42", progress=100)), T0)])
    assert store.read("42")[-1]["kind"] == "finished"  # the file is still usable


def _parses(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def test_progress_series_samples_time_evenly_and_ends_on_the_last_event() -> None:
    from slv_tui.ui.widgets.timeline import progress_series

    at = [T0 + timedelta(seconds=s) for s in (0, 0.3, 9.7)]
    events = [
        {"at": history.iso(t), "kind": "progress", "progress": p}
        for t, p in zip(at, (0, 59, 100), strict=True)
    ]
    series = progress_series(events, points=11)
    assert series[0] == 0 and series[-1] == 100 and series == sorted(series)
    assert series.count(59) == 9  # most of the time was spent at 59 %
    assert progress_series([]) == [] and progress_series(events[:1]) == [0]


def test_history_lines_use_the_vocabulary_aligned_and_never_repeat() -> None:
    from slv_tui.commands.history import distinct, event_line

    def ev(at: str, kind: str, state: str, progress: float | None) -> dict[str, object]:
        return {"at": at, "kind": kind, "state": state, "progress": progress, "warnings": 0, "errors": 1}

    recorded = [  # the dashboard and follow both recorded the batch
        ev("2026-12-01T10:00:00.000Z", "first_seen", "running", 10),
        ev("2026-12-01T10:00:00.400Z", "first_seen", "running", 10),
        ev("2026-12-01T10:01:00.000Z", "finished", "completed_with_errors", 100),
        ev("2026-12-01T10:01:00.300Z", "finished", "completed_with_errors", 100),
    ]
    events = distinct(recorded)
    assert [e["kind"] for e in events] == ["first_seen", "finished"]
    lines = [event_line(e) for e in events]
    assert "completed_with_errors" not in lines[1] and "⚠ done w/ errors" in lines[1]
    assert lines[0].index("%") == lines[1].index("%")  # the progress column lines up


def test_history_shows_each_milestone_once_when_two_recorders_interleave() -> None:
    """The dashboard and follow poll at their own times: the same milestones, not always adjacent."""
    from slv_tui.commands.history import distinct

    def ev(at: str, kind: str, progress: float, warnings: int = 0) -> dict[str, object]:
        return {"at": f"2026-12-01T10:00:{at}Z", "kind": kind, "state": "running", "progress": progress,
                "warnings": warnings, "errors": 0}  # fmt: skip

    recorded = [
        ev("00.000", "first_seen", 5),
        ev("00.100", "first_seen", 6),  # dashboard, follow
        ev("02.000", "progress", 41),
        ev("02.500", "warnings", 41, 1),  # dashboard
        ev("03.000", "warnings", 44, 1),
        ev("03.000", "progress", 44, 1),  # follow, later
        ev("09.000", "progress", 52, 1),
    ]
    events = distinct(recorded)
    assert [(e["kind"], e["progress"]) for e in events] == [
        ("first_seen", 5), ("progress", 41), ("warnings", 41), ("progress", 52),
    ]  # fmt: skip


def test_an_older_file_with_a_made_up_finish_reads_without_it(tmp_path: Path) -> None:
    """Older versions recorded "finished" at the first-seen moment of a batch already over: dropped
    on reading (timeline, `history`, report); a finish seen later is kept."""
    store = HistoryStore(tmp_path)
    done = Mark.of(Batch("42", progress=100, status="OK"))
    store.append("42", [history._event("first_seen", done, T0), history._event("finished", done, T0)])
    assert kinds(store.read("42")) == ["first_seen"]
    later = T0 + timedelta(seconds=5)
    store.append(
        "7", [history._event("first_seen", Mark.of(running(90)), T0), history._event("finished", done, later)]
    )
    assert kinds(store.read("7")) == ["first_seen", "finished"]


def test_rounds_that_make_no_event_never_wake_the_recorders_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most rounds of a running batch move its progress within a milestone: no event, no write.
    They are held on the event loop's side, not queued: one thread wake-up per round cost the
    busy console a thread switch per fetch (the thread learns a held mark with the next eventful one)."""
    queued = spy(monkeypatch, HistoryRecorder, "_put", lambda self, item: item)
    times = iter(T0 + timedelta(seconds=i) for i in range(100))
    store = HistoryStore(tmp_path)
    recorder = HistoryRecorder(store, now=lambda: next(times))
    for tenth in range(10, 35):  # 25 rounds from 1.0 % to 3.4 %: one milestone bucket
        recorder.record(_round(running(tenth / 10)))
    assert len(queued) == 1, f"{len(queued)} wake-ups of the recorder's thread for 25 rounds"
    for warnings in (1, 2, 3, 4):  # counts compare with the round before: 2 -> 3 -> 4 never doubles
        recorder.record(_round(running(3.5, warnings=warnings)))
    recorder.record(_round(running(12.0, warnings=4)))
    assert len(queued) == 4  # the first, warnings appearing, then doubling, the milestone
    recorder.close()
    assert kinds(store.read("42")) == ["first_seen", "warnings", "warnings", "progress"]
    assert [e["warnings"] for e in store.read("42")] == [0, 1, 2, 4]


def test_held_marks_and_queued_ones_taken_together_make_the_events_taken_in_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread busy with a write while rounds come: an eventful mark queued, marks held, another
    eventful one: the events are those of each round taken in turn (2 -> 3 -> 4 never doubles,
    4 -> 8 does), not of the queued ones compared with each other."""
    gate, writing = threading.Event(), threading.Event()
    append = HistoryStore.append_marks

    def slow(self: HistoryStore, *args: Any, **kwargs: Any) -> Any:
        writing.set()
        assert gate.wait(30)
        return append(self, *args, **kwargs)

    monkeypatch.setattr(HistoryStore, "append_marks", slow)
    times = iter(T0 + timedelta(seconds=i) for i in range(100))
    store = HistoryStore(tmp_path)
    recorder = HistoryRecorder(store, now=lambda: next(times))
    recorder.record(_round(running(1.0, warnings=1)))  # first seen: the thread writes it...
    assert writing.wait(30)  # ...and waits for the gate while these rounds are queued or held
    for warnings in (2, 3, 4, 8):
        recorder.record(_round(running(1.0, warnings=warnings)))
    gate.set()
    recorder.close()
    assert kinds(store.read("42")) == ["first_seen", "warnings", "warnings"]
    assert [e["warnings"] for e in store.read("42")] == [1, 2, 8]
