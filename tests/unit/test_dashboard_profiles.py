"""Which profiles the dashboard watches: --profile (repeatable, each once), --all-profiles, the
config's `[dashboard] profiles`, else the default profile alone; commands other than the dashboard
take one profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.logs import preserved_logging

from slv_tui.cli import COMMANDS, _dashboard_profiles, _overrides, main
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
    with pytest.raises(UsageError, match="only the dashboard and watch take several servers"):
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


def launched(monkeypatch: pytest.MonkeyPatch, config: Path, *argv: str) -> list[Any]:
    """What the dashboard would be opened on (the launcher replaced: no screen)."""
    from slv_tui.commands import dashboard

    seen: list[Any] = []

    def fake_launch(servers: list[Any], ids: list[str], **kwargs: Any) -> int:
        seen.extend(servers)
        return 0

    monkeypatch.setattr(dashboard, "launch", fake_launch)
    with preserved_logging():  # main() sets up the log file: the logger is put back after
        assert main(["--config", str(config), *argv]) == 0
    return seen


def test_one_servers_password_is_never_sent_to_another(
    monkeypatch: pytest.MonkeyPatch, config: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("SLV_PASSWORD", "lab-secret")
    monkeypatch.setenv("SLV_URL", "http://127.0.0.1:9/elsewhere")
    several = launched(monkeypatch, config, "--profile", "lab", "--profile", "prod")
    assert [s.settings.profile for s in several] == ["lab", "prod"]
    assert [s.client_settings.url for s in several] == ["http://127.0.0.1:9/lab", "http://127.0.0.1:9/prod"]
    assert all(s.client_settings.credentials.password is None for s in several)  # each asks, naming it
    one = launched(monkeypatch, config, "--profile", "lab")
    assert one[0].client_settings.credentials.password is not None  # one server: the variable is its


def test_user_and_auth_name_one_server(
    monkeypatch: pytest.MonkeyPatch, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from slv_tui.commands import dashboard

    monkeypatch.setattr(dashboard, "launch", lambda *a, **k: pytest.fail("launched"))
    with preserved_logging():
        assert main(["--config", str(config), "--profile", "lab", "--profile", "prod", "--user", "bob"]) == 2
    assert "--user and --auth name one server's login" in capsys.readouterr().err
