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
from slv_tui.slv.report import write_json_array
from slv_tui.watch.stall import recorded_stall

Fetched = tuple[Batch | None, SlvError | None]
"""A batch, or why it could not be fetched."""
HistoryReader = Callable[[str], list[dict[str, Any]]]
"""A batch's recorded history events, oldest first."""


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
    history: HistoryReader | None = None,
    stall_after: float = 0.0,
) -> int:
    """Fetch each batch once (concurrently) and print a table or a JSON array in the order given;
    a batch its recorded `history` shows stalled gets `"stalledSince"` in the JSON."""
    results = await fetch_each(client, batch_ids)
    if output.json:
        items = [(b, batch, err) for b, (batch, err) in zip(batch_ids, results, strict=True)]
        extras = [_stalled(history, b, batch, stall_after) for b, batch, _ in items]
        with gc_paused():
            write_json_array(output.write, items, extras)
    else:
        output.write(render_table(list(zip(batch_ids, results, strict=True)), color=output.color))
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
    since = recorded_stall(events, batch, datetime.now(UTC), after)
    return {} if since is None else {"stalledSince": iso_utc(since)}


def iso_utc(moment: datetime) -> str:
    """2026-12-01T13:47:10.123Z, as the history's times."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
