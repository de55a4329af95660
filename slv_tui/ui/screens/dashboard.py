"""The main screen: runs the poller, draws what it reports (header, filter, table, detail, footer),
announces finished batches, and declares every key."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import Worker, WorkerState

from slv_tui.common.sanitize import clean
from slv_tui.slv.auth import Secret
from slv_tui.slv.client import SlvClient
from slv_tui.slv.model import Batch, BatchState
from slv_tui.store.exports import export_batches
from slv_tui.store.history import Event, HistoryRecorder
from slv_tui.store.watchlist import WatchEntry, Watchlist
from slv_tui.ui.format import STATE_LABELS, plural
from slv_tui.ui.messages import BatchesPolled
from slv_tui.ui.rows import SORTS, BatchRow, RowBuilder, needs_attention, not_found, sort_rows
from slv_tui.ui.safe_input import SafeInput
from slv_tui.ui.screens.password import PasswordScreen
from slv_tui.ui.widgets.batch_table import BatchTable
from slv_tui.ui.widgets.detail_pane import DetailPane
from slv_tui.ui.widgets.header_bar import HeaderBar, ViewStrip, count_key
from slv_tui.watch.alerts import Alerts, Delivery, alert_for
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import Condition, PollRound, ServerStatus, Snapshot, merged

log = logging.getLogger(__name__)
_T = TypeVar("_T")
HistoryReader = Callable[[str], Sequence[Mapping[str, Any]]]
UNDO_SECONDS = 8.0
"""How long the "Removed …" toast stays."""
UNDO_DEPTH = 20
"""How many removals `u` can put back, the latest first (for the whole session)."""
NARROW_BELOW = 100
VIEW_EVERY = 1.0
"""Seconds between two redraws for poll results: answers arrive one by one and are shown together
(a batch that finishes and what the operator does are shown at once)."""

FINISH_TOAST: dict[BatchState, tuple[str, SeverityLevel, float]] = {
    BatchState.SUCCEEDED: ("Batch succeeded", "information", 10),
    BatchState.COMPLETED_WITH_ERRORS: ("Batch finished with errors", "warning", 60),
    BatchState.CANCELLED: ("Batch cancelled", "warning", 60),
    BatchState.FAILED: ("Batch failed", "error", 60),
}
"""Title, severity and seconds on screen per final state: trouble stays long enough to be seen."""


def finish_text(batch: Batch, label: str) -> str:
    """The body of a batch-finished toast: which batch, its counts, and the failure reason if any."""
    name = f"{batch.batch_id} ({clean(label)})" if label else batch.batch_id
    counts = batch.counts
    text = f"{name}\n{plural(counts.error, 'error')}, {plural(counts.warning, 'warning')}"
    reason = batch.error_code_label or batch.message
    if batch.state is BatchState.FAILED and reason:
        text += f"\n{clean(reason, max_length=200)}"
    return text


TABLE_ONLY = frozenset({"add", "remove", "filter", "attention", "show_all", "sort", "sort_reverse"})
"""Keys that act on the table: off while the step tree has the focus (esc or q goes back first)."""


class DashboardScreen(Screen[None]):
    """Watches the watchlist; keys are declared here and reused by the footer, help and palette."""

    BINDINGS = [
        Binding("a", "add", "Add", tooltip="Add batch IDs to the watchlist", id="add"),
        Binding("d", "remove", "Remove", tooltip="Remove the selected batch (undo with u)", id="remove"),
        Binding(
            "u",
            "undo",
            "Undo",
            show=False,  # the removal toast names it; the footer keeps its room at 60 columns
            tooltip="Put back the last removed batch (again: the one before)",
            id="undo",
        ),
        Binding("u", "nothing_to_undo", "Undo", show=False, tooltip="Says there is nothing to undo"),
        Binding("l", "label", "Label", show=False, tooltip="Edit the selected batch's label", id="label"),
        Binding("r", "refresh", "Refresh", show=False, tooltip="Fetch the selected batch now", id="refresh"),
        Binding(
            "R", "refresh_all", "Refresh all", show=False, tooltip="Fetch every batch now", id="refresh-all"
        ),
        Binding("slash", "filter", "Filter", tooltip="Filter rows by ID, label or state", id="filter"),
        Binding(
            "e",
            "export",
            "Export",
            show=False,
            tooltip="Write the selected batch as JSON (export dir)",
            id="export",
        ),
        Binding(
            "E",
            "export_all",
            "Export all",
            show=False,
            tooltip="Write the batches shown as JSON",
            id="export-all",
        ),
        Binding("c", "copy_id", "Copy", show=False, tooltip="Copy the selected batch ID", id="copy"),
        Binding(
            "m",
            "report",
            "Report",
            show=False,
            tooltip="Write the selected batch's Markdown report",
            id="report",
        ),
        Binding("p", "pause", "Pause", tooltip="Pause auto refresh (data then ages into stale)", id="pause"),
        Binding("p", "resume", "Resume", tooltip="Resume auto refresh", id="resume"),
        Binding("P", "password", "Password", show=False, tooltip="Enter the server password", id="password"),
        Binding(
            "x",
            "archive",
            "Archive",
            show=False,
            tooltip="Archive the selected finished batch (history kept); in the archive: bring it back",
            id="archive",
        ),
        Binding(
            "X",
            "toggle_archive",
            "Archived",
            show=False,
            tooltip="Show the archived batches (toggle)",
            id="archived",
        ),
        Binding(
            "s",
            "sort",
            "Sort",
            show=False,
            tooltip="Sort by the next column (or click a column header)",
            id="sort",
        ),
        Binding("S", "sort_reverse", "Reverse", show=False, tooltip="Reverse the sort", id="sort-reverse"),
        Binding(
            "exclamation_mark",
            "attention",
            "Attention",
            tooltip="Show only what needs attention "
            "(failed, with errors, cancelling, stale, not found); again shows all",
            id="attention",
        ),
        Binding("exclamation_mark", "show_all", "Show all", tooltip="Show every batch again", id="show-all"),
        Binding(
            "plus",
            "zoom",
            "View",
            show=False,
            tooltip="Table and detail / table only / detail only",
            id="zoom",
        ),
        Binding("escape", "back", "Back", show=False, tooltip="Close the filter / back to the table"),
    ]
    """The footer shows the everyday keys, so that all of them, help and quit included, fit at 60
    columns; the rest (enter, undo — the removal toast names it —, sort, …) are in help and the palette."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]
    """Below NARROW_BELOW columns the detail pane shows the fields or the step tree, not both."""

    header: HeaderBar
    table: BatchTable
    detail: DetailPane

    def __init__(
        self,
        watchlist: Watchlist,
        poller: Poller,
        clock: Callable[[], float],
        server_label: str,
        warnings: Sequence[str],
        *,
        client: SlvClient,
        bell: bool = False,
        history: HistoryRecorder | None = None,
        alerts: Alerts | None = None,
    ) -> None:
        super().__init__(id="dashboard")
        self.client = client
        self.ring_bell = bell
        self.history = history
        """Records each batch's timeline (its own thread); the detail pane reads it from memory."""
        self.alerts = alerts
        self.alerted: list[Delivery] = []
        """Every desktop alert sent, in order (what tests check)."""
        self.finished: list[tuple[str, BatchState]] = []
        """Every batch seen finishing, in order (what the toasts announced)."""
        self.auth_warned = False
        self._pending_rounds: list[PollRound] = []
        self._snapshots: tuple[Snapshot, ...] = poller.snapshots()
        """What the view shows: the snapshots the last poll round carried (or read after a change here)."""
        self.server_label = server_label
        self.server_url = client.settings.base_url
        """The server as reports name it."""
        self.report_history: HistoryReader | None = None if history is None else history.timeline
        """Reads a batch's history events for the report's times (None: the report shows —)."""
        self.warnings = list(warnings)
        self.watchlist = watchlist
        self.poller = poller
        self.clock = clock
        self.filter_text = ""
        self.show_archived = False
        """The table lists the archived batches instead of the watched ones."""
        self.export_dir: Path | None = None
        """`[ui] export_dir`; None: the user's downloads or documents folder."""
        self.sort_column = "state"
        self.sort_reverse = False
        self.attention_only = False
        """Sort and view, remembered across runs in the UI state file (see `SlvApp`)."""
        self.view_mode = "both"
        """What the screen shows: "both", "table" (full-screen table) or "detail" (full-screen detail)."""
        self.ask_password = False
        """No password (or token) source: the masked dialog opens at once, before the first fetch."""
        self.row_builder = RowBuilder()
        self.undo_stack: list[list[WatchEntry]] = []
        """Removals that `u` puts back, the latest last (at most UNDO_DEPTH)."""
        self._server = ServerStatus()
        self._ready = False
        self._saving = asyncio.Lock()
        self._dirty = False
        """Poll results arrived that the view does not show yet."""
        self._drawn_at = -math.inf
        """When the view was last brought up to date (monotonic seconds)."""
        self.timeline_of: Callable[[str], Sequence[Event]] = (
            history.timeline if history is not None else lambda _batch_id: ()
        )
        """The recorded history of a batch (in memory; the recorder fills it)."""

    def compose(self) -> ComposeResult:
        """Header, filter box (hidden until /), table, detail, footer."""
        yield HeaderBar(self.server_label, self.warnings)
        yield SafeInput(placeholder="filter by ID, label or state — esc clears", id="filter")
        yield Static(
            "ARCHIVE — finished batches, history kept · x brings one back · X back to the watched batches",
            id="archive-banner",
        )
        yield BatchTable()
        yield DetailPane()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Show what is known now, start polling once the first frame is drawn, keep ages ticking."""
        self.header = self.query_one(HeaderBar)
        self.table = self.query_one(BatchTable)
        self.detail = self.query_one(DetailPane)
        self.table.focus()
        self.poller.on_round = self._on_round
        self.call_after_refresh(self._styled)
        if self.ask_password and self.client.settings.credentials.password is None:
            self.call_after_refresh(self._ask_password_first)
        else:
            self.call_after_refresh(self._start_poller)  # the first frame is drawn before any request
        if self.watchlist.problem:
            problem = clean(self.watchlist.problem)
            self.app.notify(problem, title="Watchlist", severity="warning", markup=False)

    # -- polling ----------------------------------------------------------------------------------

    def _on_round(self, poll_round: PollRound) -> None:
        """The poller's callback (once per fetch): only posts a message (handlers render).

        Fetches that end before the message is handled ride along with it: one redraw for all of them.
        """
        if self.history is not None:
            self.history.record(poll_round)  # only queues: the recorder's thread writes
        self._pending_rounds.append(poll_round)
        if len(self._pending_rounds) == 1:
            self.post_message(BatchesPolled(poll_round))

    def _ask_password_first(self) -> None:
        """No password (or token) source: ask at once; polling starts once the dialog is closed."""
        creds = self.client.settings.credentials

        def done(secret: Secret | None) -> None:
            if secret is not None:
                self.client.set_password(secret)
            self._start_poller()

        self.app.push_screen(PasswordScreen(creds.username, None, creds.secret_name), done)

    def _start_poller(self) -> None:
        self.run_worker(self.poller.run(), name="poller", group="poller", exclusive=True, exit_on_error=False)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Errors go through one door: the poller never takes the app down; it is restarted."""
        if event.worker.group == "poller" and event.state is WorkerState.ERROR:
            log.error("poller crashed: %r", event.worker.error)
            self.app.notify(
                f"Polling stopped unexpectedly ({type(event.worker.error).__name__}); restarting",
                severity="error",
                markup=False,
            )
            self.set_timer(2.0, self._start_poller)

    @on(BatchesPolled)
    def _polled(self, message: BatchesPolled) -> None:
        """Draw the round, announce finished batches, offer the password on auth trouble."""
        message.stop()
        rounds, self._pending_rounds = self._pending_rounds, []
        poll_round = merged(rounds or [message.round])
        for snapshot, state in self.apply_round(poll_round):
            self.finished.append((snapshot.batch_id, state))
            if snapshot.batch is not None:  # always: finishing is seen in a fetched batch
                self._announce(snapshot.batch, state)
        if self.alerts is not None and self.alerts.enabled:
            self._alert(poll_round)
        server = poll_round.server
        what = self.client.settings.credentials.secret_name
        for header in self.query(HeaderBar):  # none until mounted, or once torn down
            header.set_auth(self.client.auth_label, what)
        if server.auth_problem and not self.auth_warned:
            self.app.notify(
                f"{clean(server.reason or 'authentication failed')} — press P to enter the {what}",
                title="Authentication",
                severity="error",
                timeout=15,
                markup=False,
            )
        self.auth_warned = server.auth_problem

    def _announce(self, batch: Batch, state: BatchState) -> None:
        """A toast (and the bell when asked for) for a batch seen finishing."""
        label = next((e.label for e in self.watchlist.entries if e.batch_id == batch.batch_id), "")
        title, severity, timeout = FINISH_TOAST[state]
        symbol = STATE_LABELS[state][0]
        text = finish_text(batch, label)
        self.app.notify(text, title=f"{symbol} {title}", severity=severity, timeout=timeout, markup=False)
        if self.ring_bell:
            self.app.bell()

    def _alert(self, poll_round: PollRound) -> None:
        """Desktop alerts for what this round saw: a command in a thread, an escape, or the bell."""
        assert self.alerts is not None
        alerts = self.alerts
        labels = {e.batch_id: e.label for e in self.watchlist.entries}
        for update in poll_round.updates:
            alert = alert_for(update, labels.get(update.snapshot.batch_id, ""))
            delivery = None if alert is None else alerts.delivery(alert)
            if delivery is None:
                continue
            self.alerted.append(delivery)
            if delivery.command is not None:
                self.run_worker(partial(alerts.run, delivery.command), thread=True, group="alerts")
            elif delivery.escape is not None and self.app._driver is not None:
                self.app._driver.write(delivery.escape)  # through the driver, in order with the screen
            else:
                self.app.bell()

    def on_resize(self, event: Resize) -> None:
        """A narrow footer keeps its room for the keys (ctrl+p is listed in help)."""
        self.query_one(Footer).show_command_palette = event.size.width >= NARROW_BELOW

    def _styled(self) -> None:
        """Widgets have their CSS now, so their colours can be read: draw, then tick every second."""
        self._ready = True
        self.refresh_view()
        self.set_interval(VIEW_EVERY, self._tick)

    def _tick(self) -> None:
        """Redraw when poll results wait or some row would now read differently (a minute turned,
        data went stale); otherwise only the header's "unreachable for …" clock moves."""
        now = self.clock()
        if self._dirty or now >= self.row_builder.next_change:
            self.refresh_view()
        elif self._ready and self.is_attached:
            if self._server.ok is False:
                self._show_header(now)
            self._show_detail(now)  # the history recorded since (redraws only on a change)

    # -- the view ---------------------------------------------------------------------------------

    @property
    def selected_id(self) -> str | None:
        """The batch under the table cursor."""
        return self.table.selected_id if self._ready else None

    def apply_round(self, poll_round: PollRound) -> list[tuple[Snapshot, BatchState]]:
        """Take in a poll round; returns the batches that finished in it."""
        finished = []
        for update in poll_round.updates:
            state = update.finished_now
            if state is not None:
                self.row_builder.finished(update.snapshot.batch_id, poll_round.at)
                finished.append((update.snapshot, state))
        self._server = poll_round.server
        # The batches are the ones this screen watches now: a round posted before an add or a remove
        # that was handled first must neither bring a removed batch back nor hide an added one.
        fresh = {snap.batch_id: snap for snap in poll_round.snapshots}
        self._snapshots = tuple(fresh.get(snap.batch_id, snap) for snap in self._snapshots)
        self.row_builder.observe(self._snapshots)
        if finished or time.monotonic() - self._drawn_at >= VIEW_EVERY:
            self.refresh_view()  # a finish shows at once, with its toast
        else:
            self._dirty = True  # the next tick shows it, with whatever else arrives meanwhile
        return finished

    def rows(self, now: float) -> list[BatchRow]:
        """The rows to show, filtered and sorted (running and cancelling first)."""
        labels = {e.batch_id: e.label for e in self.watchlist.entries}
        archived = {e.batch_id for e in self.watchlist.entries if e.archived}
        shown = [s for s in self._snapshots if (s.batch_id in archived) is self.show_archived]
        rows = self.row_builder.rows(
            shown, labels, now=now, interval=self.poller.interval, needle=self.filter_text
        )
        if self.attention_only:
            rows = [r for r in rows if needs_attention(r)]
        if self.sort_column != "state" or self.sort_reverse:
            rows = sort_rows(rows, self.sort_column, reverse=self.sort_reverse)
        return rows

    def action_sort(self, column: str | None = None) -> None:
        """Sort by `column` (a header click; the same one again reverses), else by the next column."""
        keys = list(SORTS)
        if column is None:
            column = (
                keys[(keys.index(self.sort_column) + 1) % len(keys)] if self.sort_column in keys else "state"
            )
            self.sort_reverse = False
        elif column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_reverse = False
        self.sort_column = column if column in SORTS else "state"
        self._view_changed()

    def action_sort_reverse(self) -> None:
        """Reverse the sort order."""
        self.sort_reverse = not self.sort_reverse
        self._view_changed()

    def action_attention(self) -> None:
        """Show only the batches that need attention, or all again."""
        self.attention_only = not self.attention_only
        self._view_changed()
        self.refresh_bindings()

    def action_show_all(self) -> None:
        """Leave the "needs attention" view."""
        if self.attention_only:
            self.action_attention()

    @property
    def view_text(self) -> str:
        """The sort and view in words, e.g. "sorted by errors ↓ · needs attention only"."""
        text = f"sorted by {SORTS.get(self.sort_column, 'state')} {'↓' if self.sort_reverse else '↑'}"
        return text + (" · needs attention only (! shows all)" if self.attention_only else "")

    def _view_changed(self) -> None:
        self.app.notify(self.view_text.capitalize(), timeout=3, markup=False)
        self.refresh_view()
        self.app.call_later(self.app.run_action, "save_ui_state")

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key in SORTS:
            self.action_sort(key)

    def snapshot(self, batch_id: str) -> Snapshot | None:
        """The shown snapshot of one batch, None if it is not watched."""
        return next((s for s in self._snapshots if s.batch_id == batch_id), None)

    def _watched_changed(self) -> None:
        """This screen changed what the poller watches: show the new set at once."""
        self._snapshots = self.poller.snapshots()
        self.row_builder.observe(self._snapshots)

    @property
    def drawable(self) -> bool:
        """True while header, table and detail can be drawn into: false before the widgets have
        their styles and from the moment teardown starts (on quit the widgets are pruned first,
        while a poll round, a timer tick or a highlight can still arrive)."""
        if not self._ready or not self.is_attached or self._pruning or self._closing:
            return False
        if not self.app.is_running:  # shutting down: the app stops running before it prunes screens
            return False
        return all(w.is_attached and not w._pruning for w in (self.header, self.table, self.detail))

    def refresh_view(self, select: str | None = None) -> None:
        """Bring header, table and detail up to date (only changed cells are touched)."""
        if not self.drawable:
            return
        self._dirty = False
        self._drawn_at = time.monotonic()
        now = self.clock()
        rows = self.rows(now)
        with self.app.batch_update():
            self._show_header(now)
            entries = self.watchlist.entries
            watched = [(e.batch_id, e.label) for e in entries if e.archived is self.show_archived]
            sort = (self.sort_column, self.sort_reverse)
            self.table.sync(rows, select=select, sort=sort, watched=watched)
            self._show_detail(now)

    def _show_header(self, now: float) -> None:
        down_for = None if self._server.ok is not False else now - self._server.since
        archived = {e.batch_id for e in self.watchlist.entries if e.archived}
        shown = [s for s in self._snapshots if (s.batch_id in archived) is self.show_archived]
        conditions = [(s, s.condition(now, self.poller.interval)) for s in shown]  # the table's rows
        states = [count_key(s, c, missing=not_found(s)) for s, c in conditions]
        stale = any(c is Condition.STALE for _, c in conditions)
        read_only = bool(getattr(self.app, "read_only", False))
        sort = SORTS.get(self.sort_column, "state")
        view = ViewStrip(sort, self.sort_reverse, self.filter_text, self.attention_only)
        view = replace(view, archive=self.show_archived, read_only=read_only)
        self.header.show(self._server, self.poller.paused, down_for, states, stale=stale, view=view)

    def _show_detail(self, now: float) -> None:
        if not self.drawable:
            return
        batch_id = self.selected_id
        snap = None if batch_id is None else self.snapshot(batch_id)
        labels = {e.batch_id: e.label for e in self.watchlist.entries}
        condition = None if snap is None else snap.condition(now, self.poller.interval)
        empty = self._empty_text() if snap is None else None
        paused = self.poller.paused
        timeline = () if batch_id is None else self.timeline_of(batch_id)
        self.detail.show(
            snap,
            labels.get(batch_id or "", ""),
            condition,
            now,
            paused=paused,
            empty=empty,
            timeline=timeline,
        )

    def _empty_text(self) -> Text:
        """What the detail pane says when no row is selected: how to add, or why nothing shows."""
        if self.show_archived:
            return Text("No archived batch — x archives a finished batch, X goes back to the watched ones")
        watched = len(self.watchlist.entries)
        needle = self.filter_text.strip()
        if watched and self.attention_only and not needle:
            return Text(f"Nothing needs attention ({plural(watched, 'batch')} watched) — ! shows all")
        if watched and needle:
            return Text(
                f"No batch matches the filter “{needle}” ({plural(watched, 'batch')} watched) — "
                "esc clears the filter"
            )
        if watched:
            return Text("No batch selected")
        guide = Text("Nothing to watch yet.\n\n", style="bold")
        for key, what in (
            ("a", "add batch IDs: paste many at once, separated by spaces, commas or new lines"),
            ("?", "every key"),
            ("ctrl+p", "every command, and the colour theme"),
        ):
            guide.append(f"  {key:<8}", style="bold")
            guide.append(f"{what}\n", style="not bold")
        guide.append("\nOr give IDs on the command line:  slv-tui 1481016600181 1481018818069", "not bold")
        return guide

    def restyle(self) -> None:
        """Redraw with the current theme's colours."""
        if not self.drawable:
            return
        self.header.restyle()
        self.table.restyle()
        self.detail.restyle()
        self.refresh_view()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(self.clock())

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_details()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.refresh_view()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.table.focus()

    # -- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide undo when there is nothing to undo; grey out per-batch keys with no selection."""
        if action in TABLE_ONLY and self._ready and self.detail.reading:
            return False  # in the tree the footer shows the tree's keys (and fits at 60 columns)
        if action in ("attention", "show_all"):  # one key; the footer says "Show all" while the view is on
            return self.attention_only is (action == "show_all")
        if action in ("undo", "nothing_to_undo"):
            return bool(self.undo_stack) is (action == "undo")  # one key, as p
        if action in ("pause", "resume"):
            return self.poller.paused is (action == "resume")  # one key; the footer names what it does
        if action in ("remove", "label", "refresh", "export", "copy_id", "details", "report", "archive"):
            return True if self.selected_id is not None else None
        return True

    def action_add(self) -> None:
        """Open the add dialog."""
        from slv_tui.ui.screens.add_batches import AddBatchesScreen

        self.app.push_screen(AddBatchesScreen(), self._added)

    def _added(self, result: tuple[list[str], str, int] | None) -> None:
        if not result:
            return
        ids, label, ignored = result
        self._in_background(self.add_batches(ids, label, ignored=ignored))

    def _in_background(self, work: Coroutine[Any, Any, object]) -> None:
        """Run a watchlist change as a worker, so keys keep working while it waits for the file."""
        self.run_worker(work, group="watchlist")

    async def _save(self, change: Callable[[], _T]) -> _T:
        """Run a watchlist change in a thread: its file lock and fsync never freeze the screen.
        Changes run one at a time, in the order the keys were pressed."""
        async with self._saving:
            return await asyncio.to_thread(change)

    async def add_batches(self, ids: Sequence[str], label: str = "", *, ignored: int = 0) -> list[str]:
        """Watch these IDs (already watched ones are left alone) and select the first."""
        added = await self._save(partial(self.watchlist.add, ids, label))
        self._warn_if_unsaved()
        self.poller.watch(added)
        self._watched_changed()
        skipped = len(ids) - len(added)
        note = f"Added {plural(len(added), 'batch')}"
        if skipped:
            note += f" ({skipped} already watched)"
        if ignored:
            note += f" · {ignored} ignored (not a batch ID)"
        self.app.notify(note, markup=False)
        first = (added or list(ids))[:1]
        self.refresh_view(select=first[0] if first else None)
        self.refresh_bindings()
        return added

    def _warn_if_unsaved(self) -> None:
        """A watchlist change that could not be written is kept in memory; say so, once per change."""
        if self.watchlist.unsaved and self.watchlist.problem:
            self.app.notify(clean(self.watchlist.problem), title="Watchlist not saved", severity="warning",
                            markup=False)  # fmt: skip

    def action_remove(self) -> None:
        """Remove the selected batch; undo stays possible for a few seconds."""
        batch_id = self.selected_id
        if batch_id is not None:
            self._in_background(self._remove(batch_id))

    async def _remove(self, batch_id: str) -> None:
        removed = await self._save(partial(self.watchlist.remove, [batch_id]))
        self._warn_if_unsaved()
        self.poller.unwatch([batch_id])
        self._watched_changed()
        if removed:
            self.undo_stack = [*self.undo_stack, removed][-UNDO_DEPTH:]
            n = len(self.undo_stack)
            self.app.notify(
                f"Removed {_names(removed)} — u puts it back ({plural(n, 'removal')} to undo)",
                timeout=UNDO_SECONDS,
                markup=False,
            )
        self.refresh_view()
        self.refresh_bindings()

    def action_undo(self) -> None:
        """Put back the last removal (press again for the one before)."""
        if not self.undo_stack:
            self.action_nothing_to_undo()
            return
        entries = self.undo_stack[-1]
        self.undo_stack = self.undo_stack[:-1]
        self._in_background(self._restore(entries))

    def action_nothing_to_undo(self) -> None:
        """`u` with nothing left to put back says so."""
        self.app.notify("Nothing to undo", timeout=3, markup=False)

    async def _restore(self, entries: list[WatchEntry]) -> None:
        await self._save(partial(self.watchlist.restore, entries))
        self._warn_if_unsaved()
        self.poller.watch((e.batch_id for e in entries), seen_for=self.watchlist.watched_for())
        self._watched_changed()
        left = len(self.undo_stack)
        more = f" ({plural(left, 'more removal')} to undo)" if left else ""
        self.app.notify(f"Restored {_names(entries)}{more}", markup=False)
        self.refresh_view(select=entries[0].batch_id)
        self.refresh_bindings()

    def action_label(self) -> None:
        """Edit the selected batch's label."""
        from slv_tui.ui.screens.label import LabelScreen

        batch_id = self.selected_id
        if batch_id is None:
            return
        current = next((e.label for e in self.watchlist.entries if e.batch_id == batch_id), "")

        async def save(label: str) -> None:
            await self._save(partial(self.watchlist.set_label, batch_id, label))
            self._warn_if_unsaved()
            self.refresh_view()

        def done(label: str | None) -> None:
            if label is not None:
                self._in_background(save(label))

        self.app.push_screen(LabelScreen(batch_id, current), done)

    def action_archive(self) -> None:
        """Archive the selected finished batch (in the archive view: bring it back)."""
        batch_id = self.selected_id
        if batch_id is None:
            return
        snap = self.poller.snapshot(batch_id)
        if not self.show_archived and (snap is None or snap.state is None or not snap.state.finished):
            self.app.notify("Only a finished batch can be archived", severity="warning", timeout=4)
            return
        self._in_background(self._archive(batch_id, not self.show_archived))

    async def _archive(self, batch_id: str, archived: bool) -> None:
        await self._save(partial(self.watchlist.set_archived, [batch_id], archived))
        self._warn_if_unsaved()
        if archived:
            self.app.notify(f"Archived {batch_id} — X shows the archived batches", timeout=5, markup=False)
        else:
            self.app.notify(f"{batch_id} is back among the watched batches", timeout=4, markup=False)
        self.refresh_view()

    def action_toggle_archive(self) -> None:
        """Show the archived batches, or the watched ones again."""
        self.show_archived = not self.show_archived
        what = "archived batches (X goes back)" if self.show_archived else "watched batches"
        self.app.notify(f"Showing the {what}", timeout=3, markup=False)
        self.set_class(self.show_archived, "-archive")
        self.refresh_view()

    def action_details(self) -> None:
        """Move into the step tree of the selected batch, the cursor on what needs reading first."""
        if self.selected_id is not None:
            tree = self.detail.step_tree
            tree.focus()
            tree.land()

    @property
    def detail_only(self) -> bool:
        """The detail pane fills the screen (the table is hidden)."""
        return self.view_mode == "detail"

    def action_zoom(self) -> None:
        """Cycle the view: table and detail → table only → detail only → both again."""
        order = ("both", "table", "detail")
        self.set_view(order[(order.index(self.view_mode) + 1) % len(order)])

    def set_view(self, mode: str) -> None:
        """Show both panes, the table alone or the detail alone."""
        self.view_mode = mode
        self.set_class(mode == "table", "-table-only")
        self.set_class(mode == "detail", "-detail-only")
        if mode == "detail":
            self.action_details()
        else:
            self.table.focus()
        names = {"both": "table and detail", "table": "table only", "detail": "detail only"}
        self.app.notify(f"View: {names[mode]} — + switches", timeout=2, markup=False)

    @property
    def at_top(self) -> bool:
        """The table has the focus with nothing opened over it: q quits from here."""
        box = self.query_one("#filter", Input)
        return self.table.has_focus and not box.has_class("-shown") and not self.detail_only

    def action_back(self) -> None:
        """Close the filter, or go back from the tree (or the full-screen detail) to the table."""
        box = self.query_one("#filter", Input)
        if box.has_class("-shown"):
            box.value = ""
            box.remove_class("-shown")
        if self.detail_only:
            self.set_view("both")
        self.table.focus()

    def action_refresh(self) -> None:
        """Fetch the selected batch now."""
        if self.selected_id is not None:
            self.poller.refresh([self.selected_id])

    def action_refresh_all(self) -> None:
        """Fetch every batch now."""
        self.poller.refresh()
        self.app.notify("Refreshing every batch…", timeout=2, markup=False)

    def action_filter(self) -> None:
        """Show and focus the filter box.

        The focus moves now, not on the next turn of the queue (`focus()` defers it): keys typed
        right after / (a paste, a burst over SSH) are already queued and must reach the box."""
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        self.set_focus(box)

    def action_copy_id(self) -> None:
        """Copy the selected batch ID: to the system clipboard where there is one, and through the
        terminal (OSC 52, which no terminal confirms); the toast says which, else shows the ID."""
        batch_id = self.selected_id
        if batch_id is not None:
            self.run_worker(self._copy(batch_id), group="copy", exclusive=True)

    async def _copy(self, batch_id: str) -> None:
        from slv_tui.ui.clipboard import system_copy

        self.app.copy_to_clipboard(batch_id)  # OSC 52: works in many terminals, but is never confirmed
        if await asyncio.to_thread(system_copy, batch_id):
            self.app.notify(f"Copied {batch_id} to the system clipboard", timeout=3, markup=False)
            return
        self.app.notify(
            f"{batch_id}\nSent to the terminal's clipboard (OSC 52), which does not confirm it; "
            "if it did not arrive, select the ID above to copy it by hand",
            title="Copy not confirmed",
            severity="warning",
            timeout=15,
            markup=False,
        )

    def action_pause(self) -> None:
        """Pause auto refresh (nothing is fetched until resumed; data ages into stale)."""
        if not self.poller.paused:
            self.poller.pause()
            self.app.notify("Auto refresh paused — press p to resume", timeout=4)
        self.refresh_view()
        self.refresh_bindings()

    def action_resume(self) -> None:
        """Resume auto refresh."""
        if self.poller.paused:
            self.poller.resume()
            self.app.notify("Auto refresh resumed", timeout=3)
        self.refresh_view()
        self.refresh_bindings()

    def action_export(self) -> None:
        """Write the selected batch as JSON."""
        if self.selected_id is not None:
            self._export([self.selected_id], "")

    def action_export_all(self) -> None:
        """Write the batches shown (filter and attention view applied) as JSON."""
        ids = [row.batch_id for row in self.rows(self.clock())]
        watched = len(self._snapshots)
        if not ids:
            self.app.notify("Nothing to export: no batch is shown", severity="warning", markup=False)
            return
        self._export(ids, "" if len(ids) == watched else f" (the {len(ids)} shown of {watched} watched)")

    def _export(self, ids: list[str], note: str) -> None:
        shown = {s.batch_id: s for s in self._snapshots}
        self.run_worker(self._write_export(ids, shown, note), group="export")

    async def _write_export(self, ids: list[str], shown: dict[str, Snapshot], note: str) -> None:
        """Write the file in a thread (the folder may be slow); say where it went."""
        try:
            path = await asyncio.to_thread(export_batches, ids, shown.get, self.export_dir)
        except OSError as exc:
            self.app.notify(clean(f"Export failed: {exc.strerror or exc}"), severity="error", markup=False)
            return
        self.app.notify(
            clean(str(path)),  # a folder name may hold anything
            title=f"Exported {plural(len(ids), 'batch')}{note}",
            timeout=10,
            markup=False,
        )

    def action_report(self) -> None:
        """Write the selected batch's Markdown report to the export folder, in a thread."""
        if self.selected_id is not None:
            self.run_worker(self._report(self.selected_id), group="report")

    async def _report(self, batch_id: str) -> None:
        from slv_tui.slv.report_md import ReportTimes, render_report, times_from_history
        from slv_tui.store.exports import export_dir
        from slv_tui.store.reports import report_name, write_report

        snap = self.poller.snapshot(batch_id)
        reader = self.report_history

        def write() -> Path:
            times = times_from_history(reader(batch_id)) if reader is not None else ReportTimes()
            batch = None if snap is None else snap.batch
            error = None if snap is None else snap.error
            text = render_report(self.server_url, batch_id, batch, error, times=times)
            return write_report(export_dir(self.export_dir) / report_name([batch_id]), [text])

        try:
            path = await asyncio.to_thread(write)
        except (OSError, ValueError) as exc:
            why = getattr(exc, "strerror", None) or exc
            self.app.notify(clean(f"Report failed: {why}"), severity="error", markup=False)
            return
        self.app.notify(clean(f"Report written to {path}", max_length=1_000), markup=False)

    async def action_password(self) -> None:
        """Ask for the server password (masked)."""
        await self.app.run_action("app.password")


def _names(entries: Sequence[WatchEntry]) -> str:
    """Batch IDs with their labels, for a toast: `1481016600181 (Main street)`."""
    return ", ".join(f"{e.batch_id} ({clean(e.label)})" if e.label else e.batch_id for e in entries)
