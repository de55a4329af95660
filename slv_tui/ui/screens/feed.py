"""The event feed screen (key L): every recorded event, newest last, filterable by server and severity."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from slv_tui.commands.events import event_line
from slv_tui.store.events import select
from slv_tui.ui.feed_hub import FeedHub
from slv_tui.watch.event_feed import SEVERITIES, Record

FEED_KEYS: list[Binding | tuple[str, str] | tuple[str, str, str]] = [
    Binding("w", "next_server", "Server", tooltip="Feed: one server, the next, or all", id="feed_server"),
    Binding(
        "v",
        "next_severity",
        "Severity",
        tooltip="Feed: info and up, warnings and up, errors",
        id="feed_severity",
    ),
    Binding("escape", "close", "Back", tooltip="Leave the feed"),
]
_STYLE = {"info": "", "warning": "yellow", "error": "bold red"}


class FeedScreen(Screen[None]):
    """A table of the feed's records; new ones are added while it is open."""

    BINDINGS = FEED_KEYS

    def __init__(self, hub: FeedHub) -> None:
        super().__init__(id="feed")
        self.hub = hub
        self.server: str | None = None
        self.severity = SEVERITIES[0]

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="feed-title")
        yield DataTable(id="feed-table", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("time", "server", "severity", "event")
        self.hub.listeners.append(self._new_record)
        self.redraw()
        table.focus()

    def on_unmount(self) -> None:
        if self._new_record in self.hub.listeners:
            self.hub.listeners.remove(self._new_record)

    def _new_record(self, record: Record) -> None:
        self.call_later(self.redraw)  # a listener may be called off the screen's turn

    @property
    def shown(self) -> list[Record]:
        return select(self.hub.records, server=self.server, severity=self.severity)

    def redraw(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for record in self.shown:
            style = _STYLE.get(str(record["severity"]), "")
            line = event_line({**record, "at": "", "server": "", "severity": ""}).strip()
            table.add_row(
                Text(str(record["at"]).replace("T", " ")[:19]),
                Text(str(record["server"])),
                Text(str(record["severity"]), style=style),
                Text(line, style=style),
            )
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)
        what = f"server {self.server}" if self.server else "all servers"
        title = f"Event feed — {what} · {self.severity} and up · {table.row_count} events"
        self.query_one("#feed-title", Static).update(Text(title))

    def action_next_server(self) -> None:
        servers = sorted({str(r["server"]) for r in self.hub.records})
        order: list[str | None] = [None, *servers]
        self.server = order[(order.index(self.server) + 1) % len(order)] if self.server in order else None
        self.redraw()

    def action_next_severity(self) -> None:
        self.severity = SEVERITIES[(SEVERITIES.index(self.severity) + 1) % len(SEVERITIES)]
        self.redraw()

    def action_close(self) -> None:
        self.dismiss(None)
