"""`PROFILE:ID` parsing, which server each ID goes to, and one exit code over several servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from slv_tui.commands.targets import Target, combine, parse_target, plan
from slv_tui.settings.config import ConfigError, Overrides
from slv_tui.slv.ids import InvalidBatchId


@pytest.mark.parametrize(
    ("token", "target"),
    [
        ("100", Target(None, "100")),
        ("lab:100", Target("lab", "100")),
        ("eu-west.prod:0001481016600181", Target("eu-west.prod", "0001481016600181")),
        ("a:b:7", Target("a:b", "7")),  # the last colon splits: the ID is digits
    ],
)
def test_profile_and_id(token: str, target: Target) -> None:
    assert parse_target(token) == target
    assert str(target) == token


@pytest.mark.parametrize(
    ("token", "needle"),
    [
        ("https://cms.example.org:8443/reports", "looks like a URL"),
        ("cms.example.org:8443/reports", "looks like a URL"),
        ("12:100", "or PROFILE:ID"),
        (":100", "or PROFILE:ID"),
        (" lab:100", "or PROFILE:ID"),
        ("lab:", "expected 1 to 19 digits"),
        ("lab:1e3", "expected 1 to 19 digits"),
        ("lab:" + "9" * 20, "more than 19 digits"),
        ("lab\x1b[31m:x", "'lab:x'"),  # shown without the escape sequence
    ],
)
def test_what_is_not_a_target(token: str, needle: str) -> None:
    with pytest.raises(InvalidBatchId) as info:
        parse_target(token)
    assert needle in str(info.value) and "\x1b" not in str(info.value)


def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[servers.lab]\nurl = "http://lab.test/reports"\nusername = "ops"\n\n'
        '[servers.prod]\nurl = "http://prod.test/reports"\n'
    )
    return path


def test_the_environment_is_for_the_plain_ids_server_only(tmp_path: Path) -> None:
    env = {"SLV_URL": "http://env.test/reports", "SLV_USERNAME": "envuser", "SLV_PASSWORD": "x"}
    targets = [parse_target(t) for t in ("1", "prod:2", "1", "lab:3")]
    servers, order = plan(targets, Overrides(profile="lab", timeout=3.0), config(tmp_path), env)
    assert [(s.name, s.plain, s.batch_ids) for s in servers] == [("lab", True, ["1", "1", "3"]),
                                                                ("prod", False, ["2"])]  # fmt: skip
    lab, prod = servers
    assert (lab.settings.url, lab.settings.username) == ("http://env.test/reports", "envuser")
    assert (prod.settings.url, prod.settings.username) == ("http://prod.test/reports", "admin")
    assert prod.settings.timeout == 3.0  # run options apply to every server
    assert [(s.name, b) for s, b in order] == [("lab", "1"), ("prod", "2"), ("lab", "1"), ("lab", "3")]


def test_one_named_profile_alone_is_the_plain_one(tmp_path: Path) -> None:
    servers, _ = plan([parse_target("prod:2")], Overrides(), config(tmp_path), {"SLV_URL": "http://e/r"})
    assert [(s.name, s.plain, s.settings.url) for s in servers] == [("prod", True, "http://e/r")]


def test_an_unknown_profile_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"servers\.nope: no such profile \(defined: lab, prod\)"):
        plan([parse_target("1"), parse_target("nope:2")], Overrides(profile="lab"), config(tmp_path), {})


@pytest.mark.parametrize(
    ("codes", "code"), [([0, 0], 0), ([0, 1], 1), ([1, 3, 0], 3), ([3, 141], 141), ([], 0), ([2, 1], 2)]
)
def test_one_exit_code_over_every_server(codes: list[int], code: int) -> None:
    assert combine(codes) == code
