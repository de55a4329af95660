"""The `follow` command: poll until every batch has finished, printing each change."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from typing import Any

from slv_tui.commands.output import EXIT_FETCH, Output, exit_code
from slv_tui.commands.render import render_line
from slv_tui.slv.client import SlvClient
from slv_tui.slv.errors import AuthError, ServerError, SlvError
from slv_tui.slv.report import batch_json, dumps
from slv_tui.watch.snapshot import PollRound, Snapshot

FOLLOW_NOT_FOUND_TRIES = 3
"""`follow` drops a batch the server does not know (any SLV error object in place of it) after this
many answers in a row (a batch may appear a moment after it was started), says so on stderr and
follows the others to their end; the exit code is then 3."""
FOLLOW_NOT_FOUND_EVERY = 5
"""`follow` probes a batch not found every this many polling intervals."""
FOLLOW_DOWN_BACKOFF = 60.0
"""While the server is down `follow` probes it with an exponential backoff (jittered) capped here."""
AMBIGUOUS_AUTH_RETRIES = 3
"""How many HTML answers in a row `follow` retries once the same login has worked in this run."""


async def run_follow(
    client: SlvClient,
    batch_ids: Sequence[str],
    output: Output,
    interval: float,
    *,
    on_poll: Callable[[PollRound], None] | None = None,
) -> int:
    """Poll until every batch has finished, printing each change; auth failures end at once with 3.

    One exception: an HTML page instead of JSON is only a *probable* login problem (design: "a
    response that is not JSON must be treated as a probable authentication/session problem"). Once
    the same login has fetched a batch in this run, a few such pages in a row are retried like any
    transient fault (a proxy or load balancer page); a refusal (401/403, login refused) still ends
    the run at once.
    """
    from slv_tui.watch.poller import Poller  # here: `status` shares this module's imports, not the poller's

    printed: dict[str, dict[str, Any]] = {}
    fatal: list[Snapshot] = []
    dropped: list[Snapshot] = []
    html_streak: dict[str, int] = {}
    login_worked = False

    done = asyncio.Event()
    failure: list[BaseException] = []

    def on_round(poll_round: PollRound) -> None:
        try:
            if on_poll is not None:  # the history recorder: only queues, never blocks
                on_poll(poll_round)
            apply(poll_round)
        except Exception as exc:  # e.g. stdout closed: ends the run, raised below
            failure.append(exc)
        if failure or fatal or not poller.snapshots() or poller.all_final:
            done.set()

    def apply(poll_round: PollRound) -> None:
        nonlocal login_worked
        login_worked = login_worked or any(u.snapshot.error is None for u in poll_round.updates)
        for update in poll_round.updates:
            snap = update.snapshot
            if snap.error is None:
                html_streak.pop(snap.batch_id, None)
                _print_if_changed(snap, printed, output)
                continue
            if _not_found(snap):
                retry = snap.failures < FOLLOW_NOT_FOUND_TRIES
            elif _is_html_answer(snap.error) and login_worked:
                html_streak[snap.batch_id] = html_streak.get(snap.batch_id, 0) + 1
                retry = html_streak[snap.batch_id] <= AMBIGUOUS_AUTH_RETRIES
            else:
                retry = snap.error.transient
            if not retry and _not_found(snap):  # dropped; the others are followed to their end
                dropped.append(snap)
                poller.unwatch([snap.batch_id])
                if output.json:
                    output.write(dumps(batch_json(snap.batch_id, None, snap.error)) + "\n")
                _note(output, f"slv-tui: {snap.batch_id}: {snap.error}; no longer followed")
                continue
            if not retry:
                fatal.append(snap)
                continue
            due = poller.next_attempt(snap.batch_id)
            wait = ""
            if due is not None:
                left = max(0.0, due - poller.clock())
                at = time.strftime("%H:%M:%S", time.localtime(time.time() + left))
                wait = f" at {at} (in {left:.1f} s)"
            tries = ""
            if _not_found(snap):
                tries = f" (try {snap.failures} of {FOLLOW_NOT_FOUND_TRIES})"
            _note(output, f"slv-tui: {snap.batch_id}: {snap.error}{tries}; retrying{wait}")

    poller = Poller(
        client.get_batch,
        interval=interval,
        on_round=on_round,
        concurrency=client.settings.concurrency,
        not_found_every=FOLLOW_NOT_FOUND_EVERY * interval,
        down_backoff=FOLLOW_DOWN_BACKOFF,
    )
    poller.watch(batch_ids)
    polling = asyncio.create_task(poller.run())  # each answer is printed as soon as it arrives
    try:
        await done.wait()
    finally:
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
    if failure:
        raise failure[0]
    for snap in fatal:
        if output.json:
            output.write(dumps(batch_json(snap.batch_id, None, snap.error)) + "\n")
        _note(output, f"slv-tui: {snap.batch_id}: {snap.error}")
    if fatal or dropped:
        return EXIT_FETCH
    return exit_code([(s.batch, s.error) for s in poller.snapshots()])


def _not_found(snap: Snapshot) -> bool:
    """The server does not know this batch (never read in this run): any SLV error object in place
    of it counts (`605 Batch not found`, `604 Unknown batch`, ...), since no public source lists the
    codes. For a batch already read, an error object is server trouble, retried as such."""
    return snap.batch is None and isinstance(snap.error, ServerError)


def _is_html_answer(error: SlvError) -> bool:
    """An AuthError only because the answer was an HTML page (not a 401/403 or a refused login)."""
    return isinstance(error, AuthError) and error.probable


def _note(output: Output, text: str) -> None:
    """A stderr line for `follow`, with the local time first (as on its stdout lines)."""
    output.note(f"{time.strftime('%H:%M:%S')} {text}")


def _print_if_changed(snap: Snapshot, printed: dict[str, dict[str, Any]], output: Output) -> None:
    """Human: a line per change. JSON Lines: the full object the first time and when the batch has
    finished; in between, per change, only `batchId`, `state` and the fields whose value changed
    (steps that changed or are new come as `changedSteps`, each with its `index` in `steps`; a step
    already printed whose messages only grew carries `newMessages` and `messagesFrom` instead of its
    whole `messages` list)."""
    if snap.batch is None:
        return
    obj = batch_json(snap.batch_id, snap.batch)
    before = printed.get(snap.batch_id)
    if before == obj:
        return
    printed[snap.batch_id] = obj
    if output.json:
        if before is None or snap.batch.state.finished:
            output.write(dumps(obj) + "\n")
            return
        change = {"batchId": obj["batchId"], "state": obj["state"]}
        change.update(
            (k, v) for k, v in obj.items() if k not in change and k != "steps" and before.get(k) != v
        )
        old_steps = before.get("steps") or []
        changed = [
            _step_change(i, step, old_steps[i] if i < len(old_steps) else None)
            for i, step in enumerate(obj.get("steps") or [])
            if i >= len(old_steps) or old_steps[i] != step
        ]
        if changed:
            change["changedSteps"] = changed
        output.write(dumps(change) + "\n")
    else:
        stamp = time.strftime("%H:%M:%S")
        output.write(f"{stamp} {render_line(snap.batch_id, snap.batch, color=output.color)}\n")


def _step_change(index: int, step: dict[str, Any], before: dict[str, Any] | None) -> dict[str, Any]:
    """A changed step for `changedSteps`: whole when new, else only the messages appended since."""
    change = {"index": index, **step}
    if before is None:
        return change
    old, new = before.get("messages") or [], step.get("messages") or []
    if len(new) >= len(old) and new[: len(old)] == old:
        del change["messages"]
        change["messagesFrom"] = len(old)
        change["newMessages"] = new[len(old) :]
    return change
