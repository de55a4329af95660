"""Guards for the busy console's cost per request, counting work instead of timing it.

A console of 200 batches, 50 running, gets ~25 poll rounds a second (each fetch is its own round);
what the screen does per round is paid 25 times a second. Between two draws (at most one a second)
a round must only be taken in: no widget refreshed or laid out, no DOM query, no walk over every
watched batch, no timer set per round, only the round's own snapshots read for the ETA. The draw
that follows touches only the changed row's cells and lays nothing out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.fake_fetch import ScenarioFetch
from textual.dom import DOMNode
from textual.message_pump import MessagePump

from slv_tui.common import sanitize
from slv_tui.slv.model import BatchState
from slv_tui.ui.rows import RowBuilder
from slv_tui.ui.screens.announce import Announcer
from slv_tui.ui.screens.painter import Painter
from slv_tui.ui.widgets import batch_table
from slv_tui.watch.board import Board

from .test_idle_work import FINISHED, SIZE, count_work
from .ui_helpers import OFFLINE, FakeClock, build, cell, wait_for

SELECTED = "1481019204417"  # the demo's long commissioning run (selected: the first running row)
POLLED = "1481024400630"  # another running batch of the demo: the one the rounds bring
ROUNDS = 5


async def test_rounds_between_two_draws_cost_no_drawing_no_query_no_timer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: the header's unread-problems label updated (a layout) after each round, `_polled`
    querying the DOM for the header each round, `apply_round` reading every
    watched batch (or building the watched set) each round, a timer armed per round, any redraw per
    round; then a draw that rewrites more than the changed row, repaints the whole table for it
    (DataTable's `update_cell` does: every visible line rendered again), lays the screen out or
    cleans every watched label again (twice a draw, to tell whether the label column fits)."""
    sim_clock, clock = FakeClock(), FakeClock()
    fetch = ScenarioFetch("demo", clock=sim_clock)
    ids = [SELECTED, POLLED, *FINISHED]
    # interval 2 s: nothing else due; an event feed, as slv-tui always has (the header's unread count)
    stack = build(OFFLINE, tmp_path, ids=ids, fetch=fetch, clock=clock, interval=2.0, feed=True)
    app = stack.app
    counting = False
    queries: Counter[str] = Counter()
    observed: list[int] = []
    walks = 0
    takes = 0
    timers: list[str] = []
    query, query_one = DOMNode.query, DOMNode.query_one
    observe, snapshots, take = RowBuilder.observe, Board.snapshots, Painter.take
    set_timer, set_interval = MessagePump.set_timer, MessagePump.set_interval

    def counting_set_timer(self: MessagePump, delay: float, *args: Any, **kwargs: Any) -> Any:
        if counting:
            timers.append(f"{type(self).__name__} {kwargs.get('name')} {delay:.3g} s")
        return set_timer(self, delay, *args, **kwargs)

    def counting_set_interval(self: MessagePump, interval: float, *args: Any, **kwargs: Any) -> Any:
        if counting:
            timers.append(f"{type(self).__name__} every {interval:.3g} s")
        return set_interval(self, interval, *args, **kwargs)

    def counting_query(self: DOMNode, *args: Any, **kwargs: Any) -> Any:
        if counting:
            queries[f"query {args[:1]}"] += 1
        return query(self, *args, **kwargs)

    def counting_query_one(self: DOMNode, *args: Any, **kwargs: Any) -> Any:
        if counting:
            queries[f"query_one {args[:1]}"] += 1
        return query_one(self, *args, **kwargs)

    def counting_observe(self: RowBuilder, snaps: Any, *args: Any, **kwargs: Any) -> None:
        if counting:
            observed.append(len(snaps))
        observe(self, snaps, *args, **kwargs)

    def counting_snapshots(self: Board[Any]) -> Any:
        nonlocal walks
        walks += counting
        return snapshots(self)

    def during_rounds(method: Callable[..., Any]) -> Callable[..., Any]:
        """Count what `method` (a step of taking a round in) does; a draw the waker's timer makes
        between two rounds (its own task, on time) is not a round's work."""

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal counting
            outer, counting = counting, rounds_on
            work.counting = counting
            try:
                return method(*args, **kwargs)
            finally:
                counting = outer
                work.counting = counting

        return counted

    def counting_take(self: Painter, poll_round: Any, *rest: Any) -> list[tuple[Any, BatchState]]:
        nonlocal takes
        takes += 1
        return take(self, poll_round, *rest)

    cleaned = 0
    clean = sanitize.clean

    def counting_clean(text: str, *args: Any, **kwargs: Any) -> str:
        nonlocal cleaned
        cleaned += 1
        return clean(text, *args, **kwargs)

    monkeypatch.setattr(batch_table, "clean", counting_clean)
    monkeypatch.setattr(DOMNode, "query", counting_query)
    monkeypatch.setattr(DOMNode, "query_one", counting_query_one)
    monkeypatch.setattr(RowBuilder, "observe", counting_observe)
    monkeypatch.setattr(Board, "snapshots", counting_snapshots)
    monkeypatch.setattr(Painter, "take", during_rounds(counting_take))
    monkeypatch.setattr(Board, "_on_round", during_rounds(Board._on_round))  # the Board's part, and the post
    assert stack.board is not None
    stack.poller.on_round = stack.board._on_round  # bound when the stack was built: bind the counted one
    # the desktop alerts are a Board listener (a notifier channel): counted with `_on_round` above
    monkeypatch.setattr(Announcer, "auth", during_rounds(Announcer.auth))
    monkeypatch.setattr(MessagePump, "set_timer", counting_set_timer)
    monkeypatch.setattr(MessagePump, "set_interval", counting_set_interval)
    rounds_on = False
    with count_work(monkeypatch) as work:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.dashboard
            await wait_for(pilot, lambda: screen.selected_id == SELECTED)
            await wait_for(pilot, lambda: cell(app, POLLED, "progress") != "")
            await wait_for(pilot, lambda: all(s.batch is not None for s in app.poller.snapshots()))
            screen.refresh_view()  # drawn now: rounds in the next second wait for the next draw
            await pilot.pause()
            before = cell(app, POLLED, "progress")
            work.clear()
            rounds_on = True
            for n in range(1, ROUNDS + 1):
                sim_clock.advance(20)  # the batch moves on
                clock.advance(0.1)  # all within a second of the draw
                start = takes
                app.poller.refresh([POLLED])
                await wait_for(pilot, lambda s=start: takes > s)  # type: ignore[misc]
                await pilot.pause()
                assert not work.any, f"round {n} drew: {work.layouts} {work.repaints} cells {work.cells}"
            rounds_on = False
            assert not queries, f"DOM queries in {ROUNDS} rounds: {dict(queries)}"
            assert observed == [1] * ROUNDS, f"snapshots read per round: {observed}"
            assert walks == 0, f"the watched list walked {walks} times in {ROUNDS} rounds"
            assert len(timers) <= 1, f"timers set in {ROUNDS} rounds: {timers}"

            cleaned = 0
            work.counting = True  # the one draw the waker's timer makes for all of them
            await wait_for(pilot, lambda: cell(app, POLLED, "progress") != before)
            # the row's repaint lands in a later refresh: waited for, not assumed after one pause
            await wait_for(pilot, lambda: work.repaints["BatchTable#batch-table"] >= 1)
            await pilot.pause()
            work.counting = False
            assert not work.layouts, work.layouts
            assert work.cells <= 6, f"{work.cells} cells rewritten for one changed row"
            # the table's texts are cleaned for the cells rewritten only, not every watched label
            # again at each draw (does the label column fit?)
            assert cleaned <= work.cells, f"{cleaned} texts cleaned for {work.cells} cells rewritten"
            assert work.repaints["BatchTable#batch-table"] >= 1  # the row was repainted
            assert not work.whole["BatchTable#batch-table"], "the whole table repainted for one row"


def test_fields_of_one_shape_are_equally_high() -> None:
    """The detail pane skips measuring the field grid (a second full render, each poll of the
    selected batch) when its shape is the one last measured: grids of one shape must render to the
    same number of lines, and a value long enough to wrap must be part of the shape."""
    from rich.console import Console
    from rich.style import Style

    from slv_tui.slv.model import Batch
    from slv_tui.ui.widgets.detail_fields import field_rows, fields_grid, fields_shape
    from slv_tui.watch.snapshot import Snapshot

    def style(_: str) -> Style:
        return Style()

    def lines(rows: Any, width: int) -> int:
        console = Console(width=width, color_system=None, file=None)
        return len(console.render_lines(fields_grid(rows, style), console.options.update_width(width)))

    def rows(progress: float, message: str, fetched_at: float) -> Any:
        batch = Batch("1481019204417", running=True, progress=progress, progress_message=message)
        snap = Snapshot("1481019204417", first_seen=0.0, batch=batch, fetched_at=fetched_at)
        return field_rows(snap, 100.0, style)

    long = "Pushing devices to controller CTRL-LYON-03, " * 3
    for width in (40, 60, 80, 120):
        a, b = rows(10.0, "short", 99.0), rows(55.5, "short", 40.0)  # progress and age moved
        if width >= 60:  # room for the bar beside the names (narrower: measured each time)
            assert fields_shape(a, width) == fields_shape(b, width)
        if fields_shape(a, width) == fields_shape(b, width):
            assert lines(a, width) == lines(b, width)
        c, d = rows(10.0, long, 99.0), rows(10.0, long[:-20], 99.0)
        assert fields_shape(c, width) != fields_shape(d, width)  # a long value is part of the shape
        assert lines(c, width) > lines(a, width)  # and it does wrap here


async def test_an_age_moving_renders_one_row_of_the_detail_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: the detail pane's field grid (~18 rows, a rich table measured and laid out) rendered
    whole every second of a busy console because its "updated" age moved: a redraw renders only
    the rows that read differently (here the age), the others are the lines kept from before."""
    from rich.table import Table
    from textual.widgets import Static

    sim_clock, clock = FakeClock(), FakeClock()
    fetch = ScenarioFetch("demo", clock=sim_clock)
    stack = build(OFFLINE, tmp_path, ids=[SELECTED, *FINISHED], fetch=fetch, clock=clock, interval=2.0)
    app = stack.app
    rows_rendered: list[object] = []
    add_row = Table.add_row

    def counting_add_row(self: Table, *cells: Any, **kwargs: Any) -> None:
        rows_rendered.append(cells[0] if cells else None)
        add_row(self, *cells, **kwargs)

    monkeypatch.setattr(Table, "add_row", counting_add_row)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.dashboard
        fields = screen.detail.query_one("#detail-fields", Static)

        def shown() -> str:
            return " ".join(str(line) for line in fields.render_lines(fields.content_region.reset_offset))

        await wait_for(pilot, lambda: screen.selected_id == SELECTED)
        await wait_for(pilot, lambda: "updated" in shown() and "login" in shown())
        for seconds in (1, 2):  # the age: "1s ago", then "2s ago" (no poll is due before 2 s)
            await wait_for(pilot, lambda: "now" in shown() or "s ago" in shown())
            rows_rendered.clear()
            clock.advance(1.0)
            screen.refresh_view()
            await wait_for(pilot, lambda s=seconds: f"{s}s ago" in shown())  # type: ignore[misc]
            assert rows_rendered == ["updated"], f"{len(rows_rendered)} grid rows rendered: {rows_rendered}"


def test_the_field_grid_row_by_row_draws_what_the_whole_table_draws() -> None:
    """The grid rendered row by row (each row kept for the next redraw) must be the very lines the
    whole `Table.grid` draws, at every width, wrapped values included, kept rows or not."""
    from rich.console import Console
    from rich.style import Style
    from rich.table import Table

    from slv_tui.slv.model import Batch
    from slv_tui.ui.widgets.detail_fields import RowLines, field_rows, fields_grid
    from slv_tui.watch.snapshot import Snapshot

    name_style = Style(color="cyan", bold=True)

    def style(key: str) -> Style:
        return name_style if key == "detail--name" else Style(color="red")

    console = Console(width=200, color_system="truecolor", file=None)
    kept: RowLines = {}
    long = "Pushing devices to controller CTRL-LYON-03, " * 3
    for message, progress in (("short", 42.5), (long, None), ("", 100.0), ("x" * 300, 0.0)):
        batch = Batch(SELECTED, running=True, progress=progress, progress_message=message, message="y z" * 40)
        fetched = Snapshot(SELECTED, first_seen=0.0, batch=batch, fetched_at=90.0)
        for snap in (fetched, Snapshot(SELECTED, 0.0)):
            rows = field_rows(snap, 100.0, style)
            whole = Table.grid(padding=(0, 2))
            whole.add_column(style=name_style, no_wrap=True)
            whole.add_column(overflow="fold")
            for name, value in rows:
                whole.add_row(name, value)
            for width in range(1, 130, 3):
                options = console.options.update_width(width)
                expected = console.render_lines(whole, options)
                for _ in range(2):  # rendered, then from the kept rows
                    assert console.render_lines(fields_grid(rows, style, kept), options) == expected, width
