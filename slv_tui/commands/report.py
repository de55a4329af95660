"""`slv-tui report`: a Markdown report per batch on stdout or in one file (no Textual)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from slv_tui.commands.output import EXIT_FETCH, EXIT_OK, EXIT_OUTPUT_ERROR, Output
from slv_tui.commands.status import fetch_each
from slv_tui.common.sanitize import clean
from slv_tui.slv.client import SlvClient
from slv_tui.slv.report_md import ReportTimes, render_report, times_from_history
from slv_tui.store.reports import write_report

HistoryReader = Callable[[str], Sequence[Mapping[str, Any]]]
"""Reads a batch's recorded history events (`history --json` objects), oldest first."""


async def run_report(
    client: SlvClient,
    batch_ids: Sequence[str],
    output: Output,
    *,
    output_file: Path | None = None,
    history: HistoryReader | None = None,
) -> int:
    """Fetch each batch once and write its report: exit 0, or 3 when a batch could not be fetched (its
    report then says why); a failed batch is reported, not an error of the report."""
    reports = await build_reports(client, batch_ids, output, history=history)
    return await write_reports([text for text, _ in reports], output, output_file=output_file,
                               missing=any(not fetched for _, fetched in reports))  # fmt: skip


async def build_reports(
    client: SlvClient,
    batch_ids: Sequence[str],
    output: Output,
    *,
    history: HistoryReader | None = None,
    server: str | None = None,
    prefix: str = "",
) -> list[tuple[str, bool]]:
    """Each batch's report and whether it was fetched, in the order given; `server` names the server
    in the reports (default: its URL), `prefix` goes before the ID in stderr notes (`lab:`)."""
    results = await fetch_each(client, batch_ids)
    server = server or client.settings.base_url
    reports = []
    for batch_id, (batch, error) in zip(batch_ids, results, strict=True):
        times = ReportTimes()
        if history is not None:
            try:
                times = times_from_history(history(batch_id))
            except (OSError, ValueError) as exc:  # a history that cannot be read leaves the times out
                output.note(clean(f"slv-tui: {prefix}{batch_id}: no history times ({exc})"))
        reports.append((render_report(server, batch_id, batch, error, times=times), batch is not None))
        if error is not None:
            output.note(clean(f"slv-tui: {prefix}{batch_id}: {error}"))
    return reports


async def write_reports(
    reports: Sequence[str], output: Output, *, output_file: Path | None, missing: bool
) -> int:
    """Write the reports to stdout or one file: 0, 3 when a batch was `missing`, 74 when unwritable."""
    if output_file is None:
        output.write("\n".join(reports))
    else:
        try:
            path = await asyncio.to_thread(write_report, output_file, list(reports))
        except OSError as exc:
            output.note(clean(f"slv-tui: error: cannot write {output_file}: {exc.strerror or exc}"))
            return EXIT_OUTPUT_ERROR
        output.note(clean(f"slv-tui: report written to {path}"))
    return EXIT_FETCH if missing else EXIT_OK
