"""The fault matrix: each case run for real against `status --json` and against the Poller.

Shared by test_faults.py (which asserts) and test_zz_reliability_doc.py (which renders
docs/RELIABILITY.md from the same runs).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import random
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from support.clock import FakeClock

from slv_tui.sim import FAULT_KINDS, SimServer, ThreadedSim
from slv_tui.slv import errors
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import Condition

from .conftest import PASSWORD, RUNNING_IDS, cli_argv, client_for, isolated_env
from .hostile import HostileServer, Reply, batch_body

STATUS_ID = "1481019204417"  # static scenario: running, 40 %
PARSED = {"nan", "wrong_types"}
EXTRA = ("refused", "content_length_over_cap", "digit_bomb", "c1_in_location")
CASES: tuple[str, ...] = (*FAULT_KINDS, *EXTRA)
INTERVAL = 1.0
CLASS_BY_TITLE = {
    cls.title: cls.__name__
    for cls in (
        errors.ConnectionFailed,
        errors.RequestTimeout,
        errors.TlsError,
        errors.AuthError,
        errors.HttpStatusError,
        errors.ProtocolError,
        errors.ServerError,
    )
}
DESCRIPTION = {
    "html": "login page (HTML, 200) instead of JSON",
    "login_redirect": "302 to login.jsp",
    "unauthorized": "401 with Basic challenge",
    "forbidden": "403 HTML page",
    "server_error": "500 Tomcat page",
    "unavailable": "503 + Retry-After",
    "slow": "answers slower than --timeout",
    "truncated": "Content-Length promised, connection closed half way",
    "truncated_json": "complete HTTP answer, JSON cut in half",
    "reset": "TCP RST half way through the body",
    "huge": "body over the size cap (chunked)",
    "deep": "JSON nested 100 000 levels",
    "bad_utf8": "invalid UTF-8 inside a string",
    "nan": "NaN as batchProgressValue",
    "wrong_types": "numbers/booleans as strings, nulls for lists",
    "not_batch": "a JSON array instead of an object",
    "error_object": "SLV error object (errorCode 500)",
    "refused": "nothing listening on the port",
    "content_length_over_cap": "Content-Length header over the size cap",
    "digit_bomb": "a number with 5000 digits",
    "c1_in_location": "302 whose Location holds C1 control bytes",
}
RUNNING_BODY = batch_body(
    STATUS_ID, batchRunning=True, batchProgressValue=40, batchProgressMessage="Step 2 of 5"
)


def hostile_reply(kind: str) -> Reply:
    """The broken answer of a case the simulator cannot produce."""
    if kind == "content_length_over_cap":
        return Reply(body=b"{}")  # with HostileServer.declared_length set to 100 MiB
    if kind == "digit_bomb":
        return Reply(body=b'{"batchId": "1", "batchProgressValue": ' + b"7" * 5000 + b"}")
    if kind == "c1_in_location":
        evil = "/login\x9b31m\x9d0;owned\x9c" + "x" * 40
        return Reply(status=302, body=b"", headers={"Location": evil})
    raise ValueError(kind)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A port that refuses connections for as long as the block runs: bound but never listening, so
    no other process can take it meanwhile (a port merely found free could be taken before use)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])


# -- status --json as a subprocess -------------------------------------------------------------


@dataclass
class StatusOutcome:
    """What `slv-tui status --json ID` did."""

    exit_code: int
    stdout: str
    stderr: str
    objects: list[dict[str, object]]

    @property
    def error(self) -> str | None:
        value = self.objects[0].get("error") if self.objects else None
        return None if value is None else str(value)


@contextlib.contextmanager
def status_target(kind: str) -> Iterator[str]:
    """A base URL that shows fault `kind` to a fresh `status` process."""
    if kind == "refused":
        with closed_port() as port:
            yield f"http://127.0.0.1:{port}/reports"
        return
    if kind in EXTRA:
        reply = hostile_reply(kind)
        with HostileServer(reply) as srv:
            if kind == "content_length_over_cap":
                srv.declared_length = 100 * 1024 * 1024
            yield srv.url
        return
    sim = ThreadedSim(scenario="static", slow_seconds=SLOW_SECONDS)
    sim.start()
    try:
        sim.server.set_fault(kind)
        yield sim.url
    finally:
        sim.stop()


STATUS_TIMEOUT = "5"
"""The `slow` case's deadline: generous for a loaded CI machine; its sim holds its answer far longer
(SLOW_SECONDS)."""
OTHER_STATUS_TIMEOUT = "50"
"""Every other case must end by its fault, never by the deadline (reading 64 MB up to the size cap
can take more than 5 s on a loaded machine); still shorter than SLOW_SECONDS."""
SLOW_SECONDS = 60.0
PARALLEL = 4


def run_status_case(home: Path, kind: str) -> StatusOutcome:
    """`status --json` once, against its own server showing fault `kind`."""
    timeout = STATUS_TIMEOUT if kind == "slow" else OTHER_STATUS_TIMEOUT
    with status_target(kind) as url:
        argv = cli_argv("status", "--json", "--url", url, "--timeout", timeout, STATUS_ID)
        env = isolated_env(home / kind, SLV_PASSWORD=PASSWORD)
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    try:
        objects = json.loads(done.stdout) if done.stdout.strip() else []
    except ValueError:
        objects = []
    return StatusOutcome(done.returncode, done.stdout, done.stderr, objects)


def run_status_cases(home: Path, kinds: tuple[str, ...] = CASES) -> dict[str, StatusOutcome]:
    """Run `status --json` once per case, PARALLEL processes at a time; the slow case starts first
    and the others flow past it (a new one starts as soon as any ends)."""
    ordered = sorted(kinds, key=lambda kind: kind != "slow")
    with concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = {kind: pool.submit(run_status_case, home, kind) for kind in ordered}
        return {kind: futures[kind].result() for kind in kinds}


# -- the Poller (the dashboard's core) ---------------------------------------------------------


@dataclass
class PollerOutcome:
    """How the Poller lived through one fault and its end."""

    error: str | None
    fetches_per_round: list[int]
    server_down: bool
    conditions: set[Condition]
    kept_data: bool
    recovery_rounds: int
    recovery_seconds: float
    needed_refresh: bool
    final_states: set[str] = field(default_factory=set)

    def behaviour(self) -> str:
        """One line for the RELIABILITY table."""
        if self.error is None:
            states = ", ".join(sorted(self.final_states))
            return f"parsed; rows stay fresh (state {states}); no error shown"
        mode = (
            "server marked down → one probe per round"
            if self.server_down
            else "per-batch backoff, server not marked down"
        )
        fetched = ",".join(map(str, self.fetches_per_round))
        how = " after refresh (r / new password)" if self.needed_refresh else ""
        return (
            f"last data kept, marked {'/'.join(sorted(c.value for c in self.conditions))} "
            f"after 3 intervals; {mode} (fetches/round {fetched}); "
            f"recovered{how} in {self.recovery_rounds} round(s), "
            f"{self.recovery_seconds:.1f} s ≤ 2 intervals"
        )


class _Target:
    """Where the poller's client points and how the fault is switched on and off."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.sim: SimServer | None = None
        self.hostile: HostileServer | None = None
        self.port = 0

    async def start(self) -> str:
        if self.kind in EXTRA and self.kind != "refused":
            self.hostile = HostileServer(Reply(body=RUNNING_BODY)).__enter__()
            return self.hostile.url
        self.sim = SimServer(scenario="static", slow_seconds=5.0, huge_bytes=2 * 1024 * 1024)
        url = await self.sim.start()
        self.port = self.sim.port
        return url

    async def inject(self) -> None:
        if self.hostile is not None:
            self.hostile.reply = hostile_reply(self.kind)
            if self.kind == "content_length_over_cap":
                self.hostile.declared_length = 100 * 1024 * 1024
        elif self.kind == "refused":
            assert self.sim is not None
            await self.sim.stop()
        else:
            assert self.sim is not None
            self.sim.set_fault(self.kind)

    async def clear(self) -> None:
        if self.hostile is not None:
            self.hostile.reply = Reply(body=RUNNING_BODY)
            self.hostile.declared_length = None
        elif self.kind == "refused":
            assert self.sim is not None
            await self.sim.start("127.0.0.1", self.port)
        else:
            assert self.sim is not None
            self.sim.set_fault(None)

    async def stop(self) -> None:
        if self.hostile is not None:
            self.hostile.__exit__(None, None, None)
        if self.sim is not None:
            await self.sim.stop()


GOOD_ANSWER_TIMEOUT = 10.0
SLOW_CASE_TIMEOUT = 1.0
"""The `slow` case's simulator holds each answer 5 s: well past this deadline, well within a good one."""


async def _step(poller: Poller, clock: FakeClock) -> int:
    """Move the fake clock to the next due work and run one round; returns the number of fetches."""
    clock.now = max(clock.now, poller.next_wake())
    poll_round = await poller.poll_due()
    return 0 if poll_round is None else len(poll_round.updates)


async def run_poller_case(kind: str, on_round: Callable[[], None] | None = None) -> PollerOutcome:
    """Good data, then the fault for more than 3 intervals, then the fault cleared."""
    clock = FakeClock()
    target = _Target(kind)
    url = await target.start()
    # A good answer must never miss its deadline on a loaded machine (a miss changes the rounds
    # counted): only the `slow` case needs a deadline shorter than the simulator's delay.
    client = client_for(url, timeout=SLOW_CASE_TIMEOUT if kind == "slow" else GOOD_ANSWER_TIMEOUT)
    poller = Poller(client.get_batch, interval=INTERVAL, clock=clock, rng=random.Random(7))
    try:
        poller.watch(RUNNING_IDS)
        await poller.poll_due()
        assert all(s.error is None and s.batch is not None for s in poller.snapshots()), "healthy start"
        good_at = clock.now
        await target.inject()
        fetches: list[int] = []
        for _ in range(50):
            if clock.now - good_at > 3 * INTERVAL:
                break
            fetches.append(await _step(poller, clock))
        snaps = poller.snapshots()
        error = next((s.error_text for s in snaps if s.error is not None), None)
        conditions = {s.condition(clock.now, INTERVAL) for s in snaps}
        kept = all(s.batch is not None for s in snaps)
        server_down = poller.server.ok is False
        final_states = {s.batch.state.value for s in snaps if s.batch is not None}

        await target.clear()
        cleared_at = clock.now
        # A definite refusal backs off for up to 30 s (account lockout); the operator presses r or
        # gives a new password. An HTML page is only a probable login problem: it recovers by itself.
        needed_refresh = any(isinstance(x.error, errors.AuthError) and not x.error.probable for x in snaps)
        if needed_refresh:
            poller.refresh()  # what the UI does on `r` or after a new password
        rounds = 0
        started = time.monotonic()
        while time.monotonic() - started < 20:
            fresh = all(
                s.error is None
                and s.fetched_at is not None
                and s.fetched_at >= cleared_at
                and s.condition(clock.now, INTERVAL) is Condition.FRESH
                for s in poller.snapshots()
            )
            if fresh or rounds >= 20:
                break
            await _step(poller, clock)
            rounds += 1
        return PollerOutcome(
            error=error,
            fetches_per_round=fetches,
            server_down=server_down,
            conditions=conditions,
            kept_data=kept,
            recovery_rounds=rounds,
            recovery_seconds=clock.now - cleared_at,
            needed_refresh=needed_refresh,
            final_states=final_states,
        )
    finally:
        await client.aclose()
        await target.stop()


STATUS_RESULTS: dict[str, StatusOutcome] = {}
POLLER_RESULTS: dict[str, PollerOutcome] = {}
"""Filled by test_faults.py, read by test_zz_reliability_doc.py (which runs what is missing)."""
