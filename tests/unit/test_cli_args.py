"""The command line's syntax, in-process: the dashboard by default, subparsers for the commands, the
connection options before or after the command word, one-line usage errors with exit 2."""

from __future__ import annotations

from typing import Any

import pytest

from slv_tui.cli import COMMANDS, SUBCOMMANDS
from slv_tui.commands.arguments import parse


def test_no_command_is_the_dashboard() -> None:
    for argv, demo, profile in (
        ([], False, None),
        (["--demo"], True, None),
        (["--profile", "x"], False, ["x"]),  # repeatable: the dashboard watches several
    ):
        args = parse(argv, COMMANDS)
        assert (args.command, args.demo, args.profile, args.batch_ids) == (None, demo, profile, [])


def test_batch_ids_mean_the_dashboard_too() -> None:
    args = parse(["--url", "http://h/r", "123", "456", "--demo"], COMMANDS)
    assert (args.command, args.batch_ids, args.url, args.demo) == (None, ["123", "456"], "http://h/r", True)


@pytest.mark.parametrize(
    "argv",
    [
        ["--url", "http://h/r", "--interval", "3", "status", "--json", "1"],
        ["status", "--url", "http://h/r", "--interval=3", "1", "--json"],
    ],
)
def test_connection_options_before_or_after_the_command(argv: list[str]) -> None:
    args = parse(argv, COMMANDS)
    assert (args.command, args.url, args.interval, args.json, args.batch_ids) == (
        "status", "http://h/r", 3.0, True, ["1"],
    )  # fmt: skip
    assert args.user is None and args.insecure is False  # the root's defaults stay


def test_each_command_has_its_parser_and_handler() -> None:
    assert SUBCOMMANDS[:5] == ("status", "follow", "check", "login", "logout")
    assert set(SUBCOMMANDS) >= {"commission", "report", "history", "sim", "paths", "watch"}
    assert all(callable(command.handler) for command in COMMANDS.values())
    assert parse(["sim", "--port", "0"], COMMANDS).port == 0
    assert parse(["history", "--demo", "1"], COMMANDS).demo is True
    assert parse(["commission", "CTRL-1", "--device", "a", "--device", "b"], COMMANDS).device == ["a", "b"]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["status"], "slv-tui status: error: the following arguments are required: [PROFILE:]BATCH_ID"),
        (["status", "--bogus", "1"], "slv-tui status: error: unrecognized arguments: --bogus"),
        (["--url", "http://h/r", "paths"], "slv-tui: error: 'paths' takes no connection options"),
        (["--timeout", "0"], "slv-tui: error: argument --timeout: expected a positive number"),
        (["follow", "--url"], "slv-tui follow: error: argument --url: expected one argument"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(argv, COMMANDS)
    assert exited.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(said), line


def test_a_command_builds_only_its_own_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """Catches: `status` building every command's options (175 of them, ~3 ms of its start) when
    only its own subparser reads the arguments; `--help` still lists every command."""
    import argparse

    calls = 0
    init = argparse.Action.__init__

    def counting(self: argparse.Action, *args: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        init(self, *args, **kwargs)

    monkeypatch.setattr(argparse.Action, "__init__", counting)
    args = parse(["status", "--url", "http://h/r", "1"], COMMANDS)
    assert (args.command, args.batch_ids) == ("status", ["1"])
    assert calls <= 80, f"{calls} options built to read one command"  # 66: status, the top, help lines
