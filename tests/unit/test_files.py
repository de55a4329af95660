"""The app's own files: private modes, refused FIFOs/devices/oversized/world-writable files, locks that
time out with a one-line message and never follow a symlink. Real files, real FIFOs, real processes."""

from __future__ import annotations

import json
import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import filelock
import pytest
from support.locks import lock_held_elsewhere
from support.logs import preserved_logging

from slv_tui.common.logs import setup_logging
from slv_tui.settings.config import ConfigError, read_config
from slv_tui.store import files
from slv_tui.store.files import UnsafeFileError, WorldWritableError, locked, private_dir, read_regular
from slv_tui.store.watchlist import Watchlist, WatchlistError

POSIX = os.name == "posix"
posix_only = pytest.mark.skipif(not POSIX, reason="modes, FIFOs and devices are POSIX notions")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def fifo(path: Path) -> Path:
    os.mkfifo(path)  # nobody ever writes to it: a blocking open or read would hang the test (timeout)
    return path


# -- modes ------------------------------------------------------------------------------------------


@posix_only
def test_private_dir_creates_every_missing_level_0700_and_tightens_our_own(tmp_path: Path) -> None:
    target = private_dir(tmp_path / "a" / "b" / "c")
    assert [mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", target)] == [0o700] * 3
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    private_dir(loose)
    assert mode(loose) == 0o700


@posix_only
def test_watchlist_folder_file_and_lock_are_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "watchlists" / "default.json"
    Watchlist(path).add(["1"])
    assert mode(path.parent) == 0o700 and mode(tmp_path / "data") == 0o700
    assert mode(path) == 0o600
    assert mode(path.with_name("default.json.lock")) == 0o600


@posix_only
def test_log_folder_and_files_are_private_across_a_rollover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_file = tmp_path / "state" / "log" / "slv-tui.log"
    log_file.parent.mkdir(parents=True)
    log_file.write_text("left by an older version\n")
    os.chmod(log_file, 0o644)
    monkeypatch.setattr("slv_tui.common.logs.MAX_BYTES", 200)
    with preserved_logging():
        assert setup_logging(log_file, "info") == log_file
        for index in range(20):
            logging.getLogger("slv_tui.test").info("line %d of a log that rolls over", index)
    rotated = sorted(log_file.parent.glob("slv-tui.log*"))
    assert len(rotated) > 1  # a rollover happened: the new current file is private too
    assert mode(log_file.parent) == 0o700
    assert {mode(p) for p in rotated} == {0o600}


# -- reads: FIFOs, devices, oversized, world-writable -----------------------------------------------


@posix_only
def test_read_regular_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFileError, match="not a regular file"):
        read_regular(fifo(tmp_path / "pipe"), 1024)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_read_regular_refuses_a_link_to_a_device(tmp_path: Path) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(UnsafeFileError, match="not a regular file"):
        read_regular(link, 1024)


def test_read_regular_refuses_oversized_and_reads_the_limit_exactly(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 1025)
    with pytest.raises(UnsafeFileError, match="larger than 1024 bytes"):
        read_regular(big, 1024)
    big.write_bytes(b"x" * 1024)
    assert read_regular(big, 1024) == b"x" * 1024


@posix_only
def test_world_writable_is_refused_only_when_asked(tmp_path: Path) -> None:
    shared = tmp_path / "shared.toml"
    shared.write_text("")
    os.chmod(shared, 0o666)
    with pytest.raises(WorldWritableError, match=r"writable by every user.*chmod o-w"):
        read_regular(shared, 1024, refuse_world_writable=True)
    assert read_regular(shared, 1024) == b""


def one_line(text: str) -> str:
    assert text and "\n" not in text and "Traceback" not in text
    return text


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "device", "oversized", "world_writable"])
def test_config_refuses_what_is_no_config_in_one_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "config.toml"
    if kind == "fifo":
        fifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "oversized":
        path.write_bytes(b"# " + b"x" * (2 * 1024 * 1024) + b"\n")
    else:
        path.write_text('[servers.prod]\nurl = "https://cms.example"\n')
        os.chmod(path, 0o646)
    with pytest.raises(ConfigError) as caught:
        read_config(path, required=True)
    message = one_line(str(caught.value))
    assert str(path) in message
    expected = {"fifo": "not a regular", "device": "not a regular", "oversized": "larger than 1 MiB"}
    assert expected.get(kind, "writable by every user") in message


@posix_only
def test_a_world_writable_watchlist_is_refused_not_used(tmp_path: Path) -> None:
    path = tmp_path / "watchlists" / "default.json"
    Watchlist(path).add(["1"])
    os.chmod(path, 0o606)
    with pytest.raises(WatchlistError) as caught:
        Watchlist(path).load()
    assert "writable by every user" in one_line(str(caught.value))
    assert json.loads(path.read_text())["entries"][0]["batchId"] == "1"  # left as it was


# -- locks -----------------------------------------------------------------------------------------


@posix_only
def test_a_symlinked_lock_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    path = tmp_path / "watchlists" / "default.json"
    path.parent.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    path.with_name("default.json.lock").symlink_to(victim)
    wl = Watchlist(path)
    wl.add(["1"])  # kept in memory, not saved
    assert wl.unsaved and wl.problem is not None
    assert "symbolic link" in one_line(wl.problem)
    assert victim.read_text() == "precious"
    assert not path.exists()


@pytest.fixture
def held_lock(tmp_path: Path) -> Iterator[Path]:
    """A watchlist whose lock another process holds until the test ends."""
    path = tmp_path / "watchlists" / "default.json"
    Watchlist(path).add(["1"])
    with lock_held_elsewhere(path.with_name("default.json.lock")):
        yield path


def test_a_lock_held_elsewhere_gives_up_quickly_with_one_line(
    held_lock: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "LOCK_TIMEOUT", 0.2)
    wl = Watchlist(held_lock)
    started = time.monotonic()
    wl.add(["2"])
    assert time.monotonic() - started < 10  # bounded by the timeout, not by the other process
    assert wl.unsaved and wl.ids() == ["2"]  # the file could not be read under the lock
    assert wl.problem is not None
    assert "another slv-tui process holds" in one_line(wl.problem) and "default.json.lock" in wl.problem


def test_locked_raises_timeout_as_unsafe_file_error(held_lock: Path) -> None:
    with (
        pytest.raises(UnsafeFileError, match="another slv-tui process holds"),
        locked(held_lock.with_name("default.json.lock"), timeout=0.05),
    ):
        pass


def test_the_portable_soft_lock_excludes_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the system has no flock (and no msvcrt), filelock's SoftFileLock is the lock."""
    monkeypatch.setattr(files, "LOCK_CLASS", filelock.SoftFileLock)
    lock_path = tmp_path / "x.lock"
    with (
        locked(lock_path),
        pytest.raises(UnsafeFileError, match="another slv-tui process holds"),
        locked(lock_path, timeout=0.05),
    ):
        pass
    with locked(lock_path, timeout=0.05):  # released: free again
        pass
