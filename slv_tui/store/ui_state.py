"""The UI state file: theme, sort and view chosen last time (one small JSON object, written atomically)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from slv_tui.store.files import private_dir, read_regular, write_atomic

log = logging.getLogger(__name__)
MAX_STATE_BYTES = 64 * 1024
"""The UI state file holds a few names and flags; anything larger is not ours and is ignored."""


def load_state(state_file: Path) -> dict[str, Any]:
    """The saved UI state; {} when there is none or the file is not ours (logged, never raised)."""
    try:
        raw = read_regular(state_file, MAX_STATE_BYTES)
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:  # a FIFO, a device, a huge or broken file
        log.warning("ignoring the UI state: %s", exc)
        return {}
    return data if isinstance(data, dict) else {}


def save_state(state_file: Path, state: dict[str, Any]) -> None:
    """Remember the UI state for the next run; a failure is logged, never raised (blocking: use a thread)."""
    try:
        private_dir(state_file.parent)
        write_atomic(state_file, json.dumps(state).encode("utf-8"))
    except OSError as exc:
        log.warning("cannot save the UI state to %s: %s", state_file, exc)


def profile_sort(state: dict[str, Any], profile: str) -> tuple[str | None, bool]:
    """The sort remembered for this profile: (column or None, reversed); each profile its own."""
    sorts = state.get("sorts")
    saved = sorts.get(profile) if isinstance(sorts, dict) else None
    if not isinstance(saved, dict):
        return None, False
    column = saved.get("column")
    return (column if isinstance(column, str) else None), saved.get("reverse") is True


def with_profile_sort(state: dict[str, Any], profile: str, column: str, reverse: bool) -> dict[str, Any]:
    """The state with this profile's sort remembered (other profiles' kept)."""
    sorts = state.get("sorts")
    kept = {k: v for k, v in sorts.items() if isinstance(v, dict)} if isinstance(sorts, dict) else {}
    return {**state, "sorts": {**kept, profile: {"column": column, "reverse": reverse}}}


def load_theme(state_file: Path) -> str | None:
    """The saved theme name, if any."""
    theme = load_state(state_file).get("theme")
    return theme if isinstance(theme, str) else None


def save_theme(state_file: Path, theme: str) -> None:
    """Remember the theme, keeping the rest of the state."""
    save_state(state_file, {**load_state(state_file), "theme": theme})
