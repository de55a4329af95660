"""Command line: argparse subparsers and a table from command to handler; the UI is imported only for
the dashboard.

`slv-tui [OPTIONS] [BATCH_ID ...]` is the dashboard; `slv-tui COMMAND ...` runs a command of
`COMMANDS`. The connection options may come before the command too (`slv-tui --url U status ID`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Coroutine, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from slv_tui import __version__
from slv_tui.commands import arguments as a
from slv_tui.commands.arguments import MIN_INTERVAL, Command
from slv_tui.commands.connect import UsageError, connect, connect_client, new_client, secret_kind, use_color
from slv_tui.commands.output import EXIT_INTERRUPTED, EXIT_USAGE, Output, run
from slv_tui.common import paths
from slv_tui.common.logs import setup_logging
from slv_tui.common.sanitize import clean
from slv_tui.settings.config import ConfigError, Overrides, Settings, resolve
from slv_tui.slv.client import SlvClient
from slv_tui.slv.ids import InvalidBatchId, validate_id

if TYPE_CHECKING:  # imported where used: `status` needs none of them (a start-up guard counts imports)
    from slv_tui.slv.commission import CommissionRequest
    from slv_tui.store.history import HistoryStore

__all__ = ["COMMANDS", "SUBCOMMANDS", "UsageError", "build_parser", "main"]


# -- what every command that talks to a server does first ------------------------------------------


def _batch_ids(args: argparse.Namespace) -> list[str]:
    """The batch IDs exactly as typed: 1 to 19 ASCII digits, nothing around them."""
    ids = []
    for token in getattr(args, "batch_ids", []):
        try:
            ids.append(validate_id(token))
        except InvalidBatchId as exc:
            if args.command is None and token.isalpha():  # `slv-tui stauts 123`: a mistyped command?
                raise InvalidBatchId(f"{exc} (or a command: {', '.join(SUBCOMMANDS)})") from None
            raise
    return ids


def _profiles(args: argparse.Namespace) -> list[str]:
    """The --profile names given, in order, each once."""
    given = args.profile if isinstance(args.profile, list) else [args.profile] if args.profile else []
    return list(dict.fromkeys(given))


def _overrides(args: argparse.Namespace, profile: str | None = None) -> Overrides:
    names = _profiles(args)
    if profile is None and len(names) > 1:
        raise UsageError("--profile given more than once: only the dashboard and watch take several servers")
    profile = profile or (names[0] if names else None)
    return Overrides(
        url=args.url, username=args.user, auth=args.auth, profile=profile, timeout=args.timeout,
        interval=args.interval, insecure=args.insecure, log_level=args.log_level, read_only=args.read_only,
    )  # fmt: skip


def _resolved(args: argparse.Namespace) -> Settings:
    return resolve(_overrides(args), args.config)


def _started(args: argparse.Namespace, settings: Settings) -> Settings:
    """The settings with the interval raised to the floor; the log file opened."""
    settings = replace(settings, interval=_floored(settings.interval))
    setup_logging(paths.log_file(), settings.log_level, debug=args.debug)
    return settings


def _floored(interval: float) -> float:
    """The poll interval raised to the floor, saying so in one line on stderr when it was below."""
    if interval >= MIN_INTERVAL:
        return interval
    print(f"slv-tui: note: interval {interval:g} s raised to the {MIN_INTERVAL:g} s floor", file=sys.stderr)
    return MIN_INTERVAL


def _client(args: argparse.Namespace, settings: Settings, *, warn: bool = True) -> tuple[SlvClient, Output]:
    """The client (its secret found, or a UsageError) and where the results go."""
    client_settings = connect(settings, warn=warn)
    output = Output(json=getattr(args, "json", False), color=use_color())
    return new_client(client_settings), output


async def _closing(client: SlvClient, command: Coroutine[Any, Any, int]) -> int:
    try:
        return await command
    finally:
        await client.aclose()


def _history_store(profile: str) -> HistoryStore:
    from slv_tui.store.history import HistoryStore, history_dir

    return HistoryStore(history_dir(paths.data_dir(), profile))


def _targets(args: argparse.Namespace) -> int:
    """`status`, `follow`, `report`, `history` over the servers their `PROFILE:ID`s name."""
    from slv_tui.commands.targets import TargetRun, run_targets

    targets = TargetRun(
        args.batch_ids, _overrides(args), args.config, json=getattr(args, "json", False),
        color=use_color(), debug=args.debug, output_file=getattr(args, "output", None),
    )  # fmt: skip
    return run_targets(args.command, targets, connect=connect_client, floor=_floored)


# -- the handlers: one per command ----------------------------------------------------------------


def _dashboard(args: argparse.Namespace) -> int:
    if args.version:
        print(clean(f"slv-tui {__version__} (log file: {paths.log_file()})"))
        return 0
    ids = _batch_ids(args)
    if args.demo:
        from slv_tui.commands.dashboard import launch_demo

        interval = _floored(args.interval or 1.0)
        return int(launch_demo(ids, interval=interval, debug=args.debug, read_only=args.read_only))
    from slv_tui.common.collector import collection_paused

    with collection_paused():  # the dashboard's modules and settings: alive until exit (see `launch`)
        from slv_tui.commands.dashboard import Server, launch

        names = _dashboard_profiles(args)
        if ids and len(names) > 1:
            raise UsageError(
                "batch IDs with several profiles: add them in the dashboard (a asks which server)"
            )
        servers = []
        for settings, env in _each_profile(args, names):
            client_settings = connect(settings, interactive=True, env=env)  # the dashboard asks (a dialog)
            client = new_client(client_settings)  # an unreadable CA bundle: one line, before the screen
            servers.append(Server(settings, client_settings, client, paths.watchlist_file(settings.profile)))
    return int(launch(servers, ids, metrics_listen=args.metrics_listen))


def _each_profile(args: argparse.Namespace, names: list[str]) -> list[tuple[Settings, dict[str, str] | None]]:
    """Each profile's settings (the log file opened once, the interval floored) and the environment
    to find its secret in: with several profiles each has its own URL, user and secrets, none sent to
    another server (the environment without SLV_URL, SLV_PASSWORD, ...); None: the real one."""
    from slv_tui.commands.targets import own_env

    out: list[tuple[Settings, dict[str, str] | None]] = []
    each: list[str | None] = [*names] or [None]
    for name in each:
        overrides, env = _overrides(args, name), None
        if len(names) > 1:
            overrides, env = _profile_only(args, name), own_env()
        settings = resolve(overrides, args.config, env)
        if not out:  # one log set-up
            settings = _started(args, settings)
        else:
            settings = replace(settings, interval=_floored(settings.interval))
        out.append((settings, env))
    return out


def _profile_only(args: argparse.Namespace, profile: str | None) -> Overrides:
    """The options that apply to every server of a dashboard of several (not --url, --user, --auth)."""
    if args.user or args.auth:
        raise UsageError(
            "--user and --auth name one server's login: with several profiles, set them per profile"
        )
    return Overrides(profile=profile, timeout=args.timeout, interval=args.interval, insecure=args.insecure,
                     log_level=args.log_level, read_only=args.read_only)  # fmt: skip


def _dashboard_profiles(args: argparse.Namespace) -> list[str]:
    """The profiles the dashboard watches: --profile (repeatable), --all-profiles, `[dashboard]
    profiles`, else the one default profile ([])."""
    from slv_tui.settings.config import profile_names

    names = _profiles(args)
    if args.all_profiles:
        if names:
            raise UsageError("--all-profiles and --profile: give one of them")
        names = profile_names(args.config)
        if not names:
            raise UsageError("--all-profiles: the config file defines no profile under [servers]")
    elif not names and not args.url:
        names = list(resolve(_overrides(args), args.config).dashboard_profiles)
    if len(names) > 1 and args.url:
        raise UsageError("--url names one server: give it with one profile (or none)")
    return names


def _check(args: argparse.Namespace) -> int:
    from slv_tui.commands.check import run_check

    settings = _started(args, _resolved(args))
    client, output = _client(args, settings, warn=False)  # check reports the warnings as findings
    return run(_closing(client, run_check(client, settings.profile, output, settings.auth)))


def _login(args: argparse.Namespace) -> int:
    from slv_tui.commands.login import run_login

    settings = _started(args, _resolved(args))
    return run_login(settings, "token" if args.token else secret_kind(settings), from_stdin=args.stdin)


def _logout(args: argparse.Namespace) -> int:
    from slv_tui.commands.login import run_logout

    return run_logout(_started(args, _resolved(args)))


def _commission(args: argparse.Namespace) -> int:
    from slv_tui.commands.commission import Target, run_commission, terminal_ask

    settings = _resolved(args)
    request = _commission_request(args, settings)  # read-only or a bad argument: nothing is sent
    settings = _started(args, settings)
    client, output = _client(args, settings)
    target = Target(client.settings.base_url, settings.username, settings.profile)
    command = run_commission(
        client, request, target, output, yes=args.yes, ask=terminal_ask(), follow=args.follow,
        watchlist_path=paths.watchlist_file(settings.profile), interval=settings.interval,
    )  # fmt: skip
    return run(_closing(client, command))


def _commission_request(args: argparse.Namespace, settings: Settings) -> CommissionRequest:
    """The checked request of `commission`; read-only or a bad argument is a UsageError (nothing sent)."""
    from slv_tui.slv.commission import CommissionError, flags_of, make_request, scheduler_request
    from slv_tui.store.device_csv import read_device_csv

    if settings.read_only:
        raise UsageError(f"read-only (profile {settings.profile!r} or --read-only): nothing is started")
    parts = args.what is not None or args.device
    try:
        if args.csv is not None:
            if args.controller is not None or parts or args.scheduler is not None:
                raise CommissionError("--csv takes no CONTROLLER_ID, --what, --device or --scheduler")
            return read_device_csv(args.csv)
        if args.controller is None:
            raise CommissionError("no CONTROLLER_ID given (or --csv FILE for a device import)")
        if args.scheduler is not None:
            if parts:
                raise CommissionError("--scheduler takes no --what or --device")
            return scheduler_request(args.controller, args.scheduler)
        flags = flags_of(("config,schedules,devices" if args.what is None else args.what).split(","))
        return make_request(args.controller, flags=flags, devices=args.device)
    except CommissionError as exc:
        raise UsageError(str(exc)) from None


def _history(args: argparse.Namespace) -> int:
    if not args.demo:
        return _targets(args)
    from slv_tui.commands.dashboard import DEMO_PROFILE
    from slv_tui.commands.history import run_history

    (batch_id,) = _batch_ids(args)
    return run_history(_history_store(DEMO_PROFILE), batch_id, as_json=args.json)


def _events(args: argparse.Namespace) -> int:
    from slv_tui.commands.events import run_events

    return run_events(args.json, since=args.since, server=args.server, severity=args.severity)


def _watch(args: argparse.Namespace) -> int:
    """`slv-tui watch` over the profiles the dashboard would take (one Board each)."""
    from slv_tui.commands.watch_run import main_watch

    profiles = []
    for settings, env in _each_profile(args, _dashboard_profiles(args)):
        client_settings = connect(settings, env=env)
        profiles.append((settings, new_client(client_settings)))
    output = Output(json=False, color=use_color())
    return main_watch(profiles, output, args.metrics_listen)


def _sim(args: argparse.Namespace) -> int:
    from slv_tui.sim import run_sim

    return run_sim(
        host=args.host, port=args.port, scenario=args.scenario, latency_ms=args.latency_ms,
        fault_rate=args.fault_rate, auth=args.auth, username=args.user, password=args.password,
        token=args.token, session_max_uses=args.session_requests,
    )  # fmt: skip


def _paths(args: argparse.Namespace) -> int:
    print(clean(f"config:     {paths.default_config_file()}"))
    print(clean(f"data:       {paths.data_dir()}"))
    print(clean(f"watchlists: {paths.watchlist_file('default').parent}"))
    print(clean(f"log file:   {paths.log_file()}"))
    return 0


# -- the table --------------------------------------------------------------------------------------

COMMANDS: dict[str, Command] = {
    "status": Command(
        "print each batch's state once and exit (0 ok, 1 failed/cancelled/errors, 3 fetch error)",
        _targets, a.both(a.json(), a.ids("+")),
    ),
    "follow": Command(
        "poll until every batch has finished, printing each change", _targets, a.both(a.json(), a.ids("+"))
    ),
    "check": Command(
        "can slv-tui read batches from this server? reachability, TLS, login mode, user,"
        " and advice (exit 0 yes, 3 no, 2 usage/config)",
        _check, a.json(),
    ),
    "login": Command(
        "ask once (masked) for the profile's password, or token with --token, and keep it"
        " in the system keyring (exit 2 and nothing changes when there is no keyring)",
        _login, a.login_args, summary="keep the profile's password, or token, in the system keyring",
    ),
    "logout": Command("forget the profile's password and token from the system keyring", _logout),
    "commission": Command(
        "start commissioning a controller (or some of its devices, or its calendar with --scheduler),"
        " or a device import from a CSV file (--csv), after a confirmation; the new batch joins"
        " the watchlist (exit 0 started, 1 refused by the server, 2 usage, read-only, unreadable"
        " file or not confirmed, 3 not reached or not logged in)",
        _commission, a.commission_args,
    ),
    "report": Command(
        "write a Markdown report of each batch: header, steps with counts, every warning"
        " and error (exit 0, 3 when a batch could not be fetched)",
        _targets, a.report_args,
    ),
    "history": Command(
        "print the recorded timeline of a batch (what the dashboard and follow saw),"
        " oldest first (exit 0, 1 when nothing was recorded)",
        _history, a.history_args,
    ),
    "sim": Command(
        "run the SLV simulator (a fake server for trying slv-tui); it prints its URL and the "
        "batch IDs it serves at start. Log in with the user admin and the password admin unless "
        "--user/--password say otherwise. Example: slv-tui sim --port 8080, then "
        "SLV_PASSWORD=admin slv-tui --url http://127.0.0.1:8080/reports <ID>",
        _sim, a.sim_args, connection=False,
    ),
    "paths": Command("print where files live", _paths, connection=False),
    "watch": Command(
        "watch the profiles' watchlists headless (the dashboard's profiles: --profile, repeatable,"
        " --all-profiles or [dashboard] profiles): one JSON line per event naming its server, one"
        " /metrics for all; exit 0 on SIGTERM/SIGINT, 2 usage",
        _watch, a.watch_args, summary="watch the watchlists headless: one JSON line per event",
    ),
    "events": Command(
        "print the event feed of every server, oldest first (exit 0, 2 unreadable)",
        _events, a.events_args, connection=False,
    ),
}  # fmt: skip
SUBCOMMANDS = tuple(COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    """The parser of `slv-tui COMMAND ...` (and of the dashboard's options)."""
    return a.build_parser(COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `slv-tui` console script."""
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:  # Ctrl-C at the password prompt, in a password_command, ...
        print("slv-tui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str]) -> int:
    args = a.parse(argv, COMMANDS)
    handler = _dashboard if args.command is None else COMMANDS[args.command].handler
    try:
        return handler(args)
    except (InvalidBatchId, ConfigError, UsageError) as exc:
        print(clean(f"slv-tui: error: {exc}"), file=sys.stderr)  # paths and config values are data
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
