"""Keeping tests away from the developer's home: XDG dirs under the test's folder, no SLV_* variables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SLV_VARS = ("SLV_URL", "SLV_USERNAME", "SLV_PASSWORD", "SLV_TOKEN", "SLV_TUI_CONFIG")
NO_KEYRING = "keyring.backends.null.Keyring"
"""Tests never read or write the developer's real keyring (tests that need one set their own)."""
XDG_VARS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every XDG folder at tmp_path and drop SLV_* variables, so no test sees the real home."""
    for name in SLV_VARS:
        monkeypatch.delenv(name, raising=False)
    for name in XDG_VARS:
        monkeypatch.setenv(name, str(tmp_path / "xdg" / name.lower()))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", NO_KEYRING)
    return tmp_path


def subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    """os.environ for a child process: no SLV_*/XDG_* from the shell, XDG dirs under `home`, NO_COLOR=1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLV_", "XDG_"))}
    env.update(
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        NO_COLOR="1",
        PYTHON_KEYRING_BACKEND=NO_KEYRING,
    )
    env.update(extra)
    return env


def state_log_file(home: Path) -> Path:
    """Where a child run with `subprocess_env(home)` writes its log (under XDG_STATE_HOME)."""
    return home / "state" / "slv-tui" / "log" / "slv-tui.log"
