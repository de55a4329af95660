"""The `status` command: fetch each batch once, print a table or a JSON array."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from slv_tui.commands.output import Output, exit_code
from slv_tui.commands.render import render_table
from slv_tui.slv.client import SlvClient
from slv_tui.slv.decode import gc_paused
from slv_tui.slv.errors import SlvError
from slv_tui.slv.model import Batch

Fetched = tuple[Batch | None, SlvError | None]
"""A batch, or why it could not be fetched."""
HistoryReader = Callable[[str], list[dict[str, Any]]]
"""A batch's recorded history events, oldest first."""
StallSource = tuple[HistoryReader | None, float]
"""Where a batch's history is read for `"stalledSince"`, and its server's `stall_after`."""


async def fetch_each(client: SlvClient, batch_ids: Sequence[str]) -> list[Fetched]:
    """Each batch fetched once, concurrently, in the order given: the batch, or why it could not be."""

    async def one(batch_id: str) -> Fetched:
        try:
            return await client.get_batch(batch_id), None
        except SlvError as exc:
            return None, exc

    return list(await asyncio.gather(*(one(b) for b in batch_ids)))


async def run_status(
    client: SlvClient,
    batch_ids: Sequence[str],
    output: Output,
    *,
    server: str | None = None,
    history: HistoryReader | None = None,
    stall_after: float = 0.0,
) -> int:
    """Fetch each batch once (concurrently) and print a table or a JSON array in the order given;
    a batch its recorded `history` shows stalled gets `"stalledSince"` in the JSON."""
    results = await fetch_each(client, batch_ids)
    stall = [(history, stall_after)] * len(batch_ids)
    return print_status(output, batch_ids, results, [server] * len(batch_ids), stall=stall)


def print_status(
    output: Output,
    batch_ids: Sequence[str],
    results: Sequence[Fetched],
    servers: Sequence[str | None],
    *,
    shown_ids: Sequence[str] | None = None,
    stall: Sequence[StallSource] | None = None,
) -> int:
    """Print fetched batches (JSON objects carry `server`, and `"stalledSince"` when `stall[i]`'s
    history shows item i stalled; the table shows `shown_ids`, e.g. `lab:100`, when given) and
    return the exit code over all of them."""
    if output.json:
        from slv_tui.slv.report import write_json_array  # only --json needs it

        items = [(b, batch, err) for b, (batch, err) in zip(batch_ids, results, strict=True)]
        sources = stall if stall is not None else [(None, 0.0)] * len(items)
        extras = [
            _stalled(history, b, batch, after)
            for (b, batch, _), (history, after) in zip(items, sources, strict=True)
        ]
        with gc_paused():
            write_json_array(output.write, items, servers, extras)
    else:
        shown = batch_ids if shown_ids is None else shown_ids
        output.write(render_table(list(zip(shown, results, strict=True)), color=output.color))
    return exit_code(results)


def _stalled(
    history: HistoryReader | None, batch_id: str, batch: Batch | None, after: float
) -> dict[str, str]:
    """`{"stalledSince": ISO 8601 UTC}` when the recorded timeline shows the batch stalled, else {}."""
    if history is None or batch is None or after <= 0 or batch.state.finished:
        return {}
    try:
        events = history(batch_id)
    except (OSError, ValueError):  # an unreadable history: nothing known, nothing said
        return {}
    from slv_tui.watch.stall import recorded_stall  # only a stalled check needs it

    since = recorded_stall(events, batch, datetime.now(UTC), after)
    return {} if since is None else {"stalledSince": iso_utc(since)}


def iso_utc(moment: datetime) -> str:
    """2026-12-01T13:47:10.123Z, as the history's times."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
