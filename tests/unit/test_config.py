"""TOML config: precedence CLI > env > profile, and errors that name file, key and expectation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from slv_tui.settings.config import ConfigError, Overrides, Settings, check_keymap, resolve

CONFIG = """
default_profile = "prod"

[servers.prod]
url = "https://cms.example.org:8443/reports"
username = "profile-user"
auth = "form"
timeout = 7.5
interval = 3
concurrency = 2
password_command = "pass show slv"

[servers.lab]
url = "http://lab:8080/reports"

[ui]
bell = true

[logging]
level = "debug"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


def test_profile_values(config: Path) -> None:
    s = resolve(Overrides(), config, env={})
    assert s.profile == "prod"
    assert s.url == "https://cms.example.org:8443/reports"
    assert s.username == "profile-user"
    assert s.auth == "form"
    assert s.timeout == 7.5 and s.interval == 3.0 and s.concurrency == 2
    assert s.password_command == "pass show slv"
    assert s.bell is True and s.log_level == "debug"
    assert s.config_file == config


def test_env_beats_profile(config: Path) -> None:
    env = {"SLV_URL": "https://env.example/x", "SLV_USERNAME": "env-user"}
    s = resolve(Overrides(), config, env=env)
    assert s.url == "https://env.example/x" and s.username == "env-user"


def test_cli_beats_env_and_profile(config: Path) -> None:
    env = {"SLV_URL": "https://env.example/x", "SLV_USERNAME": "env-user"}
    o = Overrides(url="https://cli.example/y", username="cli-user", auth="basic", timeout=1.0,
                  interval=0.5, insecure=True, log_level="warning")  # fmt: skip
    s = resolve(o, config, env=env)
    assert (s.url, s.username, s.auth) == ("https://cli.example/y", "cli-user", "basic")
    assert (s.timeout, s.interval, s.verify, s.log_level) == (1.0, 0.5, False, "warning")


def test_profile_override_and_defaults(config: Path) -> None:
    s = resolve(Overrides(profile="lab"), config, env={})
    assert s.profile == "lab" and s.url == "http://lab:8080/reports"
    assert (s.username, s.auth, s.timeout, s.interval, s.verify) == ("admin", "auto", 10.0, 2.0, True)


def test_env_config_path(config: Path) -> None:
    s = resolve(Overrides(), None, env={"SLV_TUI_CONFIG": str(config)})
    assert s.url == "https://cms.example.org:8443/reports"


def test_no_config_file_is_fine(tmp_path: Path) -> None:
    s = resolve(Overrides(), None, env={})  # XDG_CONFIG_HOME points into tmp_path
    assert s.url is None and s.config_file is None and s.profile == "default"


def test_missing_explicit_config_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=r"nope\.toml: file not found"):
        resolve(Overrides(), missing, env={})
    with pytest.raises(ConfigError, match=r"nope\.toml: file not found"):
        resolve(Overrides(), None, env={"SLV_TUI_CONFIG": str(missing)})


def test_unknown_profile(config: Path) -> None:
    with pytest.raises(ConfigError) as info:
        resolve(Overrides(profile="staging"), config, env={})
    msg = str(info.value)
    assert str(config) in msg and "servers.staging" in msg and "lab, prod" in msg


@pytest.mark.parametrize(
    ("toml", "key", "expectation"),
    [
        ('[servers.default]\nurll = "x"\n', "servers.default.urll", "unknown key"),
        ('colour = "red"\n', "colour", "unknown key"),
        ("[ui]\nbeep = true\n", "ui.beep", "unknown key"),
        ('[servers.default]\ntimeout = "10"\n', "servers.default.timeout", "expected a number"),
        ("[servers.default]\ntimeout = -1\n", "servers.default.timeout", "expected a positive number"),
        ("[servers.default]\ninterval = 0\n", "servers.default.interval", "expected a positive number"),
        ('[servers.default]\nverify = "yes"\n', "servers.default.verify", "expected true or false"),
        ("[servers.default]\nurl = 5\n", "servers.default.url", "expected a string"),
        ("[servers.default]\nconcurrency = 0\n", "servers.default.concurrency", "whole number >= 1"),
        ("[servers.default]\nconcurrency = 2.5\n", "servers.default.concurrency", "expected a whole number"),
        ("[servers.default]\nconcurrency = true\n", "servers.default.concurrency", "expected a whole number"),
        ('[servers.default]\nauth = "kerberos"\n', "servers.default.auth", "expected one of 'auto', 'basic'"),
        ("[ui]\nbell = 1\n", "ui.bell", "expected true or false"),
        ('[logging]\nlevel = "loud"\n', "logging.level", "expected one of debug, info, warning, error"),
        ("servers = 3\n", "servers", "expected"),
        ("[servers]\ndefault = 3\n", "servers.default", "expected a table"),
        ("this is = not toml [\n", "", "not valid TOML"),
    ],
)
def test_errors_name_file_key_and_expectation(tmp_path: Path, toml: str, key: str, expectation: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        resolve(Overrides(), path, env={})
    msg = str(info.value)
    assert msg.startswith(f"{path}: ")
    assert f": {key}: " in msg or not key
    assert expectation in msg
    assert "\n" not in msg


def test_no_password_key_in_config(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[servers.default]\npassword = "hunter2"\n')
    with pytest.raises(ConfigError, match=r"servers\.default\.password: unknown key") as info:
        resolve(Overrides(), path, env={})
    assert "hunter2" not in str(info.value)


def test_default_profile_must_exist(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('default_profile = "prod"\n[servers.lab]\nurl = "http://x"\n')
    with pytest.raises(ConfigError, match=r"default_profile: no profile 'prod' under \[servers\] \(lab\)"):
        resolve(Overrides(), path, env={})


def test_keymap_is_read_as_binding_id_and_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\nadd = "A, f6"\nquit = "ctrl+q"\n')
    settings = resolve(Overrides(), path, env={})
    assert settings.keymap == (("add", "A,f6"), ("quit", "ctrl+q"))
    check_keymap(settings, {"add", "quit"})  # known: fine


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('keymap = "a"', "keymap: expected a table"),
        ("[keymap]\nadd = 1", 'keymap.add: expected keys such as "a" or "ctrl+a,f5", got 1'),
        ('[keymap]\nadd = "  "', "keymap.add: expected keys"),
        ('[keymap]\nadd = "a\\u001b"', "keymap.add: expected keys"),
    ],
)
def test_keymap_values_are_checked(tmp_path: Path, body: str, needle: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(body + "\n")
    with pytest.raises(ConfigError, match=re.escape(needle)):
        resolve(Overrides(), path, env={})


def test_an_unknown_binding_id_names_file_key_and_the_known_ids(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\nad = "A"\n')
    settings = resolve(Overrides(), path, env={})
    with pytest.raises(ConfigError) as raised:
        check_keymap(settings, {"add", "quit"})
    assert str(raised.value) == f"{path}: keymap.ad: unknown binding id (known: add, quit)"


def test_every_config_key_comes_from_a_settings_field() -> None:
    """The key specs are derived from Settings: one declaration per key."""
    from dataclasses import fields

    from slv_tui.settings import config

    declared = {f.name for f in fields(Settings) if "config" in f.metadata}
    assert declared == {f.name for f in fields(Settings)} - {"config_file"}
    assert config._PROFILE_KEYS["timeout"] is float and config._PROFILE_KEYS["concurrency"] is int
    assert config._PROFILE_KEYS["url"] is str and config._PROFILE_KEYS["verify"] is bool
    assert set(config._UI_KEYS) == {"bell", "export_dir", "notify_finished", "notify_failed",
                                    "notify_cancel_requested"}  # fmt: skip
    top = {"default_profile", "servers", "ui", "logging", "notify", "keymap", "dashboard"}
    assert set(config._TOP_KEYS) == top
