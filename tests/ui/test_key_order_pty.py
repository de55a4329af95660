"""Keys in order through a real terminal: the demo dashboard in a tmux pane, keys sent with
`tmux send-keys -l` (one write, as a paste or a bunched SSH packet). Every wait is on what the pane
shows or what the files hold, never on time passing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32" or not shutil.which("tmux"), reason="needs tmux (a pty)"),
    pytest.mark.slow,  # a real slv-tui process per test: with the soaks (`pytest -m slow`), not the fast tier
]


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], check=True, capture_output=True, text=True).stdout


def until(predicate: Callable[[], object], what: str, limit: float = 60.0) -> None:
    """Poll `predicate` until it holds; the limit only guards against a hang."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen within {limit:.0f}s: {what}")
        time.sleep(0.1)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The demo dashboard in a detached tmux session with its own data folders; yields the socket name
    and the watchlist file."""
    socket = f"slv-keys-{os.getpid()}"
    env = {
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "HOME": str(tmp_path),
    }
    exports = tmp_path / "exports"
    exports.mkdir()
    config = tmp_path / "config" / "slv-tui"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(f'[ui]\nexport_dir = "{exports.as_posix()}"\n')
    command = " ".join([*(f"{k}={v}" for k, v in env.items()), sys.executable, "-m", "slv_tui", "--demo"])
    tmux(socket, "new-session", "-d", "-x", "140", "-y", "40", "-s", "keys", command)
    try:
        yield socket, tmp_path
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)


def screen(socket: str) -> str:
    return tmux(socket, "capture-pane", "-p", "-t", "keys")


def filter_text(socket: str) -> str | None:
    """What the filter box holds, None while it is closed (its line reads `▊  text  ▎`)."""
    for line in screen(socket).splitlines():
        inner = line.strip()
        if inner.startswith("▊") and inner.endswith("▎") and "▔" not in inner and "▁" not in inner:
            return inner[1:-1].strip()
    return None


def entries(folder: Path) -> list[dict[str, object]]:
    """The demo's watchlist as saved ([] until it is written)."""
    files = list((folder / "data").rglob("demo.json"))
    try:
        return list(json.loads(files[0].read_text())["entries"]) if files else []
    except (ValueError, KeyError, OSError):
        return []


def test_slash_ed_in_one_write_types_into_the_filter(pane: tuple[str, Path]) -> None:
    """`tmux send-keys -l '/ed'`: one write; "ed" lands in the filter, nothing is removed or exported."""
    socket, folder = pane
    until(lambda: "running" in screen(socket) and entries(folder), "the demo's table")
    before = entries(folder)
    tmux(socket, "send-keys", "-t", "keys", "-l", "/ed")
    until(lambda: filter_text(socket) == "ed", "the filter holding 'ed'")
    assert entries(folder) == before  # d removed nothing
    assert not list(folder.rglob("slv-batch-*.json"))  # e exported nothing


def test_add_dialog_typed_at_60_ms_a_key_keeps_id_and_label_apart(pane: tuple[str, Path]) -> None:
    """`a`, an ID, Tab, a label, Enter, one key every 60 ms (the pacing of the typing, not a wait)."""
    socket, folder = pane
    until(lambda: "running" in screen(socket) and entries(folder), "the demo's table")
    keys = [("-l", "a"), *(("-l", c) for c in "1481099999999"), ("Tab",), *(("-l", c) for c in "Main street")]
    for key in [*keys, ("Enter",)]:
        tmux(socket, "send-keys", "-t", "keys", *key)
        time.sleep(0.06)
    until(lambda: any(e["batchId"] == "1481099999999" for e in entries(folder)), "the added batch saved")
    added = next(e for e in entries(folder) if e["batchId"] == "1481099999999")
    assert added["label"] == "Main street"
