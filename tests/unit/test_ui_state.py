"""The UI state file: the theme round-trips; a broken file or folder is logged, never raised."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from slv_tui.store.ui_state import load_theme, save_theme


def test_the_theme_round_trips_into_a_new_private_folder(tmp_path: Path) -> None:
    state = tmp_path / "new" / "ui-state.json"
    assert load_theme(state) is None  # no file yet
    save_theme(state, "nord")
    assert load_theme(state) == "nord"
    save_theme(state, "gruvbox")
    assert load_theme(state) == "gruvbox"


@pytest.mark.parametrize("content", [b"[]", b'{"theme": 3}', b"{not json", b"\xff\xfe"])
def test_a_file_that_is_not_ours_gives_no_theme(tmp_path: Path, content: bytes) -> None:
    state = tmp_path / "ui-state.json"
    state.write_bytes(content)
    assert load_theme(state) is None


def test_a_save_that_cannot_be_written_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="slv_tui.store.ui_state"):
        save_theme(blocker / "ui-state.json", "nord")
    assert "cannot save the UI state" in caplog.text
