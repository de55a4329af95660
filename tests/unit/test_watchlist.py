"""The watchlist store: labels, undo, atomic writes, corrupt files, two instances on one file."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import filelock
import pytest
from support.spy import spy

from slv_tui.slv.ids import InvalidBatchId
from slv_tui.store import files
from slv_tui.store import watchlist as watchlist_module
from slv_tui.store.watchlist import WatchEntry, Watchlist, WatchlistError, write_atomic


@pytest.fixture(autouse=True, params=["system", "portable"])
def lock_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every store test runs on the system's lock (flock / msvcrt) and on the portable path that
    `filelock` takes where neither exists (SoftFileLock: an exclusively created file)."""
    if request.param == "portable":
        monkeypatch.setattr(files, "LOCK_CLASS", filelock.SoftFileLock)
    return str(request.param)


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


def test_atomic_write_leaves_no_temp_files(path: Path, lock_kind: str) -> None:
    wl = Watchlist(path)
    for i in range(5):
        wl.add([str(i)])
    wl.remove(["0"])
    names = sorted(p.name for p in path.parent.iterdir())
    # the system lock's file stays (harmless, reused); the portable lock's file is its lock itself
    assert names == (["default.json", "default.json.lock"] if lock_kind == "system" else ["default.json"])


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
    assert not path.exists()  # moved, not copied: the next start does not complain again
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


# -- hand-edited and hostile files: wrong types are moved aside, never a crash -------------------------


@pytest.mark.parametrize(
    "content",
    [
        b'{"version": 1, "entries": {"batchId": "1"}}',  # entries as an object
        b'{"version": 1, "entries": [{"batchId": "1", "addedAt": {}}]}',
        b'{"version": 1, "entries": [{"batchId": "1", "addedAt": "yesterday"}]}',
        b'{"version": 1, "entries": [{"batchId": "1", "addedAt": true}]}',
        b'{"version": 1, "entries": [{"batchId": "1", "addedAt": 1' + b"0" * 400 + b"}]}",  # > float
        b'{"version": 1, "entries": [{"batchId": "1", "label": ["x"]}]}',
        b'{"version": 1, "entries": [{"batchId": true}]}',
        b'{"version": 1, "entries": [{"batchId": 1.5}]}',
        b'{"version": 1, "entries": [{"batchId": null}]}',
        b'{"version": 1, "entries": [{"label": "no id"}]}',
        b'{"version": 1, "entries": ["1"]}',
        b'{"version": 1, "entries": [{"batchId": "1' + b"1" * 30 + b'"}]}',
    ],
)
def test_wrong_types_are_moved_aside(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    wl = Watchlist(path)
    assert wl.load() == []
    assert wl.problem is not None and "moved aside" in wl.problem and "\n" not in wl.problem
    assert len(wl.problem) < len(str(path)) + 400  # one readable line, not the file
    assert not path.exists()  # moved, not copied: the next start does not complain again
    asides = list(path.parent.glob("default.json.corrupt-*"))
    assert [p.read_bytes() for p in asides] == [content]


def test_tolerated_values(path: Path) -> None:
    path.parent.mkdir(parents=True)
    entries = [
        {"batchId": 1481016600181, "addedAt": 5},  # a number ID, an int time
        {"batchId": "2", "label": None, "addedAt": None},
        {"batchId": "3", "addedAt": float("nan")},
        {"batchId": "4", "addedAt": float("inf")},
        {"batchId": "2", "label": "duplicate"},  # a hand-edited duplicate: the first one wins
    ]
    path.write_text(json.dumps({"version": 1, "entries": entries}))
    wl = Watchlist(path, clock=lambda: 100.0)
    assert wl.load() == [
        WatchEntry("1481016600181", "", 5.0), WatchEntry("2", "", 0.0), WatchEntry("3", "", 0.0),
        WatchEntry("4", "", 0.0),
    ]  # fmt: skip
    assert wl.problem is None
    assert wl.watched_for() == {"1481016600181": 95.0}
    wl.add(["5"])
    assert Watchlist(path).load()[-1] == WatchEntry("5", "", 100.0)  # and it writes plain JSON back
    json.loads(path.read_text())


def test_oversized_file_is_moved_aside_without_reading_it_all(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watchlist_module, "MAX_FILE_BYTES", 1000)
    path.parent.mkdir(parents=True)
    entries = [{"batchId": str(i), "label": "x" * 20} for i in range(100)]
    path.write_text(json.dumps({"version": 1, "entries": entries}))
    wl = Watchlist(path)
    assert wl.load() == []
    assert wl.problem is not None and "larger than" in wl.problem and "moved aside" in wl.problem


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "directory"])
def test_not_a_regular_file_is_moved_aside(path: Path, kind: str) -> None:
    path.parent.mkdir(parents=True)
    if kind == "fifo":
        os.mkfifo(path)  # a plain open() would block for ever
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")  # endless bytes
    else:
        path.mkdir()
    wl = Watchlist(path)
    assert wl.load() == []
    assert wl.problem is not None and "moved aside" in wl.problem
    assert wl.add(["7"]) == ["7"] and Watchlist(path).load() == wl.entries


def test_a_symlinked_watchlist_never_writes_through_the_link(path: Path, tmp_path: Path) -> None:
    """Reading follows the link; a save replaces the link itself, never the file it points to."""
    elsewhere = tmp_path / "elsewhere.json"
    original = json.dumps({"version": 1, "entries": [{"batchId": "1"}]}).encode()
    elsewhere.write_bytes(original)
    path.parent.mkdir(parents=True)
    path.symlink_to(elsewhere)
    wl = Watchlist(path)
    assert wl.ids() == [] and [e.batch_id for e in wl.load()] == ["1"]
    wl.add(["2"])
    assert elsewhere.read_bytes() == original
    assert not path.is_symlink() and Watchlist(path).load() == wl.entries


# -- saving fails (read-only folder, disk full): never an exception, the change is kept ---------------


def _failing_writes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    attempts: list[Path] = []

    def read_only(target: Path, payload: bytes) -> None:
        attempts.append(target)
        raise OSError(errno.EROFS, "Read-only file system", str(target))

    monkeypatch.setattr(watchlist_module, "write_atomic", read_only)
    return attempts


def test_a_failed_save_keeps_the_change_and_says_so_in_one_line(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wl = Watchlist(path, clock=lambda: 9.0)
    wl.add(["1", "2"])
    other = Watchlist(path)
    attempts = _failing_writes(monkeypatch)
    assert wl.add(["3"]) == ["3"]  # no exception: the dashboard stays up
    assert wl.remove(["1"]) == [WatchEntry("1", "", 9.0)]
    wl.set_label("2", "kiosk")
    assert len(attempts) == 3
    assert wl.ids() == ["2", "3"] and wl.unsaved
    assert wl.problem == (
        f"cannot save the watchlist {path}: Read-only file system; the change is kept until you quit"
    )
    monkeypatch.undo()  # the disk is writable again; meanwhile another instance added an ID
    other.add(["4"])
    wl.add(["5"])
    assert not wl.unsaved and wl.problem is None
    saved = Watchlist(path).load()
    assert [(e.batch_id, e.label) for e in saved] == [("2", "kiosk"), ("4", ""), ("3", ""), ("5", "")]
    assert wl.entries == saved


def test_an_unwritable_folder_still_loads_and_the_app_goes_on(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No lock file can be made (here: a directory is in its way, as root ignores chmod)."""
    monkeypatch.setattr(files, "LOCK_TIMEOUT", 0.05)  # the portable lock waits for it to go away
    Watchlist(path).add(["1"])
    (path.parent / "default.json.lock").unlink(missing_ok=True)
    (path.parent / "default.json.lock").mkdir()
    wl = Watchlist(path)
    assert wl.ids() == [] and wl.load() == [WatchEntry("1", "", wl.entries[0].added_at)]
    assert wl.problem is not None and "changes will not be saved" in wl.problem
    assert wl.add(["2"]) == ["2"] and wl.unsaved and wl.ids() == ["1", "2"]
    assert [e["batchId"] for e in json.loads(path.read_text())["entries"]] == ["1"]


def test_a_corrupt_file_that_cannot_be_moved_aside_is_left_alone(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"{corrupt")

    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)
    wl = Watchlist(path)
    with pytest.raises(
        WatchlistError, match=r"unreadable .* and cannot be moved aside: Read-only file system"
    ):
        wl.load()
    assert wl.add(["1"]) == ["1"] and wl.unsaved  # a change later on is kept in memory, not written
    monkeypatch.undo()
    assert path.read_bytes() == b"{corrupt"  # never overwritten, never emptied


def test_a_change_that_changes_nothing_writes_nothing(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Catches: the dashboard's start writing its watchlist again (a locked write and two fsyncs, 7 to
    17 ms before the first frame) when the IDs on its command line are all watched already."""
    wl = Watchlist(path, clock=lambda: 5.0)
    wl.load()
    wl.add(["3", "1"])
    writes = spy(monkeypatch, watchlist_module, "write_atomic", lambda target, _payload: target)
    again = Watchlist(path)
    again.load()
    assert again.add(["1", "3"]) == []
    again.remove(["7"])
    again.set_label("1", "")
    assert writes == []
    assert again.add(["2"]) == ["2"]
    assert len(writes) == 1
    assert Watchlist(path).load() == again.entries
