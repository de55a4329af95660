"""The UI state file: the theme chosen last time (one small JSON object, written atomically)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from slv_tui.store.files import private_dir, read_regular, write_atomic

log = logging.getLogger(__name__)
MAX_STATE_BYTES = 64 * 1024
"""The UI state file holds one theme name; anything larger is not ours and is ignored."""


def load_theme(state_file: Path) -> str | None:
    """The saved theme name; None when there is none or the file is not ours (logged, never raised)."""
    try:
        raw = read_regular(state_file, MAX_STATE_BYTES)
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:  # a FIFO, a device, a huge or broken file
        log.warning("ignoring the UI state: %s", exc)
        return None
    theme = data.get("theme") if isinstance(data, dict) else None
    return theme if isinstance(theme, str) else None


def save_theme(state_file: Path, theme: str) -> None:
    """Remember the theme for the next run; a failure is logged, never raised (blocking: run in a thread)."""
    try:
        private_dir(state_file.parent)
        write_atomic(state_file, json.dumps({"theme": theme}).encode("utf-8"))
    except OSError as exc:
        log.warning("cannot save the UI state to %s: %s", state_file, exc)
