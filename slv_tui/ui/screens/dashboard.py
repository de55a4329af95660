"""The main screen: draws what its Board reports (header, filter, table, detail, footer) and turns
keys into questions to the Board or its collaborators (edits, outputs, announcements)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import Worker, WorkerState

from slv_tui.slv.model import BatchState
from slv_tui.ui.delivery import Deliver
from slv_tui.ui.messages import BatchesPolled
from slv_tui.ui.rows import SORTS, BatchKey, BatchRow
from slv_tui.ui.safe_input import SafeInput
from slv_tui.ui.screens.announce import Announcer, problem
from slv_tui.ui.screens.dashboard_keys import DASHBOARD_KEYS, PER_BATCH, key_off
from slv_tui.ui.screens.dashboard_view import next_sort, view_text
from slv_tui.ui.screens.outputs import Outputs
from slv_tui.ui.screens.painter import Painter
from slv_tui.ui.screens.password import ask_first
from slv_tui.ui.screens.server_keys import ServerKeys
from slv_tui.ui.screens.watch_edits import WatchEdits
from slv_tui.ui.servers import Servers
from slv_tui.ui.widgets.batch_table import BatchTable
from slv_tui.ui.widgets.detail_pane import DetailPane
from slv_tui.ui.widgets.header_bar import HeaderBar
from slv_tui.ui.widgets.keys_footer import KeysFooter
from slv_tui.ui.wiring import AppSettings, Seams, Session
from slv_tui.watch.board import BoardEvent, ListChanged, RoundApplied
from slv_tui.watch.snapshot import PollRound, Snapshot

log = logging.getLogger(__name__)
NARROW_BELOW = 100


class DashboardScreen(ServerKeys):
    """Watches one Board per server; keys are declared in `dashboard_keys` (footer, help, palette)."""

    BINDINGS = DASHBOARD_KEYS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_BELOW, "-wide")]
    """Below NARROW_BELOW columns the detail pane shows the fields or the step tree, not both."""

    header: HeaderBar
    table: BatchTable
    detail: DetailPane
    deliver: Deliver
    """Where copies, exports, reports and terminal alerts go (chosen by `make_app`; set on mount)."""

    def __init__(self, sessions: Session | Sequence[Session], settings: AppSettings, seams: Seams) -> None:
        super().__init__(id="dashboard")
        self.servers = Servers([sessions] if isinstance(sessions, Session) else sessions)
        self.settings, self.seams = settings, seams
        self.session = session = self.servers.first
        """The first server (what single-server callers and tests read; rows ask `servers.of`)."""
        self.board, self.client, self.history = session.board, session.client, session.history
        self.clock: Callable[[], float] = session.board.poller.clock
        self.announcer = Announcer(self, seams.alerts, bell=settings.bell)
        self.finished = self.announcer.finished
        self.alerted = self.announcer.alerted
        self.edits = WatchEdits(self)
        self.outputs = Outputs(self)
        self.filter_text = ""
        self.show_archived = False
        """The table lists the archived batches instead of the watched ones."""
        self.sort_column = "state"
        self.sort_reverse = False
        self.attention_only = False
        """Sort and view, remembered across runs in the UI state file (see `SlvApp`)."""
        self.view_mode = "both"
        """What the screen shows: "both", "table" (full-screen table) or "detail" (full-screen detail)."""
        self.painter = Painter(self)
        self._ready = False
        self._wide: bool | None = None  # the last resize at least NARROW_BELOW wide (None: none yet)

    def compose(self) -> ComposeResult:
        """Header, filter box (hidden until /), table, detail, footer."""
        yield HeaderBar(self.settings.server_label, list(self.settings.warnings), servers=self.servers)
        yield SafeInput(placeholder="filter by ID, label or state — esc clears", id="filter")
        yield Static(
            "ARCHIVE — finished batches, history kept · x brings one back · X back to the watched batches",
            id="archive-banner",
        )
        yield BatchTable()
        yield DetailPane()
        yield KeysFooter(compact=True)  # rebuilt only when its keys change

    def on_mount(self) -> None:
        """Show what is known now, start polling once the first frame is drawn, keep ages ticking."""
        self.header = self.query_one(HeaderBar)
        self.table = self.query_one(BatchTable)
        self.table.multi = self.servers.multi
        self.table.server_colors = {s.name: s.color for s in self.servers if s.color}
        self.detail = self.query_one(DetailPane)
        self.deliver = self.seams.deliver(self.app, self.settings)
        self.table.focus()
        self.call_after_refresh(self._styled)
        for session in self.servers:
            session.board.subscribe(self._board_event)  # the app closes the Boards when it quits
            self.announcer.listen(session)  # desktop alerts: a notifier channel on the Board's events
            start = lambda name=session.name: self._start_poller(name)  # noqa: E731
            asked = self.settings.ask_password if session.ask_password is None else session.ask_password
            if asked and session.client.settings.credentials.password is None:
                named = session.name if self.servers.multi else ""
                self.call_after_refresh(ask_first, self.app, session.client, start, named)
            else:
                self.call_after_refresh(start)  # the first frame is drawn before any request
            if trouble := session.board.store.problem:
                problem(
                    self.app,
                    trouble,
                    title=self.server_title("Watchlist", session.name),
                    kind="store_problem",
                )

    # -- polling ----------------------------------------------------------------------------------

    def _board_event(self, event: BoardEvent) -> None:
        """The Board's stream (once per fetch): only posts a message carrying the round (handlers draw)."""
        if isinstance(event, RoundApplied):
            self.post_message(BatchesPolled(event.server, event.round))
        elif isinstance(event, ListChanged):  # an edit here: unwatched batches' trends are forgotten
            self.painter.list_changed(event.server)

    def _start_poller(self, name: str | None = None) -> None:
        session = self.servers.of(name)
        self.run_worker(session.board.run(), name=f"poller:{session.name}", group=f"poller:{session.name}",
                        exclusive=True, exit_on_error=False)  # fmt: skip

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Errors go through one door: the poller never takes the app down; it is restarted."""
        group = event.worker.group
        if group.startswith("poller:") and event.state is WorkerState.ERROR:
            name = group.removeprefix("poller:")
            log.error("poller crashed: %r", event.worker.error)
            text = f"Polling stopped unexpectedly ({type(event.worker.error).__name__}); restarting"
            problem(self.app, text, title=self.server_title("", name), severity="error")
            self.set_timer(2.0, lambda: self._start_poller(name))

    @on(BatchesPolled)
    def _polled(self, message: BatchesPolled) -> None:
        """Draw the round, announce finished batches, offer the password on auth trouble."""
        message.stop()
        for snapshot, state in self.painter.take(message.round, message.server):
            if snapshot.batch is not None:  # always: finishing is seen in a fetched batch
                self.announcer.finished_batch(message.server, snapshot.batch, state)
        self.announcer.auth(message.server, message.round.server)

    def on_resize(self, event: Resize) -> None:
        """A narrow footer keeps its room for the keys (ctrl+p is listed in help)."""
        self.query_one(Footer).show_command_palette = wide = event.size.width >= NARROW_BELOW
        if wide is not self._wide:  # the start alone sends three resizes of the same size
            self._wide = wide
            self.refresh_bindings()  # y, o and F join the tree's footer from NARROW_BELOW columns on

    def _styled(self) -> None:
        """Widgets have their CSS now, so their colours can be read: draw (the painter's one-shot
        timer then wakes the view when it next reads differently)."""
        self._ready = True
        self.refresh_view()

    # -- the view ---------------------------------------------------------------------------------

    @property
    def selected_key(self) -> BatchKey | None:
        """The (server, batch ID) under the table cursor."""
        return self.table.selected_key if self._ready else None

    @property
    def selected_id(self) -> str | None:
        key = self.selected_key
        return None if key is None else key.batch_id

    def apply_round(self, poll_round: PollRound, server: str = "") -> list[tuple[Snapshot, BatchState]]:
        """Take in a poll round of `server` (default: the first); returns what finished in it."""
        return self.painter.take(poll_round, server or self.session.name)

    def rows(self, now: float) -> list[BatchRow]:
        """The rows shown, filtered and sorted."""
        return self.painter.rows(now)

    @property
    def drawable(self) -> bool:
        """Header, table and detail can be drawn into now."""
        return self._ready and self.painter.drawable

    def refresh_view(self, select: BatchKey | None = None) -> None:
        """Bring header, table and detail up to date (the one paint: `Painter.paint`)."""
        if self.drawable:
            self.painter.paint(select)

    def restyle(self) -> None:
        """Redraw with the current theme's colours."""
        if self.drawable:
            self.painter.restyle()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.drawable:
            self.painter.show_detail(self.clock())
            if self.servers.multi:
                self.refresh_bindings()  # keys that depend on the row's server (n on a read-only one)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_details()

    @on(DataTable.HeaderSelected)
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        if event.column_key.value in SORTS:
            self.action_sort(event.column_key.value)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.refresh_view()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.table.focus()

    # -- actions (the keys; each asks the Board or a collaborator) ------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide undo when there is nothing to undo; grey out per-batch keys with no selection."""
        if key_off(action, self._ready and self.detail.reading, self.size.width >= NARROW_BELOW):
            return False  # the tree's footer shows its keys (and fits at 60 columns); y, o, F only there
        if action in ("attention", "show_all"):  # one key; the footer says "Show all" while the view is on
            return self.attention_only is (action == "show_all")
        if action in ("undo", "nothing_to_undo"):
            return self.servers.can_undo is (action == "undo")  # one key, as p
        if action in ("pause", "resume"):
            return self.servers.paused is (action == "resume")  # one key; the footer names what it does
        if action == "scope":
            return self.servers.multi
        if action in PER_BATCH:
            return True if self.selected_key is not None else None
        return True

    async def action_add(self) -> None:
        """Open the add dialog (mounted, the focus in it, before the next key is read)."""
        from slv_tui.ui.screens.add_batches import AddBatchesScreen

        here = self.servers.of(self.selected_key).name  # the highlighted row's server first
        watched = {session.name: session.board.labels().keys() for session in self.servers}
        await self.app.push_screen(AddBatchesScreen(watched, here), self._added)

    def _added(self, result: tuple[list[str], str, int, str] | None) -> None:
        if result:
            ids, label, ignored, server = result
            self.edits.in_background(self.edits.add(ids, label, ignored=ignored, server=server))

    async def add_batches(self, ids: list[str], label: str = "", server: str = "") -> list[str]:
        """Watch these IDs on `server` (default: the first) and select the first (commissioning, tests)."""
        return await self.edits.add(ids, label, server=server)

    def action_remove(self) -> None:
        """Remove the selected batch; `u` puts it back."""
        if (key := self.selected_key) is not None:
            self.edits.remove(key)

    def action_undo(self) -> None:
        """Put back the last removal (press again for the one before)."""
        self.edits.in_background(self.edits.undo())

    def action_nothing_to_undo(self) -> None:
        """`u` with nothing left to put back says so."""
        self.edits.nothing_to_undo()

    async def action_label(self) -> None:
        """Edit the selected batch's label (the dialog has the focus before the next key is read)."""
        from slv_tui.ui.screens.label import LabelScreen

        if (key := self.selected_key) is None:
            return

        def done(label: str | None) -> None:
            if label is not None:
                self.edits.in_background(self.edits.label(key, label))

        await self.app.push_screen(LabelScreen(key.batch_id, self.servers.label_of(key)), done)

    def action_archive(self) -> None:
        """Archive the selected finished batch (in the archive view: bring it back)."""
        if (key := self.selected_key) is not None:
            self.edits.archive(key, archive=not self.show_archived)

    def action_toggle_archive(self) -> None:
        """Show the archived batches, or the watched ones again."""
        self.show_archived = not self.show_archived
        what = "archived batches (X goes back)" if self.show_archived else "watched batches"
        self.app.notify(f"Showing the {what}", timeout=3, markup=False)
        self.set_class(self.show_archived, "-archive")
        self.refresh_view()

    def action_details(self) -> None:
        """Move into the step tree of the selected batch, the cursor on what needs reading first."""
        if self.selected_key is not None:
            self.detail.step_tree.focus()
            self.detail.step_tree.land()

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
        return self.table.has_focus and not box.has_class("-shown") and self.view_mode != "detail"

    def action_back(self) -> None:
        """Close the filter, or go back from the tree (or the full-screen detail) to the table."""
        box = self.query_one("#filter", Input)
        if box.has_class("-shown"):
            box.value = ""
            box.remove_class("-shown")
        if self.view_mode == "detail":
            self.set_view("both")
        self.table.focus()

    def action_filter(self) -> None:
        """Show and focus the filter box. The focus moves now, not on the next turn of the queue
        (`focus()` defers it): keys typed right after / are already queued and must reach the box."""
        box = self.query_one("#filter", Input)
        box.add_class("-shown")
        self.set_focus(box)

    def action_sort(self, column: str | None = None) -> None:
        """Sort by `column` (a header click; the same one again reverses), else by the next column."""
        self.sort_column, self.sort_reverse = next_sort(self.sort_column, self.sort_reverse, column,
                                                        servers=self.servers.multi)  # fmt: skip
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

    def _view_changed(self) -> None:
        column, reverse = self.painter.effective_sort()  # the one the rows follow (the strip's too)
        said = view_text(column, reverse, self.attention_only, chosen=self.sort_column)
        self.app.notify(said[0].upper() + said[1:], timeout=3, markup=False)
        self.refresh_view()
        self.app.call_later(self.app.run_action, "save_ui_state")

    def action_copy_id(self) -> None:
        """Copy the selected batch ID (system clipboard and OSC 52; the toast says which worked)."""
        if (key := self.selected_key) is not None:
            self.outputs.copy(key)

    def action_export(self) -> None:
        """Write the selected batch as JSON."""
        if (key := self.selected_key) is not None:
            self.outputs.export([key])

    def action_export_all(self) -> None:
        """Write the batches shown (filter and attention view applied) as JSON."""
        keys = [row.key for row in self.rows(self.clock())]
        watched = self.servers.watched()
        if not keys:
            self.app.notify("Nothing to export: no batch is shown", severity="warning", markup=False)
            return
        note = "" if len(keys) == watched else f" (the {len(keys)} shown of {watched} watched)"
        self.outputs.export(keys, note)

    def action_report(self) -> None:
        """Write the selected batch's Markdown report to the export folder, in a thread."""
        if (key := self.selected_key) is not None:
            self.outputs.report(key)
