"""Which profiles the dashboard watches: --profile (repeatable, each once), --all-profiles, the
config's `[dashboard] profiles`, else the default profile alone; commands other than the dashboard
take one profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from slv_tui.cli import COMMANDS, _dashboard_profiles, _overrides
from slv_tui.commands.arguments import parse
from slv_tui.commands.connect import UsageError
from slv_tui.settings.config import ConfigError, Overrides, resolve

CONFIG = """
default_profile = "lab"
[dashboard]
profiles = ["lab", "prod"]
[servers.lab]
url = "http://127.0.0.1:9/lab"
color = "#00ff88"
[servers.prod]
url = "http://127.0.0.1:9/prod"
read_only = true
[servers.city]
url = "http://127.0.0.1:9/city"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


def profiles(config: Path, *argv: str) -> list[str]:
    return _dashboard_profiles(parse(["--config", str(config), *argv], COMMANDS))


def test_repeated_profile_in_order_each_once(config: Path) -> None:
    assert profiles(config, "--profile", "prod", "--profile", "lab", "--profile", "prod") == ["prod", "lab"]


def test_all_profiles_in_the_files_order(config: Path) -> None:
    assert profiles(config, "--all-profiles") == ["lab", "prod", "city"]
    with pytest.raises(UsageError, match="--all-profiles and --profile"):
        profiles(config, "--all-profiles", "--profile", "lab")


def test_the_dashboard_table_when_no_profile_is_given(config: Path) -> None:
    assert profiles(config) == ["lab", "prod"]
    assert profiles(config, "--profile", "city") == ["city"]


def test_url_names_one_server(config: Path) -> None:
    assert profiles(config, "--url", "http://127.0.0.1:9/x") == []  # the [dashboard] list is not used
    with pytest.raises(UsageError, match="--url names one server"):
        profiles(config, "--url", "http://127.0.0.1:9/x", "--profile", "lab", "--profile", "prod")


def test_other_commands_take_one_profile(config: Path) -> None:
    args = parse(["--config", str(config), "status", "--profile", "lab", "--profile", "prod", "1"], COMMANDS)
    with pytest.raises(UsageError, match="only the dashboard watches several servers"):
        _overrides(args)
    one = parse(["--config", str(config), "status", "--profile", "prod", "1"], COMMANDS)
    assert _overrides(one).profile == "prod"


def test_profile_color_and_dashboard_list_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[servers.lab]\nurl = "http://x"\ncolor = "[bold]red"\n')
    with pytest.raises(ConfigError, match=r"servers\.lab\.color: expected a colour name or #rrggbb"):
        resolve(Overrides(profile="lab"), path, env={})
    path.write_text('[dashboard]\nprofiles = ["lab", "nope"]\n[servers.lab]\nurl = "http://x"\n')
    with pytest.raises(ConfigError, match=r"dashboard\.profiles: no profile 'nope'"):
        resolve(Overrides(profile="lab"), path, env={})
    path.write_text(CONFIG)
    assert resolve(Overrides(profile="lab"), path, env={}).color == "#00ff88"
