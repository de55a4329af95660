"""`slv-tui commission`: start a commissioning run (or a device import), after a confirmation, and
watch the new batch."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from slv_tui.commands.follow import run_follow
from slv_tui.commands.output import EXIT_BAD_BATCH, EXIT_FETCH, EXIT_OK, EXIT_USAGE, Output
from slv_tui.commands.render import render_line
from slv_tui.common.sanitize import clean
from slv_tui.slv.client import SlvClient
from slv_tui.slv.commission import CommissionRequest, start_commission
from slv_tui.slv.errors import AuthError, ServerError, SlvError, TlsError
from slv_tui.slv.report import batch_json, dumps
from slv_tui.store.watchlist import Watchlist, WatchlistError

log = logging.getLogger(__name__)
Ask = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Target:
    """Where the request goes and as whom: shown in the confirmation, exactly as it will be used."""

    server: str
    user: str
    profile: str

    def question(self, request: CommissionRequest) -> str:
        """The confirmation question: what is sent, to which server, as which user (profile)."""
        return clean(
            f"start {request.describe()} on {self.server} as {self.user} (profile {self.profile})? [y/N] ",
            max_length=2_000,
        )


def confirm(
    target: Target, request: CommissionRequest, *, yes: bool, ask: Ask | None, output: Output
) -> bool:
    """True when the operator agreed (or gave --yes); without a terminal and --yes, False with a note."""
    if yes:
        return True
    if ask is None:
        output.note("slv-tui: error: not confirmed: no terminal to ask on; --yes starts without asking")
        return False
    try:
        answer = ask(target.question(request))
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        return True
    output.note("slv-tui: not started (not confirmed)")
    return False


def terminal_ask() -> Ask | None:
    """A prompt on the terminal (question on stderr, answer from stdin), or None without one."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None

    def ask(question: str) -> str:
        sys.stderr.write(question)
        sys.stderr.flush()
        return sys.stdin.readline()

    return ask


async def run_commission(
    client: SlvClient,
    request: CommissionRequest,
    target: Target,
    output: Output,
    *,
    yes: bool,
    ask: Ask | None,
    watchlist_path: Path | None,
    follow: bool = False,
    interval: float = 2.0,
) -> int:
    """Confirm, start, print the new batch, add it to the watchlist, and follow it when asked.

    Exit 0 started (with --follow: `follow`'s code), 1 refused by the server, 2 not confirmed,
    3 not reached or not logged in (or no readable answer: it may have started).
    """
    if not confirm(target, request, yes=yes, ask=ask, output=output):
        return EXIT_USAGE
    try:
        batch = await start_commission(client, request)
    except ServerError as exc:
        output.note(clean(f"slv-tui: the server refused: {exc.detail}"))
        return EXIT_BAD_BATCH
    except (TlsError, AuthError) as exc:  # refused before the request was read
        output.note(clean(f"slv-tui: error: {exc}"))
        return EXIT_FETCH
    except SlvError as exc:  # a cut connection, a timeout, an unreadable answer: the run may exist
        output.note(clean(f"slv-tui: error: {exc} (it may have started: check the SLV web UI)"))
        return EXIT_FETCH
    batch_id = batch.batch_id
    if output.json:
        output.write(dumps(batch_json(batch_id, batch, None, target.profile)) + "\n")
    else:
        output.write(f"started {render_line(batch_id, batch, color=output.color)}\n")
    _record_started(target, batch_id, request.controller)
    if watchlist_path is not None:
        _add_to_watchlist(watchlist_path, batch_id, request.label, target.profile, output)
    if follow:
        return await run_follow(client, [batch_id], output, interval, server=target.profile)
    return EXIT_OK


def _record_started(target: Target, batch_id: str, controller: str) -> None:
    """Put "commissioning started" (by whom, from which profile) in the event feed; a feed that
    cannot be written only leaves a line in the log (the batch did start)."""
    from slv_tui.common import paths
    from slv_tui.store.events import EventLog, events_dir
    from slv_tui.watch.event_feed import make_record

    record = make_record("commission_started", target.profile, batchId=batch_id, user=target.user,
                         controller=controller, text=target.server)  # fmt: skip
    try:
        EventLog(events_dir(paths.data_dir())).append([record])
    except OSError as exc:
        log.warning("cannot write the event feed: %s", exc)


def _add_to_watchlist(path: Path, batch_id: str, label: str, profile: str, output: Output) -> None:
    """Add the started batch to the watchlist, saying so only when it was saved.

    A failed save (the lock held past its timeout, a full disk) does not change the exit code: the
    batch did start and is printed on stdout; the warning on stderr names it so it can be added by hand.
    """
    watchlist = Watchlist(path)
    added: list[str] = []
    try:
        added = watchlist.add([batch_id], label=label)
    except (WatchlistError, OSError) as exc:
        problem: str | None = str(exc)
    else:
        problem = watchlist.problem if watchlist.unsaved else None  # this process ends: nothing is kept
        problem = problem and problem.removesuffix("; the change is kept until you quit")
    if problem is not None:
        said = f"slv-tui: warning: batch {batch_id} started but could not be added to the watchlist"
        output.note(clean(f"{said}: {problem}"))
    elif added:
        output.note(f"slv-tui: batch {batch_id} added to the watchlist of profile {clean(profile)}")
