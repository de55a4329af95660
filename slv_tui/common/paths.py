"""Where slv-tui keeps its files; the only caller of platformdirs (XDG variables are honoured)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

APP = "slv-tui"


def config_dir() -> Path:
    """The folder of config.toml (XDG_CONFIG_HOME on Linux)."""
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    """The folder of watchlists and UI state (XDG_DATA_HOME on Linux)."""
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    """The folder of the rotating log file (XDG_STATE_HOME on Linux)."""
    return Path(platformdirs.user_log_dir(APP, appauthor=False))


def export_dir() -> Path:
    """Where the dashboard writes exports by default: the user's downloads folder, else documents,
    else the home folder (`[ui] export_dir` in config.toml overrides it)."""
    for find in (platformdirs.user_downloads_dir, platformdirs.user_documents_dir):
        try:
            folder = Path(find())
        except Exception:
            continue
        if folder.is_dir():
            return folder
    return Path.home()


def default_config_file() -> Path:
    """`SLV_TUI_CONFIG` if set, else config.toml in the config folder."""
    override = os.environ.get("SLV_TUI_CONFIG")
    return Path(override).expanduser() if override else config_dir() / "config.toml"


def watchlist_file(profile: str) -> Path:
    """The watchlist of one server profile."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", profile) or "default"
    return data_dir() / "watchlists" / f"{safe}.json"


def ui_state_file() -> Path:
    """Remembered UI choices (the theme)."""
    return data_dir() / "ui-state.json"


def log_file() -> Path:
    """The rotating log file."""
    return log_dir() / "slv-tui.log"
