"""What the dashboard hands out — a copied ID, a JSON export, a Markdown report — through the
delivery seam `make_app` chose; each runs as a worker and a toast says where it went."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from slv_tui.common.sanitize import clean
from slv_tui.slv.failed_devices import device_lines, failed_devices
from slv_tui.ui.format import plural
from slv_tui.ui.rows import BatchKey
from slv_tui.ui.screens.feed_screens import problem

if TYPE_CHECKING:
    from slv_tui.ui.screens.dashboard import DashboardScreen
    from slv_tui.watch.snapshot import Snapshot


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
        self.screen.run_worker(self._export(list(keys), note), group="export")

    async def _export(self, keys: list[BatchKey], note: str) -> None:
        servers = self.screen.servers

        def lookup(key: tuple[str, str]) -> Snapshot | None:
            return servers.snapshot(BatchKey(*key))

        app = self.screen.app
        ids = keys
        try:
            path = await self.screen.deliver.export([(k.server, k.batch_id) for k in keys], lookup)
        except OSError as exc:
            problem(app, f"Export failed: {exc.strerror or exc}", severity="error")
            return
        app.notify(
            clean(str(path)),  # a folder name may hold anything
            title=f"Exported {plural(len(ids), 'batch')}{note}",
            timeout=10,
            markup=False,
        )

    def yank(self, key: BatchKey) -> None:
        """Copy the message under the step tree's cursor, else the IDs of the devices that reported errors."""
        tree = self.screen.detail.step_tree
        node = tree.cursor_node if tree.has_focus else None
        if node is not None and node.data is not None and node.data.kind == "message":
            text, what = clean(str(node.data.value), max_length=100_000), "the message"
        else:
            snap = self.screen.servers.snapshot(key)
            failed = failed_devices(None if snap is None else snap.batch)
            count = sum(len(f.devices) for f in failed)
            text, what = device_lines(failed), f"{plural(count, 'failed device')} ID"
            if not failed:
                self.screen.app.notify("Nothing to yank: no message highlighted and no device reported an "
                                       "error", severity="warning", timeout=4, markup=False)  # fmt: skip
                return
        self.screen.run_worker(self._yank(text, what), group="copy", exclusive=True)

    async def _yank(self, text: str, what: str) -> None:
        app = self.screen.app
        if await self.screen.deliver.copy(text):
            app.notify(f"Copied {what} to the system clipboard", timeout=3, markup=False)
        else:
            app.notify(f"Sent {what} to the terminal's clipboard (OSC 52), which does not confirm it",
                       title="Copy not confirmed", severity="warning", timeout=8, markup=False)  # fmt: skip

    def page(self, key: BatchKey) -> None:
        """Show the batch's Markdown report in `$PAGER`, the app suspended meanwhile."""
        self.screen.run_worker(self._page(key), group="report")

    async def _page(self, key: BatchKey) -> None:
        text = await asyncio.to_thread(self._render(key))
        problem = await self.screen.deliver.page(text)
        if problem is not None:
            notify = self.screen.app.notify
            notify(clean(problem), title="No pager", severity="warning", timeout=8, markup=False)

    def _render(self, key: BatchKey) -> Callable[[], str]:
        """What renders the batch's Markdown report (its history read for the times: call it in a thread)."""
        from slv_tui.slv.report_md import ReportTimes, render_report, times_from_history

        session = self.screen.servers.of(key)
        snap = session.board.snapshot(key.batch_id)
        history = session.history
        server = key.server if key.server == session.url else f"{key.server} ({session.url})"

        def render() -> str:
            times = ReportTimes() if history is None else times_from_history(history.timeline(key.batch_id))
            batch = None if snap is None else snap.batch
            error = None if snap is None else snap.error
            return render_report(server, key.batch_id, batch, error, times=times)

        return render

    def report(self, key: BatchKey) -> None:
        """Write the batch's Markdown report (its history read for the times), in a thread."""
        self.screen.run_worker(self._report(key), group="report")

    async def _report(self, key: BatchKey) -> None:
        screen = self.screen
        batch_id, render = key.batch_id, self._render(key)

        try:
            path = await screen.deliver.report([batch_id], render)
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            problem(screen.app, f"Report failed: {why}", severity="error")
            return
        screen.app.notify(clean(f"Report written to {path}", max_length=1_000), markup=False)
