"""The watchlist store: labels, undo, atomic writes, corrupt files, two instances on one file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from slv_tui.slv.ids import InvalidBatchId
from slv_tui.watch.watchlist import WatchEntry, Watchlist, write_atomic


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "watchlists" / "default.json"


def test_add_persists_in_order_without_duplicates(path: Path) -> None:
    wl = Watchlist(path, clock=lambda: 5.0)
    assert wl.load() == []
    assert wl.add(["3", "1", "3"], label="night run") == ["3", "1"]
    assert wl.add(["1", "2"]) == ["2"]
    assert wl.ids() == ["3", "1", "2"]
    again = Watchlist(path)
    assert [(e.batch_id, e.label, e.added_at) for e in again.load()] == [
        ("3", "night run", 5.0), ("1", "night run", 5.0), ("2", "", 5.0),
    ]  # fmt: skip
    data = json.loads(path.read_text())
    assert data["version"] == 1
    assert [e["batchId"] for e in data["entries"]] == ["3", "1", "2"]


def test_add_rejects_bad_ids_and_changes_nothing(path: Path) -> None:
    wl = Watchlist(path)
    wl.add(["1"])
    with pytest.raises(InvalidBatchId):
        wl.add(["2", "12x"])
    assert Watchlist(path).load() == [WatchEntry("1", "", wl.entries[0].added_at)]


def test_remove_and_restore_keep_labels_and_times(path: Path) -> None:
    wl = Watchlist(path, clock=lambda: 1.0)
    wl.add(["1", "2", "3"])
    wl.set_label("2", "  kiosk  ")
    removed = wl.remove(["2", "9"])
    assert removed == [WatchEntry("2", "kiosk", 1.0)]
    assert wl.ids() == ["1", "3"]
    wl.restore(removed)
    assert Watchlist(path).load()[-1] == WatchEntry("2", "kiosk", 1.0)
    wl.restore(removed)  # restoring twice does not duplicate
    assert Watchlist(path).load().count(WatchEntry("2", "kiosk", 1.0)) == 1
    wl.set_label("2", "")
    assert Watchlist(path).load()[-1].label == ""


def test_watched_for_counts_from_when_each_id_was_added(path: Path) -> None:
    now = [1000.0]
    wl = Watchlist(path, clock=lambda: now[0])
    wl.add(["1"])
    now[0] = 1600.0
    wl.add(["2"])
    now[0] = 7200.0
    reopened = Watchlist(path, clock=lambda: now[0])  # a restart: the times come from the file
    reopened.load()
    assert reopened.watched_for() == {"1": 6200.0, "2": 5600.0}
    now[0] = 0.0  # a clock set back never gives a negative age
    assert reopened.watched_for() == {"1": 0.0, "2": 0.0}


def test_atomic_write_leaves_no_temp_files(path: Path) -> None:
    wl = Watchlist(path)
    for i in range(5):
        wl.add([str(i)])
    wl.remove(["0"])
    names = sorted(p.name for p in path.parent.iterdir())
    assert names == ["default.json", "default.json.lock"]


def test_write_atomic_failure_keeps_old_content_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(b"old")

    class Boom(Exception):
        pass

    def failing_fsync(fd: int) -> None:
        raise Boom

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(Boom):
        write_atomic(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"entries": "x"}', b'{"entries": [{"batchId": "12x"}]}', b"\xff\xfe",
     b'{"entries": [["1"]]}'],
)  # fmt: skip
def test_corrupt_file_is_moved_aside_with_a_problem(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    wl = Watchlist(path)
    assert wl.load() == []
    assert wl.problem is not None
    assert "moved aside" in wl.problem and str(path) in wl.problem
    asides = [p for p in path.parent.iterdir() if ".corrupt-" in p.name]
    assert len(asides) == 1
    assert asides[0].read_bytes() == content  # never silently emptied
    assert asides[0].name in wl.problem
    wl.add(["5"])
    assert Watchlist(path).load()[0].batch_id == "5"


def test_two_instances_do_not_drop_each_others_entries(path: Path) -> None:
    a = Watchlist(path)
    b = Watchlist(path)
    a.load()
    b.load()
    a.add(["1"])
    b.add(["2"])  # b never reloaded, yet must keep a's entry
    a.add(["3"])
    fresh = Watchlist(path)
    fresh.load()
    assert fresh.ids() == ["1", "2", "3"]
    b.remove(["1"])
    fresh.load()
    assert fresh.ids() == ["2", "3"]
    a.set_label("3", "x")
    fresh.load()
    assert [(e.batch_id, e.label) for e in fresh.entries] == [("2", ""), ("3", "x")]
