"""`[keymap]` in the config: Textual's set_keymap rebinds by binding ID; help, palette and the
launcher follow; an unknown ID is a one-line config error before anything starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.logs import preserved_logging

from slv_tui import cli
from slv_tui.ui.app import SlvApp
from slv_tui.ui.keymap import binding_ids
from slv_tui.ui.screens.add_batches import AddBatchesScreen
from slv_tui.ui.screens.help import HelpScreen

from .ui_helpers import OFFLINE, build, press, screen_text, wait_for


def test_binding_ids_are_every_declared_id() -> None:
    ids = binding_ids()
    assert {"add", "remove", "filter", "help", "quit", "password-use", "add-submit"} <= ids  # app, screens
    assert all(ids)


async def test_a_rebound_key_acts_and_is_shown(tmp_path: Path) -> None:
    stack = build(OFFLINE, tmp_path)
    app = stack.app
    app.set_keymap({"add": "A,f6"})
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "a")  # the old key does nothing now
        await press(pilot, "question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert not any(isinstance(s, AddBatchesScreen) for s in app.screen_stack)
        text = screen_text(app)
        assert "A/f6" in text and "Add" in text  # the help names the keys the keymap gave
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))
        await press(pilot, "A")
        await wait_for(pilot, lambda: isinstance(app.screen, AddBatchesScreen))
        await press(pilot, "escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, AddBatchesScreen))
        await press(pilot, "f6")
        await wait_for(pilot, lambda: isinstance(app.screen, AddBatchesScreen))


def _config(tmp_path: Path, keymap: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[servers.default]\nurl = "{OFFLINE}"\n\n[keymap]\n{keymap}\n')
    return path


@pytest.fixture(autouse=True)
def _logging_kept() -> Iterator[None]:
    """cli.main sets up the log file globally; the other tests in this process keep theirs."""
    with preserved_logging():
        yield


def test_the_launcher_applies_the_keymap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[dict[str, str]] = []
    monkeypatch.setattr(SlvApp, "run", lambda self, **kwargs: ran.append(dict(self.keymap)))
    # no password source: the dashboard would ask in its dialog (and no secret is registered here)
    assert cli.main(["--config", str(_config(tmp_path, 'add = "A"\nquit = "ctrl+q"'))]) == 0
    assert ran == [{"add": "A", "quit": "ctrl+q"}]


def test_an_unknown_binding_id_is_one_line_before_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[SlvApp] = []
    monkeypatch.setattr(SlvApp, "run", lambda self, **kwargs: ran.append(self))
    cfg = _config(tmp_path, 'ad = "A"')
    assert cli.main(["--config", str(cfg)]) == 2
    assert ran == []
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"slv-tui: error: {cfg}: keymap.ad: unknown binding id (known: ")
    assert "add" in line
