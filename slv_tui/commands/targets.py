"""`PROFILE:ID` for `status`, `follow`, `report` and `history`: which server each batch ID is asked
of, one client and login per server, and the results in the order given (exit codes over all).

A plain ID goes to the server of `--profile` (or the default profile). `lab:100` goes to the config
profile `lab`. The connection options and variables that name a server or a secret (`--url`,
`--user`, `--auth`, `SLV_URL`, `SLV_USERNAME`, `SLV_PASSWORD`, `SLV_TOKEN`) are for the plain IDs'
server only: a profile named by a prefix uses its own url, user, login mode and password sources,
so one server's password is never sent to another. When every ID names the same profile and no
`--profile` is given, that profile is the plain one (`status lab:100` is `--profile lab status 100`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slv_tui.commands.output import EXIT_FETCH, EXIT_OK, Output, run
from slv_tui.common import paths
from slv_tui.common.logs import setup_logging
from slv_tui.common.sanitize import clean
from slv_tui.settings.config import Overrides, Settings, resolve
from slv_tui.slv.client import SlvClient
from slv_tui.slv.ids import InvalidBatchId, validate_id

if TYPE_CHECKING:
    from slv_tui.commands.status import StallSource

TARGET_MODES = ("status", "follow", "report", "history")
SERVER_ENV = ("SLV_URL", "SLV_USERNAME", "SLV_PASSWORD", "SLV_TOKEN")
"""Variables that name a server or hold a secret: for the plain IDs' server only."""

Connect = Callable[[Settings, Mapping[str, str] | None], SlvClient]
"""Builds one server's client (cli's login sequence); env None is the real environment (the plain
IDs' server), else the environment without SERVER_ENV (a profile named by a prefix)."""


@dataclass(frozen=True, slots=True)
class Target:
    """One batch ID as typed: the profile named before it (None: plain) and the ID."""

    profile: str | None
    batch_id: str

    def __str__(self) -> str:
        return self.batch_id if self.profile is None else f"{self.profile}:{self.batch_id}"


def parse_target(token: str) -> Target:
    """`100` or `lab:100`; a URL, an empty or all-digit profile, or a bad ID is InvalidBatchId (exit 2)."""
    if ":" not in token:
        return Target(None, validate_id(token))
    shown = clean(token if len(token) <= 60 else token[:59] + "…")
    if "/" in token:
        raise InvalidBatchId(
            f"{shown!r} looks like a URL, not a batch ID: give the server with --url or --profile"
            " (or PROFILE:ID with a profile of the config)"
        )
    profile, _, batch_id = token.rpartition(":")
    if not profile.strip() or profile.strip() != profile or (profile.isascii() and profile.isdigit()):
        raise InvalidBatchId(f"invalid batch ID {shown!r}: expected 1 to 19 digits, or PROFILE:ID")
    try:
        validate_id(batch_id)
    except InvalidBatchId as exc:
        raise InvalidBatchId(f"{shown!r}: {exc}") from None
    return Target(profile, batch_id)


@dataclass
class Server:
    """One server of the run: its profile's settings, its client, the IDs asked of it (in order)."""

    settings: Settings
    plain: bool
    """The plain IDs' server (the environment applies to it)."""
    batch_ids: list[str] = field(default_factory=list)
    client: SlvClient | None = None

    @property
    def name(self) -> str:
        return self.settings.profile


@dataclass(frozen=True, slots=True)
class TargetRun:
    """What the command line said for one of TARGET_MODES."""

    tokens: Sequence[str]
    overrides: Overrides
    config: Path | None = None
    json: bool = False
    color: bool = False
    debug: bool = False
    output_file: Path | None = None


def plan(
    targets: Sequence[Target],
    overrides: Overrides,
    config: Path | None,
    env: Mapping[str, str] | None = None,
) -> tuple[list[Server], list[tuple[Server, str]]]:
    """The servers (plain one first, then in order of first mention) and each target's server.

    An unknown profile is the config's one-line ConfigError (exit 2), before any request.
    """
    env = os.environ if env is None else env
    named = {t.profile for t in targets if t.profile is not None}
    if overrides.profile is None and len(named) == 1 and all(t.profile is not None for t in targets):
        overrides = replace(overrides, profile=named.pop())
    base = resolve(overrides, config, env)
    own = {k: v for k, v in env.items() if k not in SERVER_ENV}
    only_run = Overrides(
        timeout=overrides.timeout, interval=overrides.interval, insecure=overrides.insecure,
        log_level=overrides.log_level, read_only=overrides.read_only,
    )  # fmt: skip
    servers = {base.profile: Server(base, plain=True)}
    order: list[tuple[Server, str]] = []
    for target in targets:
        name = base.profile if target.profile is None else target.profile
        if name not in servers:
            servers[name] = Server(resolve(replace(only_run, profile=name), config, own), plain=False)
        servers[name].batch_ids.append(target.batch_id)
        order.append((servers[name], target.batch_id))
    return list(servers.values()), order


def combine(codes: Sequence[int]) -> int:
    """One exit code for several servers: 3 over 1 over 0; any other code (2, 74, 130) wins."""
    odd = [c for c in codes if c not in (EXIT_OK, 1, EXIT_FETCH)]
    return odd[0] if odd else max(codes, default=EXIT_OK)


def run_targets(mode: str, request: TargetRun, *, connect: Connect, floor: Callable[[float], float]) -> int:
    """Run `status`, `follow`, `report` or `history` over the servers the IDs name."""
    targets = [parse_target(token) for token in request.tokens]
    servers, order = plan(targets, request.overrides, request.config)
    for server in servers:
        server.settings = replace(server.settings, interval=floor(server.settings.interval))
    setup_logging(paths.log_file(), servers[0].settings.log_level, debug=request.debug)
    if mode == "history":
        return _history(order[0][0], order[0][1], request.json)
    used = [s for s in servers if s.batch_ids]
    for server in used:
        server.client = connect(server.settings, None if server.plain else own_env())
    output = Output(json=request.json, color=request.color)
    clients = [s.client for s in used if s.client is not None]
    if mode == "status":
        command: Coroutine[Any, Any, int] = _status(used, order, output)
    elif mode == "report":
        command = _report(used, order, output, request.output_file)
    else:
        command = _follow(used, output)
    return run(_closing(clients, command))


def own_env() -> dict[str, str]:
    """The environment without SERVER_ENV: what a profile named among several is resolved with."""
    return {k: v for k, v in os.environ.items() if k not in SERVER_ENV}


async def _closing(clients: Sequence[SlvClient], command: Coroutine[Any, Any, int]) -> int:
    try:
        return await command
    finally:
        await asyncio.gather(*(c.aclose() for c in clients), return_exceptions=True)


def _shown(server: Server, batch_id: str, several: bool) -> str:
    return f"{clean(server.name, max_length=80)}:{batch_id}" if several else batch_id


async def _status(servers: Sequence[Server], order: Sequence[tuple[Server, str]], output: Output) -> int:
    from slv_tui.commands.status import Fetched, fetch_each, print_status

    fetched = await asyncio.gather(*(fetch_each(_client(s), s.batch_ids) for s in servers))
    queues = {id(s): list(results) for s, results in zip(servers, fetched, strict=True)}
    results: list[Fetched] = [queues[id(server)].pop(0) for server, _ in order]
    several = len(servers) > 1
    stall = {id(s): _stall_source(s, output.json) for s in servers}
    return print_status(
        output, [b for _, b in order], results, [s.name for s, _ in order],
        shown_ids=[_shown(s, b, several) for s, b in order], stall=[stall[id(s)] for s, _ in order],
    )  # fmt: skip


def _stall_source(server: Server, as_json: bool) -> StallSource:
    """The server's recorded history (for `"stalledSince"`, only in JSON) and its `stall_after`."""
    if not as_json:
        return None, 0.0
    from slv_tui.store.history import HistoryStore, history_dir

    return HistoryStore(history_dir(paths.data_dir(), server.name)).read, server.settings.stall_after


async def _report(
    servers: Sequence[Server], order: Sequence[tuple[Server, str]], output: Output, output_file: Path | None
) -> int:
    from slv_tui.commands.report import build_reports, write_reports
    from slv_tui.store.history import HistoryStore, history_dir

    several = len(servers) > 1

    def one(server: Server) -> Coroutine[Any, Any, list[tuple[str, bool]]]:
        client = _client(server)
        label = f"{client.settings.base_url} (profile {server.name})" if several else None
        store = HistoryStore(history_dir(paths.data_dir(), server.name))
        prefix = _shown(server, "", several)
        return build_reports(
            client, server.batch_ids, output, history=store.read, server=label, prefix=prefix
        )

    built = await asyncio.gather(*(one(s) for s in servers))
    queues = {id(s): list(reports) for s, reports in zip(servers, built, strict=True)}
    reports = [queues[id(server)].pop(0) for server, _ in order]
    missing = any(not fetched for _, fetched in reports)
    return await write_reports(
        [text for text, _ in reports], output, output_file=output_file, missing=missing
    )


async def _follow(servers: Sequence[Server], output: Output) -> int:
    from slv_tui.commands.follow import run_follow
    from slv_tui.commands.follow_feed import FollowRecorders

    several = len(servers) > 1
    recorders = FollowRecorders()
    try:
        follows = [
            run_follow(
                _client(s),
                s.batch_ids,
                output,
                s.settings.interval,
                on_poll=recorders.for_server(s.name, _client(s)),
                server=s.name,
                tag_server=several,
            )
            for s in servers
        ]
        codes = await asyncio.gather(*follows)
    finally:
        await asyncio.to_thread(recorders.close)
    return combine(codes)


def _client(server: Server) -> SlvClient:
    assert server.client is not None, "connected before any request"
    return server.client


def _history(server: Server, batch_id: str, as_json: bool) -> int:
    from slv_tui.commands.history import run_history
    from slv_tui.store.history import HistoryStore, history_dir

    store = HistoryStore(history_dir(paths.data_dir(), server.name))
    return run_history(store, batch_id, as_json=as_json, server=server.name)
