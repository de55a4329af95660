"""Command line: parse arguments, pick a mode, load config; the UI is imported only for the dashboard."""

from __future__ import annotations

import argparse
import math
import os
import ssl
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import httpx

from slv_tui import __version__
from slv_tui.commands.follow import run_follow
from slv_tui.commands.output import EXIT_INTERRUPTED, EXIT_USAGE, Output, run
from slv_tui.commands.status import run_status
from slv_tui.common import paths
from slv_tui.common.logs import setup_logging
from slv_tui.common.sanitize import clean
from slv_tui.settings.config import LOG_LEVELS, ConfigError, Overrides, Settings, check_files, resolve
from slv_tui.settings.credentials import find_secret
from slv_tui.settings.keystore import Kind
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.slv.commission import CommissionRequest
from slv_tui.slv.ids import InvalidBatchId, validate_id
from slv_tui.slv.modes import AUTH_CHOICES, AUTH_MODES, AuthChoice
from slv_tui.store.history import HistoryRecorder, HistoryStore, history_dir

SUBCOMMANDS = (
    "status",
    "follow",
    "check",
    "login",
    "logout",
    "commission",
    "report",
    "history",
    "sim",
    "paths",
    "watch",
)
_VALUE_OPTIONS = {
    "--url", "--user", "--auth", "--profile", "--config", "--timeout", "--interval", "--log-level",
}  # fmt: skip


class UsageError(Exception):
    """A usage or configuration problem: exit 2 before any request."""


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


def _batch_id(token: str, mode: str) -> str:
    """A batch ID exactly as typed: 1 to 19 ASCII digits, nothing around them."""
    try:
        batch_id = validate_id(token)
    except InvalidBatchId as exc:
        if mode == "dashboard" and token.isalpha():  # `slv-tui stauts 123`: a mistyped command?
            raise InvalidBatchId(f"{exc} (or a command: {', '.join(SUBCOMMANDS)})") from None
        raise
    return batch_id


def _connection_options() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    group = common.add_argument_group("connection")
    group.add_argument("--url", help="SLV CMS URL, e.g. https://cms.example.org:8443/reports (env SLV_URL)")
    group.add_argument("--user", help="user name (env SLV_USERNAME)")
    group.add_argument(
        "--auth",
        choices=AUTH_CHOICES,
        help="login mode: auto (default; one probe finds basic, form or the 7.8+ csrf session),"
        " basic, form, csrf, or bearer (token from SLV_TOKEN)",
    )
    group.add_argument("--profile", help="server profile from the config file")
    group.add_argument("--config", type=Path, help="config file (env SLV_TUI_CONFIG)")
    group.add_argument("--timeout", type=_positive, help="seconds per request (default 10)")
    group.add_argument(
        "--interval",
        type=_positive,
        help=f"seconds between polls while running (default 2, floor {MIN_INTERVAL:g})",
    )
    group.add_argument("--insecure", action="store_true", help="skip TLS certificate verification (unsafe)")
    group.add_argument(
        "--read-only", action="store_true", help="offer and accept nothing that changes the server"
    )
    group.add_argument("--log-level", choices=LOG_LEVELS, help="log file verbosity (default info)")
    group.add_argument("--debug", action="store_true", help="log response bodies too")
    return common


def build_parsers() -> dict[str, argparse.ArgumentParser]:
    """One parser per mode; `dashboard` is the default mode."""
    common = _connection_options()
    dashboard = _Parser(
        prog="slv-tui",
        parents=[common],
        description="Watch Streetlight.Vision batches"
        " (modes: dashboard, status, follow, history, check, login, logout, commission, report, sim, paths).",
        epilog="Run 'slv-tui check' first against a new server; 'slv-tui status --help',"
        " 'slv-tui follow --help' for the script commands.",
    )
    dashboard.add_argument(
        "batch_ids", nargs="*", metavar="BATCH_ID", help="batch IDs to add to the watchlist"
    )
    dashboard.add_argument("--demo", action="store_true", help="watch a built-in simulated SLV server")
    dashboard.add_argument("--version", action="store_true", help="print the version and the log file path")
    parsers: dict[str, argparse.ArgumentParser] = {"dashboard": dashboard}

    def command(name: str, description: str) -> argparse.ArgumentParser:
        """A subcommand with the connection options, registered under its name."""
        parsers[name] = _Parser(prog=f"slv-tui {name}", parents=[common], description=description)
        return parsers[name]

    for name, text in (
        ("status", "print each batch's state once and exit (0 ok, 1 failed/cancelled/errors, 3 fetch error)"),
        ("follow", "poll until every batch has finished, printing each change"),
    ):
        sub = command(name, text)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        sub.add_argument("batch_ids", nargs="+", metavar="BATCH_ID")
    history = command(
        "history",
        "print the recorded timeline of a batch (what the dashboard and follow saw),"
        " oldest first (exit 0, 1 when nothing was recorded)",
    )
    history.add_argument("--json", action="store_true", help="a JSON array of events")
    history.add_argument("--demo", action="store_true", help="what the demo dashboard (--demo) recorded")
    history.add_argument("batch_ids", nargs=1, metavar="BATCH_ID")
    check = command(
        "check",
        "can slv-tui read batches from this server? reachability, TLS, login mode, user,"
        " and advice (exit 0 yes, 3 no, 2 usage/config)",
    )
    check.add_argument("--json", action="store_true", help="machine-readable output")
    login = command(
        "login",
        "ask once (masked) for the profile's password, or token with --token, and keep it"
        " in the system keyring (exit 2 and nothing changes when there is no keyring)",
    )
    login.add_argument("--token", action="store_true", help="keep a bearer token, not a password")
    login.add_argument("--stdin", action="store_true", help="read it from the first line of stdin")
    commission = command(
        "commission",
        "start commissioning a controller (or some of its devices), after a confirmation;"
        " the new batch joins the watchlist (exit 0 started, 1 refused by the server, 2 usage,"
        " read-only or not confirmed, 3 not reached or not logged in)",
    )
    commission.add_argument("controller", metavar="CONTROLLER_ID")
    commission.add_argument(
        "--what",
        default="config,schedules,devices",
        help="parts to commission, comma-separated: config (Controller configuration), schedules"
        " (Schedulers), devices (OLCs / devices); default all three",
    )
    commission.add_argument(
        "--device", action="append", default=[], metavar="ID",
        help="commission only this device (idOnController; repeatable): the device-list variant",
    )  # fmt: skip
    commission.add_argument(
        "--yes", action="store_true", help="start without asking (needed without a terminal)"
    )
    commission.add_argument("--follow", action="store_true", help="then follow the batch like 'follow'")
    commission.add_argument("--json", action="store_true", help="machine-readable output")
    report = command(
        "report",
        "write a Markdown report of each batch: header, steps with counts, every warning"
        " and error (exit 0, 3 when a batch could not be fetched)",
    )
    report.add_argument("--output", type=Path, metavar="FILE", help="write to FILE (atomically), not stdout")
    report.add_argument("batch_ids", nargs="+", metavar="BATCH_ID")
    watch = command("watch", "watch the profile's watchlist headless: one JSON line per event; 0 on SIGTERM")
    watch.add_argument("--metrics-listen", metavar="HOST:PORT", help="serve /metrics (host 127.0.0.1)")
    command(
        "logout",
        "forget the profile's password and token from the system keyring",
    )
    sim = _Parser(
        prog="slv-tui sim",
        description="run the SLV simulator (a fake server for trying slv-tui); it prints its URL and the "
        "batch IDs it serves at start. Log in with the user admin and the password admin unless "
        "--user/--password say otherwise. Example: slv-tui sim --port 8080, then "
        "SLV_PASSWORD=admin slv-tui --url http://127.0.0.1:8080/reports <ID>",
    )
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    sim.add_argument(
        "--port",
        type=_port,
        default=8080,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    sim.add_argument(
        "--scenario",
        default="demo",
        help="demo (batches that run), static (fixed states), or a scenario JSON file (default: %(default)s)",
    )
    sim.add_argument(
        "--latency-ms",
        type=_milliseconds,
        default=0,
        help="delay every answer by this many milliseconds (default: %(default)s)",
    )
    sim.add_argument(
        "--fault-rate",
        type=_fraction,
        default=0.0,
        help="share of answers that fail, 0 to 1 (default: %(default)s)",
    )
    sim.add_argument(
        "--auth",
        choices=AUTH_MODES,
        default="basic",
        help="login kind: basic, form, csrf (7.8+ session) or bearer (default: %(default)s)",
    )
    sim.add_argument("--user", default="admin", help="the user name it accepts (default: %(default)s)")
    sim.add_argument("--password", default="admin", help="the password it accepts (default: %(default)s)")
    sim.add_argument(
        "--token",
        default="sim-token",
        help="the bearer token accepted with --auth bearer (default: %(default)s)",
    )
    sim.add_argument(
        "--session-requests",
        type=_count,
        default=None,
        help="a session dies after this many API calls (default: never)",
    )
    parsers["sim"] = sim
    parsers["paths"] = _Parser(prog="slv-tui paths", description="print where files live")
    return parsers


def split_mode(argv: Sequence[str]) -> tuple[str, list[str]]:
    """Find the subcommand (if any) among leading options; batch IDs mean the dashboard."""
    skip = False
    for index, token in enumerate(argv):
        if skip:
            skip = False
        elif token in SUBCOMMANDS:
            return token, [*argv[:index], *argv[index + 1 :]]
        elif token in _VALUE_OPTIONS:
            skip = True
        elif not token.startswith("-"):
            break
    return "dashboard", list(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `slv-tui` console script."""
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:  # Ctrl-C at the password prompt, in a password_command, ...
        print("slv-tui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str]) -> int:
    mode, rest = split_mode(argv)
    args = build_parsers()[mode].parse_args(rest)
    try:
        if mode == "sim":
            from slv_tui.sim import run_sim

            return run_sim(
                host=args.host, port=args.port, scenario=args.scenario, latency_ms=args.latency_ms,
                fault_rate=args.fault_rate, auth=args.auth, username=args.user, password=args.password,
                token=args.token, session_max_uses=args.session_requests,
            )  # fmt: skip
        if mode == "paths":
            return _print_paths()
        if mode == "dashboard" and args.version:
            print(clean(f"slv-tui {__version__} (log file: {paths.log_file()})"))
            return 0
        ids = [_batch_id(token, mode) for token in getattr(args, "batch_ids", [])]
        if mode == "dashboard" and args.demo:
            return _dashboard_demo(args, ids)
        if mode == "history" and args.demo:
            from slv_tui.commands.dashboard import DEMO_PROFILE
            from slv_tui.commands.history import run_history

            return run_history(_history_store(DEMO_PROFILE), ids[0], as_json=args.json)
        settings = resolve(_overrides(args), args.config)
        request = _commission_request(args, settings) if mode == "commission" else None
        settings = replace(settings, interval=_floored(settings.interval))
        setup_logging(paths.log_file(), settings.log_level, debug=args.debug)
        if mode == "history":
            from slv_tui.commands.history import run_history

            return run_history(_history_store(settings.profile), ids[0], as_json=args.json)
        auth = _auth_mode(settings)
        kind: Kind = "token" if auth == "bearer" else "password"
        if mode in ("login", "logout"):
            from slv_tui.commands.login import run_login, run_logout

            if mode == "logout":
                return run_logout(settings)
            return run_login(settings, "token" if args.token else kind, from_stdin=args.stdin)
        _check_url(settings.url)
        check_files(settings)
        interactive = mode == "dashboard"
        secret = find_secret(settings, kind, prompt=not interactive)
        if secret is None and not interactive:
            env = "SLV_TOKEN" if kind == "token" else "SLV_PASSWORD"
            if sys.stdin.isatty():
                raise UsageError(f"no {kind} entered (or set {env}, 'slv-tui login', or a {kind}_command)")
            raise UsageError(
                f"no {kind} given: set {env}, run 'slv-tui login', give the profile a {kind}_command,"
                " or run in a terminal"
            )
        client_settings = _client_settings(settings, secret, auth)
        if mode != "check":
            for warning in client_settings.warnings():
                print(clean(f"slv-tui: warning: {warning}"), file=sys.stderr)
        if mode == "dashboard":
            return _dashboard(settings, client_settings, ids)
        output = Output(json=getattr(args, "json", False), color=_use_color())
        client = _new_client(client_settings)
        if mode == "check":
            from slv_tui.commands.check import run_check

            return run(_closing(client, run_check(client, settings.profile, output, settings.auth)))
        if mode == "status":
            return run(_closing(client, run_status(client, ids, output)))
        if request is not None:
            return _commission(args, settings, client, request, output)
        if mode == "watch":
            from slv_tui.commands.watch import main_watch

            return main_watch(settings, client, output, args.metrics_listen)
        if mode == "report":
            from slv_tui.commands.report import run_report

            return run(
                _closing(
                    client,
                    run_report(
                        client,
                        ids,
                        output,
                        output_file=args.output,
                        history=_history_store(settings.profile).read,
                    ),
                )
            )
        recorder = HistoryRecorder(_history_store(settings.profile))
        try:
            follow = run_follow(client, ids, output, settings.interval, on_poll=recorder.record)
            return run(_closing(client, follow))
        finally:
            recorder.close()
    except (InvalidBatchId, ConfigError, UsageError) as exc:
        print(clean(f"slv-tui: error: {exc}"), file=sys.stderr)  # paths and config values are data
        return EXIT_USAGE


def _history_store(profile: str) -> HistoryStore:
    return HistoryStore(history_dir(paths.data_dir(), profile))


async def _closing(client: SlvClient, command: Coroutine[Any, Any, int]) -> int:
    try:
        return await command
    finally:
        await client.aclose()


def _overrides(args: argparse.Namespace) -> Overrides:
    return Overrides(
        url=args.url, username=args.user, auth=args.auth, profile=args.profile, timeout=args.timeout,
        interval=args.interval, insecure=args.insecure, log_level=args.log_level, read_only=args.read_only,
    )  # fmt: skip


def _commission_request(args: argparse.Namespace, settings: Settings) -> CommissionRequest:
    """The checked request of `commission`; read-only or a bad argument is a UsageError (nothing sent)."""
    from slv_tui.slv.commission import CommissionError, flags_of, make_request

    if settings.read_only:
        raise UsageError(f"read-only (profile {settings.profile!r} or --read-only): nothing is started")
    try:
        flags = flags_of(args.what.split(","))
        return make_request(args.controller, flags=flags, devices=args.device)
    except CommissionError as exc:
        raise UsageError(str(exc)) from None


def _commission(
    args: argparse.Namespace,
    settings: Settings,
    client: SlvClient,
    request: CommissionRequest,
    output: Output,
) -> int:
    from slv_tui.commands.commission import Target, run_commission, terminal_ask

    target = Target(client.settings.base_url, settings.username, settings.profile)
    command = run_commission(
        client, request, target, output, yes=args.yes, ask=terminal_ask(), follow=args.follow,
        watchlist_path=paths.watchlist_file(settings.profile), interval=settings.interval,
    )  # fmt: skip
    return run(_closing(client, command))


def _floored(interval: float) -> float:
    """The poll interval raised to the floor, saying so in one line on stderr when it was below."""
    if interval >= MIN_INTERVAL:
        return interval
    print(f"slv-tui: note: interval {interval:g} s raised to the {MIN_INTERVAL:g} s floor", file=sys.stderr)
    return MIN_INTERVAL


def _check_url(url: str | None) -> str:
    """The server URL, stripped, or a one-line UsageError; a password in it is never shown."""
    if not url or not url.strip():
        raise UsageError(
            "no server URL: give --url, set SLV_URL, or set url in the config profile"
            " (`slv-tui paths` shows where; see config.example.toml), or try `slv-tui --demo`"
        )
    url = url.strip()
    expected = "expected http(s)://host[:port][/path]"
    try:
        parts = urlsplit(url)
        shown = repr(_without_userinfo(url, parts.netloc))
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise UsageError(f"invalid server URL {shown}: {expected}")
        if parts.username is not None or parts.password is not None:
            raise UsageError(
                f"invalid server URL {shown}: it must not hold a user name or password;"
                " use --user and SLV_PASSWORD (or the profile's password_command)"
            )
        if parts.query or parts.fragment or url.endswith(("?", "#")):
            raise UsageError(f"invalid server URL {shown}: no ?query or #fragment allowed; {expected}")
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number from 0 to 65535
        # What the client will build: control characters, a malformed IDN (xn--); .host decodes the IDN
        # (idna.IDNAError is a ValueError).
        httpx.URL(url).host  # noqa: B018
    except (ValueError, httpx.InvalidURL) as exc:
        shown = repr(_without_userinfo(url, None))
        raise UsageError(f"invalid server URL {shown}: {clean(str(exc))}; {expected}") from None
    return url


def _without_userinfo(url: str, netloc: str | None) -> str:
    """The URL with any `user:password@` replaced, for messages."""
    if netloc is None:
        _scheme, sep, rest = url.partition("://")
        netloc = rest.split("/", 1)[0] if sep else ""
    if "@" not in netloc:
        return url
    return url.replace(netloc, "***@" + netloc.rsplit("@", 1)[1], 1)


def _auth_mode(settings: Settings, env: dict[str, str] | None = None) -> AuthChoice:
    """The login mode asked for; `auto` with SLV_TOKEN set (and no SLV_PASSWORD) means bearer."""
    env = dict(os.environ) if env is None else env
    if settings.auth == "auto" and env.get("SLV_TOKEN") and not env.get("SLV_PASSWORD"):
        return "bearer"
    return settings.auth


def _client_settings(settings: Settings, password: Secret | None, auth: AuthChoice) -> ClientSettings:
    return ClientSettings(
        url=_check_url(settings.url),
        credentials=Credentials(settings.username, password, auth),
        timeout=settings.timeout,
        verify=settings.verify,
        ca_bundle=settings.ca_bundle,
        concurrency=settings.concurrency,
    )


def _new_client(client_settings: ClientSettings) -> SlvClient:
    """The HTTP client; an unreadable CA bundle is a configuration error, not a traceback."""
    try:
        return SlvClient(client_settings)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
        raise ConfigError(f"ca_bundle {client_settings.ca_bundle}: cannot load it ({reason})") from None


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _print_paths() -> int:
    print(clean(f"config:     {paths.default_config_file()}"))
    print(clean(f"data:       {paths.data_dir()}"))
    print(clean(f"watchlists: {paths.watchlist_file('default').parent}"))
    print(clean(f"log file:   {paths.log_file()}"))
    return 0


def _dashboard(settings: Settings, client_settings: ClientSettings, ids: list[str]) -> int:
    from slv_tui.commands.dashboard import launch

    client = _new_client(client_settings)  # an unreadable CA bundle: one line, before the screen opens
    path = paths.watchlist_file(settings.profile)
    return int(launch(settings, client_settings, ids, watchlist_path=path, client=client))


def _dashboard_demo(args: argparse.Namespace, ids: list[str]) -> int:
    from slv_tui.commands.dashboard import launch_demo

    interval = _floored(args.interval or 1.0)
    return int(launch_demo(ids, interval=interval, debug=args.debug, read_only=args.read_only))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
