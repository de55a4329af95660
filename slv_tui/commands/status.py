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


async def run_status(client: SlvClient, batch_ids: Sequence[str], output: Output) -> int:
    """Fetch each batch once (concurrently) and print a table or a JSON array in the order given."""
    results = await fetch_each(client, batch_ids)
    if output.json:
        from slv_tui.slv.report import write_json_array  # only --json needs it

        items = [(b, batch, err) for b, (batch, err) in zip(batch_ids, results, strict=True)]
        with gc_paused():
            write_json_array(output.write, items)
    else:
        output.write(render_table(list(zip(batch_ids, results, strict=True)), color=output.color))
    return exit_code(results)
