"""The detail pane: every documented attribute of the selected batch, a cancel banner, the step tree."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantBlur, DescendantFocus
from textual.widgets import Input, Sparkline, Static

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import Batch, BatchState
from slv_tui.store.history import Event
from slv_tui.ui.format import STALLED_MARK, age, state_label
from slv_tui.ui.rows import not_found
from slv_tui.ui.safe_input import SafeInput
from slv_tui.ui.styles import component_style
from slv_tui.ui.widgets.batch_table import STATE_CLASS, STATE_CSS
from slv_tui.ui.widgets.detail_fields import (
    RowLines,
    failure_reason,
    field_rows,
    fields_grid,
    fields_shape,
    fields_table,
)
from slv_tui.ui.widgets.redraw import put, unchanged
from slv_tui.ui.widgets.step_tree import StepTree
from slv_tui.ui.widgets.timeline import progress_series, timeline_text
from slv_tui.watch.snapshot import Condition, Snapshot


def _from(data_age: float | None) -> str:
    """ "from 12s ago", "from just now"."""
    return "from just now" if data_age is not None and data_age < 1 else f"from {age(data_age)}"


class FindInput(SafeInput):
    """The search box over the step tree: typing searches, enter is the next match."""

    BINDINGS = [
        Binding("escape", "back", "Back to the tree"),
        Binding("enter", "submit", "Next"),
        Binding("shift+enter", "previous", "Previous match", show=False),
        Binding("q", "back", "Back to the tree", show=False),  # typed into the box: never Quit here
    ]
    """The footer, while the box is open, shows its keys (not the table's filter, nor Quit)."""

    def action_back(self) -> None:
        """Back to the tree (the search stays: n and N go on)."""
        self.screen.query_one(StepTree).focus()

    def action_previous(self) -> None:
        """The previous match."""
        self.screen.query_one(StepTree).action_find_previous()


class DetailPane(Vertical):
    """Shows one batch; fields are redrawn per poll, the tree is updated in place."""

    DEFAULT_CSS = (
        STATE_CSS.format(w="DetailPane")
        + """
    DetailPane {
        height: 1fr;
        border-top: solid $primary;
    }
    DetailPane > #detail-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
        background: $boost;
    }
    DetailPane > #detail-banner {
        height: auto;
        padding: 0 1;
        text-style: bold;
        display: none;
    }
    DetailPane > #detail-banner.-cancelling {
        display: block;
        background: $warning;
        color: $text;
    }
    DetailPane > #detail-banner.-cancelled, DetailPane > #detail-banner.-failed {
        display: block;
        background: $error;
        color: $text;
    }
    DetailPane > #detail-empty {
        display: none;
        height: 1fr;
        padding: 1 2;
    }
    DetailPane.-empty > #detail-empty {
        display: block;
    }
    DetailPane.-empty > #detail-body {
        display: none;
    }
    DetailPane > #detail-fetch {
        height: auto;
        padding: 0 1;
        display: none;
        color: $text-warning;
        background: $warning 15%;
    }
    DetailPane > #detail-fetch.-shown {
        display: block;
    }
    DetailPane > #detail-fetch.-error {
        color: $text-error;
        background: $error 15%;
    }
    DetailPane > #detail-fetch.-missing {
        color: $foreground-muted;
        background: $boost;
    }
    DetailPane #detail-body {
        height: 1fr;
    }
    DetailPane #detail-fields-scroll {
        width: 1fr;
        max-width: 64;
        height: 1fr;
        padding: 0 1;
        border-right: vkey $panel;
    }
    DetailPane #detail-history-title {
        margin-top: 1;
        text-style: bold;
        display: none;
    }
    DetailPane #detail-spark {
        height: 2;
        display: none;
    }
    DetailPane #detail-timeline {
        display: none;
    }
    DetailPane.-history #detail-history-title, DetailPane.-history #detail-spark,
    DetailPane.-history #detail-timeline {
        display: block;
    }
    DetailPane > #detail-find {
        height: 1;
        display: none;
        background: $boost;
    }
    DetailPane.-finding > #detail-find, DetailPane.-viewing > #detail-find {
        display: block;
    }
    DetailPane #find {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 1;
        display: none;
    }
    DetailPane.-finding #find {
        display: block;
    }
    DetailPane #find-status {
        width: auto;
        padding: 0 1;
        color: $text-accent;
    }
    DetailPane > #detail-hint {
        display: none;
        height: 1;
        padding: 0 1;
        color: $foreground-muted;
        background: $boost;
    }
    DetailPane .detail--name { color: $foreground-muted; }
    DetailPane .detail--bar { color: $accent; }
    DetailPane .detail--bar-empty { color: $foreground-muted; }
    DetailPane .detail--warning { color: $text-warning; }
    DetailPane .detail--error { color: $text-error; text-style: bold; }
    """
    )

    COMPONENT_CLASSES = {
        "detail--name",
        "detail--bar",
        "detail--bar-empty",
        "detail--warning",
        "detail--error",
        *STATE_CLASS.values(),
    }

    def __init__(self) -> None:
        super().__init__(id="detail")
        self._shown: tuple[tuple[object, ...], str] | None = None
        self.server: tuple[str, str] | None = None
        """The shown batch's server (name, URL) when several are watched."""
        """What is on screen: (everything but the age of the data, that age as shown)."""
        self._stalled: str | None = None
        """"stalled since HH:MM:SS (N min)" while the shown batch is stalled."""
        self._kept_rows: RowLines = {}
        """The field grid's rendered rows (a redraw renders only the rows that changed)."""

    def compose(self) -> ComposeResult:
        """Title, banner, fetch problem, then fields beside the step tree."""
        yield Static(id="detail-title")
        yield Static(id="detail-banner")
        yield Static(id="detail-fetch")
        yield Static(id="detail-empty")
        with Horizontal(id="detail-find"):
            yield FindInput(placeholder="find in every message — enter next, esc back to the tree", id="find")
            yield Static(id="find-status")
        with Horizontal(id="detail-body"):
            with VerticalScroll(id="detail-fields-scroll"):
                yield Static(id="detail-fields")
                yield Static("History", id="detail-history-title")
                yield Sparkline([], id="detail-spark", summary_function=max)
                yield Static(id="detail-timeline")
            yield StepTree()
        yield Static("⏎ steps and messages · esc back to the table", id="detail-hint")

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Remember that the tree is being read (a narrow screen then gives it the whole width)."""
        self.set_class(isinstance(event.widget, StepTree | FindInput), "-reading")

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        """The tree lost the focus (back to the table)."""
        if isinstance(event.widget, StepTree | FindInput) and not self.step_tree.has_focus:
            self.remove_class("-reading")

    @on(StepTree.FindAsked)
    def _find_asked(self) -> None:
        """Show the search box, with the last search selected for typing over."""
        self.add_class("-finding")
        box = self.query_one("#find", FindInput)
        box.focus()
        box.select_all()

    @on(Input.Changed, "#find")
    def _find_changed(self, event: Input.Changed) -> None:
        self.step_tree.find(event.value)

    @on(Input.Submitted, "#find")
    def _find_next(self, event: Input.Submitted) -> None:
        self.step_tree.action_find_next()

    @on(StepTree.FindMoved)
    def _find_moved(self) -> None:
        tree = self.step_tree
        status = tree.find_status
        view = {
            "problems": "only warnings and errors (w)",
            "compact": "compact: running and failed steps (C)",
        }
        note = view.get(tree.view, "")
        text = "   ".join(part for part in (status, note) if part)
        self.query_one("#find-status", Static).update(Text(text))
        self.set_class(bool(note), "-viewing")

    @property
    def reading(self) -> bool:
        """True while the step tree or its search box has the focus (the footer shows their keys)."""
        return self.step_tree.has_focus or self.query_one("#find", FindInput).has_focus

    @property
    def step_tree(self) -> StepTree:
        """The step tree."""
        return self.query_one(StepTree)

    _style = component_style

    def show(
        self,
        snapshot: Snapshot | None,
        label: str,
        condition: Condition | None,
        now: float,
        *,
        paused: bool = False,
        empty: Text | None = None,
        timeline: Sequence[Event] = (),
        server: tuple[str, str] | None = None,
        stalled: str | None = None,
    ) -> None:
        """Show this batch, or `empty` (what to do when there is none); redraws only on a change.
        `server` (name, URL) is named in the title when several servers are watched; `stalled` is
        "stalled since HH:MM:SS (N min)" when the batch stopped moving."""
        self._stalled = stalled
        age_now = None if snapshot is None or snapshot.fetched_at is None else now - snapshot.fetched_at
        self.server = server
        content = (
            None if snapshot is None else (server, snapshot.batch_id),
            None if snapshot is None else snapshot.batch,
            None if snapshot is None else snapshot.error_text,
            label,
            condition,
            paused,
            None if empty is None else empty.plain,
            len(timeline),
            timeline[-1]["at"] if timeline else None,
            stalled,
        )
        key = (content, age(age_now))
        if key == self._shown:
            return
        previous, self._shown = self._shown, key
        title = self.query_one("#detail-title", Static)
        if previous is not None and snapshot is not None and previous[0][0] == (server, snapshot.batch_id):
            # The same batch again: an age moved, or a poll brought new data (progress, counts). Only
            # what changed is redrawn, and the layout pass (the whole screen's) runs only when a
            # text's height changes, not once per poll.
            if not unchanged(title, head := self._title(snapshot, label, condition, age_now)):
                title.update(head, layout=False)  # 1 line (CSS)
            self._fetch(snapshot, condition, age_now, paused)
            rows = field_rows(snapshot, now, self._style)
            put(self.query_one("#detail-fields", Static), fields_grid(rows, self._style, self._kept_rows),
                 partial(fields_shape, rows))  # fmt: skip
            if previous[0][1] is not snapshot.batch:
                self._banner(snapshot.batch)
                self._tree(snapshot)
            if previous[0][7:9] != content[7:9]:
                self._history(timeline)
            return
        self.set_class(snapshot is None, "-empty")
        if snapshot is None:
            title.update(Text("No batch selected"))
            self.query_one("#detail-empty", Static).update(empty or Text(""))
            self._banner(None)
            self._fetch(None, None, None, paused)
            self.query_one("#detail-fields", Static).update("")
            self._history(())
            self.step_tree.show_batch(None)
            return
        title.update(self._title(snapshot, label, condition, age_now))
        self._banner(snapshot.batch)
        self._fetch(snapshot, condition, age_now, paused)
        fields = fields_table(snapshot, now, self._style, self._kept_rows)
        self.query_one("#detail-fields", Static).update(fields)
        self._history(timeline)
        self._tree(snapshot)

    def _tree(self, snapshot: Snapshot) -> None:
        """The step tree of the batch (updated in place), or why there is none yet."""
        if snapshot.summary:  # an archived batch's summary: its messages are being fetched
            self.step_tree.show_batch(
                None, "archived: only a summary is kept — fetching the steps and messages"
            )
        elif snapshot.batch is not None:
            self.step_tree.show_batch(snapshot.batch)
        else:
            self.step_tree.show_batch(
                None, "not fetched yet" + (" — see the error above" if snapshot.error else "")
            )

    def _history(self, timeline: Sequence[Event]) -> None:
        """The recorded timeline under the fields: a progress sparkline, then the events."""
        self.set_class(bool(timeline), "-history")
        self.query_one("#detail-spark", Sparkline).data = progress_series(timeline)
        put(self.query_one("#detail-timeline", Static), timeline_text(timeline))

    def restyle(self) -> None:
        """Draw again with the current theme's colours."""
        self._shown = None
        self._kept_rows.clear()
        self.step_tree.restyle()

    def _title(
        self, snapshot: Snapshot, label: str, condition: Condition | None, age_now: float | None
    ) -> Text:
        head = Text(f"Batch {snapshot.batch_id}")
        if self.server is not None:
            head.append(f" on {clean(self.server[0], max_length=24)}", self._style("detail--name"))
            head.append(f" ({clean(self.server[1], max_length=60)})", self._style("detail--name"))
        if label:
            head.append(f" — {clean(label)}")
        if snapshot.batch is not None:
            head.append("   ")
            head.append(state_label(snapshot.batch.state), self._style(STATE_CLASS[snapshot.batch.state]))
            if condition is Condition.STALE:
                head.append(f"   ⌛ STALE: as of {age(age_now)}", self._style("detail--warning"))
            if self._stalled:
                head.append(f"   {STALLED_MARK}", self._style("detail--warning"))
        return head

    def _banner(self, batch: Batch | None) -> None:
        """A failed or cancelled batch, or one asked to cancel, gets a coloured line no one can miss."""
        banner = self.query_one("#detail-banner", Static)
        state = None if batch is None else batch.state
        cancelled = state is BatchState.CANCELLED
        cancelling = batch is not None and not cancelled and batch.cancel_requested
        failed = state is BatchState.FAILED and not cancelling
        banner.set_class(cancelling, "-cancelling")
        banner.set_class(cancelled, "-cancelled")
        banner.set_class(failed, "-failed")
        if batch is None or not (cancelled or cancelling or failed):
            return
        if failed:
            text = f"✖ FAILED — {failure_reason(batch)}"
        elif cancelled:
            text = "⊘ CANCELLED — the server stopped this batch before it finished"
        elif batch.running:
            text = "⊝ CANCEL REQUESTED — the batch is still running until the server stops it"
        else:
            text = f"⊝ CANCEL REQUESTED — but the batch ended anyway: {state_label(batch.state)}"
        if batch.login:
            text += f" (started by {clean(batch.login, max_length=40)})"
        put(banner, Text(text))

    def _fetch(
        self,
        snapshot: Snapshot | None,
        condition: Condition | None,
        data_age: float | None,
        paused: bool,
    ) -> None:
        """A line saying why the data may be old, and how old it is."""
        line = self.query_one("#detail-fetch", Static)
        text = None
        missing = snapshot is not None and not_found(snapshot)
        if snapshot is not None and missing:
            text = f"? not found: {clean(snapshot.error_text or '')} — asked again every 30 s"
        elif snapshot is not None and snapshot.error_text:
            text = f"✖ last fetch failed: {clean(snapshot.error_text)}"
            if snapshot.batch is not None:
                text += f" — showing the last good data, {_from(data_age)}"
        elif condition is Condition.STALE and paused:
            text = f"⌛ STALE — auto refresh is paused (press p to resume); this data is {_from(data_age)}"
        elif condition is Condition.STALE:
            text = f"⌛ STALE — no fresh answer; showing the last good data, {_from(data_age)}"
        if self._stalled and snapshot is not None:  # says since when; the reason above stays first
            moved = f"⧖ {self._stalled}: no progress, step or message count has changed"
            text = moved if text is None else f"{text} · {moved}"
        line.set_class(text is not None, "-shown")
        never_fetched = snapshot is not None and snapshot.batch is None
        line.set_class((condition is Condition.ERROR or never_fetched) and not missing, "-error")
        line.set_class(missing, "-missing")  # a typo or a batch not started yet: neutral, as in the table
        put(line, Text(text or ""))
