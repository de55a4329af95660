"""What the dashboard hands out — a copied ID, a JSON export, a Markdown report — through the
delivery seam `make_app` chose; each runs as a worker and a toast says where it went."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from slv_tui.common.sanitize import clean
from slv_tui.ui.format import plural
from slv_tui.ui.rows import BatchKey
from slv_tui.ui.screens.feed_screens import problem

if TYPE_CHECKING:
    from slv_tui.ui.screens.dashboard import DashboardScreen


class Outputs:
    """Copy, export and report for one dashboard."""

    def __init__(self, screen: DashboardScreen) -> None:
        self.screen = screen

    def copy(self, key: BatchKey) -> None:
        """Copy the batch ID: to the system clipboard where there is one, and through the terminal
        (OSC 52, which no terminal confirms); the toast says which, else shows the ID."""
        self.screen.run_worker(self._copy(key.batch_id), group="copy", exclusive=True)

    async def _copy(self, batch_id: str) -> None:
        app = self.screen.app
        if await self.screen.deliver.copy(batch_id):
            app.notify(f"Copied {batch_id} to the system clipboard", timeout=3, markup=False)
            return
        app.notify(
            f"{batch_id}\nSent to the terminal's clipboard (OSC 52), which does not confirm it; "
            "if it did not arrive, select the ID above to copy it by hand",
            title="Copy not confirmed",
            severity="warning",
            timeout=15,
            markup=False,
        )

    def export(self, keys: Sequence[BatchKey], note: str = "") -> None:
        """Write these batches as JSON (the snapshots shown now), in a thread."""
        self.screen.run_worker(self._export([k.batch_id for k in keys], note), group="export")

    async def _export(self, ids: list[str], note: str) -> None:
        shown = {s.batch_id: s for s in self.screen.board.snapshots()}
        app = self.screen.app
        try:
            path = await self.screen.deliver.export(ids, shown.get)
        except OSError as exc:
            problem(app, f"Export failed: {exc.strerror or exc}", severity="error")
            return
        app.notify(
            clean(str(path)),  # a folder name may hold anything
            title=f"Exported {plural(len(ids), 'batch')}{note}",
            timeout=10,
            markup=False,
        )

    def report(self, key: BatchKey) -> None:
        """Write the batch's Markdown report (its history read for the times), in a thread."""
        self.screen.run_worker(self._report(key), group="report")

    async def _report(self, key: BatchKey) -> None:
        from slv_tui.slv.report_md import ReportTimes, render_report, times_from_history

        screen = self.screen
        batch_id = key.batch_id
        snap = screen.board.snapshot(batch_id)
        history = screen.history

        def render() -> str:
            times = ReportTimes() if history is None else times_from_history(history.timeline(batch_id))
            batch = None if snap is None else snap.batch
            error = None if snap is None else snap.error
            return render_report(key.server, batch_id, batch, error, times=times)

        try:
            path = await screen.deliver.report([batch_id], render)
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            problem(screen.app, f"Report failed: {why}", severity="error")
            return
        screen.app.notify(clean(f"Report written to {path}", max_length=1_000), markup=False)
