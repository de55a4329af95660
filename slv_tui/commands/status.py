"""The `status` command: fetch each batch once, print a table or a JSON array."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from slv_tui.commands.output import Output, exit_code
from slv_tui.commands.render import render_table
from slv_tui.slv.client import SlvClient
from slv_tui.slv.decode import gc_paused
from slv_tui.slv.errors import SlvError
from slv_tui.slv.model import Batch

Fetched = tuple[Batch | None, SlvError | None]
"""A batch, or why it could not be fetched."""


async def fetch_each(client: SlvClient, batch_ids: Sequence[str]) -> list[Fetched]:
    """Each batch fetched once, concurrently, in the order given: the batch, or why it could not be."""

    async def one(batch_id: str) -> Fetched:
        try:
            return await client.get_batch(batch_id), None
        except SlvError as exc:
            return None, exc

    return list(await asyncio.gather(*(one(b) for b in batch_ids)))


async def run_status(
    client: SlvClient, batch_ids: Sequence[str], output: Output, *, server: str | None = None
) -> int:
    """Fetch each batch once (concurrently) and print a table or a JSON array in the order given."""
    results = await fetch_each(client, batch_ids)
    return print_status(output, batch_ids, results, [server] * len(batch_ids))


def print_status(
    output: Output,
    batch_ids: Sequence[str],
    results: Sequence[Fetched],
    servers: Sequence[str | None],
    *,
    shown_ids: Sequence[str] | None = None,
) -> int:
    """Print fetched batches (JSON objects carry `server`; the table shows `shown_ids`, e.g.
    `lab:100`, when given) and return the exit code over all of them."""
    if output.json:
        from slv_tui.slv.report import write_json_array  # only --json needs it

        items = [(b, batch, err) for b, (batch, err) in zip(batch_ids, results, strict=True)]
        with gc_paused():
            write_json_array(output.write, items, servers)
    else:
        shown = batch_ids if shown_ids is None else shown_ids
        output.write(render_table(list(zip(shown, results, strict=True)), color=output.color))
    return exit_code(results)
