"""The command line's syntax: argparse subparsers built from the command table of `slv_tui.cli`,
the connection options, the argument types with one-line errors, and the dashboard's default."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from slv_tui.commands.output import EXIT_USAGE
from slv_tui.settings.config import LOG_LEVELS
from slv_tui.slv.modes import AUTH_CHOICES, AUTH_MODES

Handler = Callable[[argparse.Namespace], int]
Adder = Callable[[argparse.ArgumentParser], None]
Parsers = dict[str, argparse.ArgumentParser]
TARGET_METAVAR = "[PROFILE:]BATCH_ID"
TARGET_HELP = (
    "a batch ID (1 to 19 digits), asked of the --profile server (or the default profile);"
    " PROFILE:ID asks the config profile PROFILE instead, with its own URL and login (e.g. lab:100"
    " prod:100); --url, --user, --auth and the SLV_* variables are for the plain IDs' server only;"
    ' JSON objects name their server in "server"'
)


@dataclass(frozen=True, slots=True)
class Command:
    """A subcommand: its help, its own arguments and its handler."""

    description: str
    handler: Handler
    arguments: Adder = lambda parser: None
    connection: bool = True
    """It takes the connection options (sim and paths do not)."""
    summary: str | None = None
    """Its line in `slv-tui --help` (default: the description up to the first "(" or ";")."""

    @property
    def help(self) -> str:
        """Its line in `slv-tui --help`."""
        return self.summary or self.description.split(";")[0].split(" (")[0]


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `slv-tui status: error: ... (see 'slv-tui status --help')`."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


_N = TypeVar("_N", int, float)


def _checked(kind: type[_N], expected: str, ok: Callable[[_N], bool]) -> Callable[[str], _N]:
    """An argparse type: `kind(text)` when it converts and passes `ok`, else "expected …" in one line."""

    def convert(text: str) -> _N:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return convert


MIN_INTERVAL = 0.5
"""The shortest poll interval: faster only loads the server (`--interval 1e-9` made ~175 requests/s)."""

_positive = _checked(float, "a positive number of seconds", lambda v: v > 0 and math.isfinite(v))
_port = _checked(int, "a port number from 0 to 65535", lambda v: 0 <= v <= 65535)
_milliseconds = _checked(int, "0 or more milliseconds (a whole number)", lambda v: v >= 0)
_fraction = _checked(float, "a number from 0 to 1", lambda v: 0.0 <= v <= 1.0)  # also rejects nan
_count = _checked(int, "a whole number >= 1", lambda v: v >= 1)


# -- the arguments of each command -----------------------------------------------------------------


def _connection(parser: argparse.ArgumentParser, default: Any, *, checked: bool = True) -> None:
    """The connection options. Under a command their default is SUPPRESS, so that an option given
    before the command (`slv-tui --url U status ID`) is not reset by the command's parser; not
    `checked`, they take their values unconverted (to find the command word, see `_first_word`)."""
    group = parser.add_argument_group("connection")

    def option(*names: str, **kwargs: Any) -> None:
        if not checked:
            kwargs = {k: v for k, v in kwargs.items() if k not in ("type", "choices")}
        flag = kwargs.get("action") == "store_true"
        group.add_argument(*names, default=False if flag and default is None else default, **kwargs)

    option("--url", help="SLV CMS URL, e.g. https://cms.example.org:8443/reports (env SLV_URL)")
    option("--user", help="user name (env SLV_USERNAME)")
    option(
        "--auth",
        choices=AUTH_CHOICES,
        help="login mode: auto (default; one probe finds basic, form or the 7.8+ csrf session),"
        " basic, form, csrf, or bearer (token from SLV_TOKEN)",
    )
    option(
        "--profile",
        action="append",
        help="server profile from the config file; the dashboard and watch take it more than once"
        " (--profile lab --profile prod: both servers in one table)",
    )
    option("--config", type=Path, help="config file (env SLV_TUI_CONFIG)")
    option("--timeout", type=_positive, help="seconds per request (default 10)")
    option(
        "--interval",
        type=_positive,
        help=f"seconds between polls while running (default 2, floor {MIN_INTERVAL:g})",
    )
    option("--insecure", action="store_true", help="skip TLS certificate verification (unsafe)")
    option("--read-only", action="store_true", help="offer and accept nothing that changes the server")
    option("--log-level", choices=LOG_LEVELS, help="log file verbosity (default info)")
    option("--debug", action="store_true", help="log response bodies too")


def dashboard_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo", action="store_true", help="watch a built-in simulated SLV server")
    parser.add_argument("--version", action="store_true", help="print the version and the log file path")
    parser.add_argument(
        "--all-profiles", action="store_true", help="watch every profile of the config file in one table"
    )
    parser.add_argument("--metrics-listen", metavar="HOST:PORT", help="serve /metrics (host 127.0.0.1)")


def ids(nargs: str) -> Callable[[argparse.ArgumentParser], None]:
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("batch_ids", nargs=nargs, metavar=TARGET_METAVAR, help=TARGET_HELP)

    return add


def json(help_text: str = "machine-readable output") -> Callable[[argparse.ArgumentParser], None]:
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help=help_text)

    return add


def both(*adders: Callable[[argparse.ArgumentParser], None]) -> Callable[[argparse.ArgumentParser], None]:
    def add(parser: argparse.ArgumentParser) -> None:
        for adder in adders:
            adder(parser)

    return add


def history_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="a JSON array of events")
    parser.add_argument("--demo", action="store_true", help="what the demo dashboard (--demo) recorded")
    parser.add_argument("batch_ids", nargs=1, metavar=TARGET_METAVAR, help=TARGET_HELP)


def login_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--token", action="store_true", help="keep a bearer token, not a password")
    parser.add_argument("--stdin", action="store_true", help="read it from the first line of stdin")


def commission_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "controller", nargs="?", metavar="CONTROLLER_ID", help="controllerStrId (not with --csv)"
    )
    parser.add_argument(
        "--what",
        help="parts to commission, comma-separated: config (Controller configuration), schedules"
        " (Schedulers), devices (OLCs / devices); default all three",
    )
    parser.add_argument(
        "--scheduler", metavar="SCHEDULER_ID",
        help="calendar commissioning of CONTROLLER_ID with this schedulerId (digits):"
        " GET commissionControllersSchedulers",
    )  # fmt: skip
    parser.add_argument(
        "--csv", type=Path, metavar="FILE",
        help="device import: POST the file's bytes to importDevicesFromCsvFileAsync (no CONTROLLER_ID;"
        " the header row names the fields; at most 10 MiB)",
    )  # fmt: skip
    parser.add_argument(
        "--device", action="append", default=[], metavar="ID",
        help="commission only this device (idOnController; repeatable): the device-list variant",
    )  # fmt: skip
    parser.add_argument("--yes", action="store_true", help="start without asking (needed without a terminal)")
    parser.add_argument("--follow", action="store_true", help="then follow the batch like 'follow'")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def report_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", type=Path, metavar="FILE", help="write to FILE (atomically), not stdout")
    parser.add_argument("batch_ids", nargs="+", metavar=TARGET_METAVAR, help=TARGET_HELP)


def events_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="a JSON array of events")
    parser.add_argument(
        "--since", metavar="AGE", help="only the last AGE (90s, 30m, 8h, 2d) or since an ISO time"
    )
    parser.add_argument("--server", metavar="NAME", help="only this server (profile name)")
    parser.add_argument("--severity", choices=("info", "warning", "error"), help="this severity and worse")


def watch_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--all-profiles",
        action="store_true",
        help="watch every profile of the config file (else --profile, repeatable, or [dashboard] profiles)",
    )
    parser.add_argument(
        "--metrics-listen", metavar="HOST:PORT", help="serve /metrics for every profile (host 127.0.0.1)"
    )


def sim_args(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    add(
        "--port",
        type=_port,
        default=8080,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    add(
        "--scenario",
        default="demo",
        help="demo (batches that run), static (fixed states), or a scenario JSON file (default: %(default)s)",
    )
    add(
        "--latency-ms",
        type=_milliseconds,
        default=0,
        help="delay every answer by this many milliseconds (default: %(default)s)",
    )
    add(
        "--fault-rate",
        type=_fraction,
        default=0.0,
        help="share of answers that fail, 0 to 1 (default: %(default)s)",
    )
    add(
        "--auth",
        choices=AUTH_MODES,
        default="basic",
        help="login kind: basic, form, csrf (7.8+ session) or bearer (default: %(default)s)",
    )
    add("--user", default="admin", help="the user name it accepts (default: %(default)s)")
    add("--password", default="admin", help="the password it accepts (default: %(default)s)")
    add(
        "--token",
        default="sim-token",
        help="the bearer token accepted with --auth bearer (default: %(default)s)",
    )
    add(
        "--session-requests",
        type=_count,
        default=None,
        help="a session dies after this many API calls (default: never)",
    )


_DESCRIPTION = (
    "Watch Streetlight.Vision batches: with no command, the dashboard (BATCH_IDs given are added to"
    " its watchlist)."
)
_EPILOG = (
    "Run 'slv-tui check' first against a new server; 'slv-tui status --help',"
    " 'slv-tui follow --help' for the script commands."
)


def build_parser(commands: Mapping[str, Command]) -> argparse.ArgumentParser:
    """`slv-tui`: the dashboard's options and one subparser per command."""
    return _build(commands)[0]


def _build(
    commands: Mapping[str, Command], only: str | None = None
) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser and its subparsers by command name; with `only`, only that command's subparser
    gets its options (the others only their names and help lines, all that `--help` lists and all
    that is read when the first word is `only`: some 150 options fewer to build for `status`)."""
    parser = _Parser(
        prog="slv-tui",
        usage="%(prog)s [OPTIONS] [BATCH_ID ...]\n       %(prog)s COMMAND [OPTIONS] ...",
        description=_DESCRIPTION,
        epilog=_EPILOG,
    )
    _connection(parser, None)
    dashboard_options(parser)
    parser.set_defaults(batch_ids=[])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    subs: Parsers = {}
    for name, command in commands.items():
        sub = subparsers.add_parser(
            name, prog=f"slv-tui {name}", help=command.help, description=command.description
        )
        if only is None or name == only:
            _fill(sub, command, argparse.SUPPRESS)
        subs[name] = sub
    return parser, subs


def _fill(parser: argparse.ArgumentParser, command: Command, default: Any) -> None:
    if command.connection:
        _connection(parser, default)
    command.arguments(parser)


def command_parser(name: str, command: Command) -> argparse.ArgumentParser:
    """The parser of one command on its own (what its subparser accepts), e.g. to list its options."""
    parser = _Parser(prog=f"slv-tui {name}", description=command.description)
    _fill(parser, command, None)
    return parser


def dashboard_parser() -> argparse.ArgumentParser:
    """`slv-tui [OPTIONS] BATCH_ID ...`: the dashboard with batch IDs."""
    parser = _Parser(prog="slv-tui", description=_DESCRIPTION, epilog=_EPILOG)
    _connection(parser, None)
    dashboard_options(parser)
    parser.add_argument("batch_ids", nargs="*", metavar="BATCH_ID", help="batch IDs to add to the watchlist")
    parser.set_defaults(command=None)
    return parser


class _ProbeError(Exception):
    pass


class _Probe(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ProbeError(message)


def _first_word(argv: Sequence[str]) -> str | None:
    """The first argument that is neither an option nor an option's value, as argparse reads them
    (None when there is none, or when the options are malformed: the real parser says how)."""
    probe = _Probe(add_help=False)
    _connection(probe, None, checked=False)
    probe.add_argument("words", nargs="*")
    try:
        known, _unknown = probe.parse_known_args(argv)
    except _ProbeError:
        return None
    return known.words[0] if known.words else None


def parse(argv: Sequence[str], commands: Mapping[str, Command]) -> argparse.Namespace:
    """The arguments; `command` is None for the dashboard: no command word, or batch IDs (argparse
    has no default subcommand, so the first word decides which parser reads them)."""
    first = _first_word(argv)
    if first is None or first in commands:
        parser, subs = _build(commands, only=first)
        if first is not None and not commands[first].connection and argv[0] != first:
            parser.error(f"'{first}' takes no connection options: give its own options after it")
        args, unknown = parser.parse_known_args(argv)
        if unknown:  # said by the command's own parser, as `slv-tui status: error: ...`
            subs.get(args.command, parser).error(f"unrecognized arguments: {' '.join(unknown)}")
        return args
    return dashboard_parser().parse_args(argv)
