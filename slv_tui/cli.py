"""Command line: parse arguments, pick a mode, load config; the UI is imported only for the dashboard."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from slv_tui import __version__, paths
from slv_tui.config import LOG_LEVELS, ConfigError, Overrides, Settings, resolve
from slv_tui.credentials import find_password
from slv_tui.headless import EXIT_USAGE, Output, run, run_follow, run_status
from slv_tui.logs import setup_logging
from slv_tui.slv.auth import AUTH_MODES, Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.slv.ids import InvalidBatchId, validate_id

SUBCOMMANDS = ("status", "follow", "sim", "paths")
_VALUE_OPTIONS = {
    "--url", "--user", "--auth", "--profile", "--config", "--timeout", "--interval", "--log-level",
}  # fmt: skip


class UsageError(Exception):
    """A usage or configuration problem: exit 2 before any request."""


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _connection_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("connection")
    group.add_argument("--url", help="SLV CMS URL, e.g. https://cms.example.org:8443/reports (env SLV_URL)")
    group.add_argument("--user", help="user name (env SLV_USERNAME)")
    group.add_argument("--auth", choices=AUTH_MODES, help="login mode (default basic)")
    group.add_argument("--profile", help="server profile from the config file")
    group.add_argument("--config", type=Path, help="config file (env SLV_TUI_CONFIG)")
    group.add_argument("--timeout", type=_positive, help="seconds per request (default 10)")
    group.add_argument("--interval", type=_positive, help="seconds between polls while running (default 2)")
    group.add_argument("--insecure", action="store_true", help="skip TLS certificate verification (unsafe)")
    group.add_argument("--log-level", choices=LOG_LEVELS, help="log file verbosity (default info)")
    group.add_argument("--debug", action="store_true", help="log response bodies too")
    return common


def build_parsers() -> dict[str, argparse.ArgumentParser]:
    """One parser per mode; `dashboard` is the default mode."""
    common = _connection_options()
    dashboard = argparse.ArgumentParser(
        prog="slv-tui",
        parents=[common],
        description="Watch Streetlight.Vision batches (modes: dashboard, status, follow, sim, paths).",
        epilog="Run 'slv-tui status --help' or 'slv-tui follow --help' for the script commands.",
    )
    dashboard.add_argument(
        "batch_ids", nargs="*", metavar="BATCH_ID", help="batch IDs to add to the watchlist"
    )
    dashboard.add_argument("--demo", action="store_true", help="watch a built-in simulated SLV server")
    dashboard.add_argument("--version", action="store_true", help="print the version and the log file path")
    parsers = {"dashboard": dashboard}
    for name, text in (
        ("status", "print each batch's state once and exit (0 ok, 1 failed/cancelled/errors, 3 fetch error)"),
        ("follow", "poll until every batch has finished, printing each change"),
    ):
        sub = argparse.ArgumentParser(prog=f"slv-tui {name}", parents=[common], description=text)
        sub.add_argument("--json", action="store_true", help="machine-readable output")
        sub.add_argument("batch_ids", nargs="+", metavar="BATCH_ID")
        parsers[name] = sub
    sim = argparse.ArgumentParser(prog="slv-tui sim", description="run the SLV simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8080)
    sim.add_argument("--scenario", default="demo", help="demo, static, or a path to a scenario JSON file")
    sim.add_argument("--latency-ms", type=int, default=0)
    sim.add_argument("--fault-rate", type=float, default=0.0)
    sim.add_argument("--auth", choices=AUTH_MODES, default="basic")
    sim.add_argument("--user", default="admin")
    sim.add_argument("--password", default="admin")
    parsers["sim"] = sim
    parsers["paths"] = argparse.ArgumentParser(prog="slv-tui paths", description="print where files live")
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
    mode, rest = split_mode(sys.argv[1:] if argv is None else argv)
    args = build_parsers()[mode].parse_args(rest)
    try:
        if mode == "sim":
            from slv_tui.sim import run_sim

            return run_sim(
                host=args.host, port=args.port, scenario=args.scenario, latency_ms=args.latency_ms,
                fault_rate=args.fault_rate, auth=args.auth, username=args.user, password=args.password,
            )  # fmt: skip
        if mode == "paths":
            return _print_paths()
        if mode == "dashboard" and args.version:
            print(f"slv-tui {__version__} (log file: {paths.log_file()})")
            return 0
        ids = [validate_id(token) for token in args.batch_ids]
        if mode == "dashboard" and args.demo:
            return _dashboard_demo(args, ids)
        settings = resolve(_overrides(args), args.config)
        setup_logging(paths.log_file(), settings.log_level, debug=args.debug)
        _check_url(settings.url)
        interactive = mode == "dashboard"
        password = find_password(settings, prompt=not interactive)
        if password is None and not interactive:
            raise UsageError(
                "no password: set SLV_PASSWORD, give the profile a password_command, or run in a terminal"
            )
        client_settings = _client_settings(settings, password)
        for warning in client_settings.warnings():
            print(f"slv-tui: warning: {warning}", file=sys.stderr)
        if mode == "dashboard":
            return _dashboard(settings, client_settings, ids)
        output = Output(json=args.json, color=_use_color())
        client = SlvClient(client_settings)
        if mode == "status":
            return run(_closing(client, run_status(client, ids, output)))
        return run(_closing(client, run_follow(client, ids, output, settings.interval)))
    except (InvalidBatchId, ConfigError, UsageError) as exc:
        print(f"slv-tui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


async def _closing(client: SlvClient, command: Coroutine[Any, Any, int]) -> int:
    try:
        return await command
    finally:
        await client.aclose()


def _overrides(args: argparse.Namespace) -> Overrides:
    return Overrides(
        url=args.url, username=args.user, auth=args.auth, profile=args.profile, timeout=args.timeout,
        interval=args.interval, insecure=args.insecure, log_level=args.log_level,
    )  # fmt: skip


def _check_url(url: str | None) -> str:
    if not url:
        raise UsageError("no server URL: give --url, set SLV_URL, or set url in the config profile")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"invalid server URL {url!r}: expected http(s)://host[:port][/path]")
    return url


def _client_settings(settings: Settings, password: Secret | None) -> ClientSettings:
    return ClientSettings(
        url=_check_url(settings.url),
        credentials=Credentials(settings.username, password, settings.auth),
        timeout=settings.timeout,
        verify=settings.verify,
        ca_bundle=settings.ca_bundle,
        max_connections=max(settings.concurrency, 1) * 2,
    )


def _use_color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _print_paths() -> int:
    print(f"config:     {paths.default_config_file()}")
    print(f"data:       {paths.data_dir()}")
    print(f"watchlists: {paths.watchlist_file('default').parent}")
    print(f"log file:   {paths.log_file()}")
    return 0


def _dashboard(settings: Settings, client_settings: ClientSettings, ids: list[str]) -> int:
    from slv_tui.dashboard import launch

    return int(launch(settings, client_settings, ids, watchlist_path=paths.watchlist_file(settings.profile)))


def _dashboard_demo(args: argparse.Namespace, ids: list[str]) -> int:
    from slv_tui.dashboard import launch_demo

    return int(launch_demo(ids, interval=args.interval or 1.0, debug=args.debug))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
