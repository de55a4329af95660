"""The README and config.example.toml say what the code does."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from slv_tui.cli import SUBCOMMANDS, build_parsers
from slv_tui.config import _PROFILE_KEYS, Overrides, resolve

ROOT = Path(__file__).resolve().parents[1]


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "pip install . && slv-tui --demo" in readme
    assert "pip install -e '.[dev]' && pytest" in readme


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install --quiet -e '.[dev]' && pytest" in ci


@pytest.mark.parametrize("profile", ["prod", "staging"])
def test_example_config_resolves(profile: str) -> None:
    settings = resolve(Overrides(profile=profile), ROOT / "config.example.toml", env={})
    assert settings.url and settings.url.startswith("http")


def test_example_config_documents_every_profile_key() -> None:
    data = tomllib.loads((ROOT / "config.example.toml").read_text())
    assert set(data["servers"]["prod"]) == set(_PROFILE_KEYS)
    assert not re.search(r"^\s*password\s*=", (ROOT / "config.example.toml").read_text(), re.M)


def test_readme_lists_every_mode_and_option() -> None:
    readme = (ROOT / "README.md").read_text()
    for mode in SUBCOMMANDS:
        assert f"slv-tui {mode}" in readme
    options = {o for action in build_parsers()["status"]._actions for o in action.option_strings}
    for option in sorted(options - {"-h", "--help"}):
        assert re.search(re.escape(option) + r"\b", readme), option
