"""The header: app name, server, connection state, counts per state, and loud warnings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import BatchState
from slv_tui.ui.format import STATE_LABELS, STATE_ORDER, duration
from slv_tui.ui.styles import colour_style, component_style
from slv_tui.watch.snapshot import Condition, ServerStatus, Snapshot

if TYPE_CHECKING:
    from slv_tui.ui.servers import Servers

NOT_FOUND_KEY = "not found"
"""What `show` takes, among the states, for a batch the server does not know."""

UNKNOWN_KEY = "unknown"
"""What `show` takes for a batch never fetched because fetching it fails (the table's `? unknown`)."""

CountKey = BatchState | str | None
"""What a batch counts as in the header: its state, NOT_FOUND_KEY, UNKNOWN_KEY, or None (pending)."""


def count_key(snapshot: Snapshot, condition: Condition, *, missing: bool = False) -> CountKey:
    """What one batch counts as, in the words its table row shows (`missing`: the server does not
    know it): a batch never fetched because fetching fails is unknown, not pending."""
    if missing:
        return NOT_FOUND_KEY
    if snapshot.state is None and condition is Condition.ERROR:
        return UNKNOWN_KEY
    return snapshot.state


@dataclass(frozen=True, slots=True)
class ViewStrip:
    """How the table is looked at, shown on the header's second line while it applies."""

    sort: str = "state"
    """The sort column's name in words (e.g. "errors")."""
    reverse: bool = False
    filter: str = ""
    attention: bool = False
    archive: bool = False
    read_only: bool = False
    hidden: str = ""
    """The chosen sort column, hidden at this width (the default sort applies meanwhile)."""

    def text(self) -> str:
        """e.g. "read-only · sort errors ↓ · filter “ed” · needs attention"."""
        parts = ["read-only"] if self.read_only else []
        parts.append(f"sort {self.sort} {'↓' if self.reverse else '↑'}")
        if self.hidden:
            parts[-1] += f" ({self.hidden} hidden)"
        if self.filter.strip():
            parts.append(f"filter “{clean(self.filter.strip(), max_length=24)}”")
        if self.attention:
            parts.append("needs attention")
        if self.archive:
            parts.append("archive")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class ServerEntry:
    """One server's part of the header's second line (several servers watched)."""

    name: str
    status: ServerStatus
    down_for: int | None
    auth: str | None
    color: str = ""

    def text(self) -> str:
        """e.g. "lab ● csrf session", "prod ✖ unreachable 2m 05s", "city ✖ auth failed (P)"."""
        status, name = self.status, clean(self.name, max_length=24)
        if status.ok is None:
            return f"{name} … connecting"
        if status.ok:
            return f"{name} ● {clean(self.auth)}" if self.auth else f"{name} ● connected"
        if status.auth_problem:
            return f"{name} ✖ auth failed (P)"
        down = f" {duration(self.down_for)}" if self.down_for else ""
        return f"{name} ✖ unreachable{down}"


def connection_text(
    server: ServerStatus, paused: bool, down_for: float | None = None, secret_name: str = "password"
) -> str:
    """One line saying whether the server answers, what matters first (a narrow screen cuts the end):
    e.g. "server unreachable for 2m 05s — connection failed: …"."""
    if server.ok is None:
        text = "connecting…"
    elif server.ok:
        text = "connected"
    elif server.auth_problem:
        reason = clean(server.reason or "")
        reason = reason.removeprefix("authentication failed").lstrip(": ")
        text = f"authentication failed — press P to enter the {secret_name}"
        if reason:
            text += f" · {reason}"
    else:
        text = "server unreachable"
        if down_for is not None and down_for >= 1:
            text += f" for {duration(down_for)}"
        text += f" — {clean(server.reason or 'no answer')}"
    return f"PAUSED — press p to resume · {text}" if paused else text


class HeaderBar(Vertical):
    """Two lines at the top; warnings get a line of their own in the warning colour."""

    DEFAULT_CSS = """
    HeaderBar {
        height: auto;
        dock: top;
        background: $panel;
    }
    HeaderBar > #header-main {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    HeaderBar > #header-line {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    HeaderBar > #header-line.-trouble {
        background: $error 35%;
    }
    HeaderBar > #header-line.-paused {
        background: $warning 30%;
    }
    HeaderBar #header-status {
        width: 1fr;
        height: 1;
    }
    HeaderBar #header-view {
        width: auto;
        max-width: 60%;
        height: 1;
        padding: 0 0 0 2;
        color: $text-accent;
    }
    HeaderBar > #header-warnings {
        height: auto;
        padding: 0 1;
        background: $warning 25%;
        color: $text-warning;
        text-style: bold;
    }
    HeaderBar > #header-warnings.-empty {
        display: none;
    }
    HeaderBar .header--name {
        color: $accent;
        text-style: bold;
    }
    HeaderBar .header--ok {
        color: $text-success;
    }
    HeaderBar .header--bad {
        color: $text-error;
        text-style: bold;
    }
    HeaderBar .header--paused {
        color: $text-warning;
        text-style: bold;
    }
    HeaderBar .header--dim {
        color: $foreground-muted;
    }
    HeaderBar .header--stale {
        color: $text-warning;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES = {
        "header--name",
        "header--ok",
        "header--bad",
        "header--paused",
        "header--dim",
        "header--stale",
    }

    def __init__(
        self, server_label: str, warnings: Iterable[str] = (), *, servers: Servers | None = None
    ) -> None:
        super().__init__(id="header")
        self.multi = servers is not None and servers.multi
        """Several servers: the second line has one entry per server (`show_servers`)."""
        self.auth_labels: dict[str, str | None] = {}
        """How each server's client logs in (several servers)."""
        self._entries: tuple[tuple[ServerEntry, ...], str | None] | None = None
        self.server_label = clean(server_label)
        self.warnings = [clean(w) for w in warnings]
        self._key: object = None
        self.auth_label: str | None = None
        """How the client logs in (e.g. "csrf session"), shown once known."""
        self.secret_name = "password"
        """What `P` asks for: "password", or "token" in bearer mode."""
        self._known = False
        """False until the dashboard first says what is watched (so start-up never claims an empty list)."""
        self._args: tuple[ServerStatus, bool, float | None, list[CountKey], bool] = (
            ServerStatus(),
            False,
            None,
            [],
            False,
        )
        self.view = ViewStrip()
        self._stalled = 0

    def compose(self) -> ComposeResult:
        """A main line and a warnings line."""
        yield Static(id="header-main")
        with Horizontal(id="header-line"):
            yield Static(id="header-status")
            yield Static(id="header-view")
        warn = Static(id="header-warnings", classes="" if self.warnings else "-empty")
        warn.update(Text("\n".join(f"⚠ {w}" for w in self.warnings)))
        yield warn

    def on_mount(self) -> None:
        """Draw the 'connecting' state at once."""
        self._draw()

    _style = component_style

    def show(
        self,
        server: ServerStatus,
        paused: bool,
        down_for: float | None,
        states: Iterable[CountKey],
        *,
        stale: bool = False,
        view: ViewStrip | None = None,
        stalled: int = 0,
    ) -> None:
        """Redraw (only when something shown changed): `states` are what the table's batches count as
        (`count_key`), `stale` marks the counts as old data (some row is stale, or the server is
        down), `view` is the sort, filter and view the table is looked at with, `stalled` how many
        of those batches stopped moving."""
        states = list(states)
        self._known = True
        stale = stale or server.ok is False
        self._args = (server, paused, down_for, states, stale)
        if view is not None:
            self.view = view
        down = None if down_for is None else int(down_for)
        self._stalled = stalled
        key = (server, paused, down, sorted(map(str, states)), stale, self.view, stalled)
        if key != self._key:
            self._key = key
            self._draw()

    def show_servers(self, servers: Servers, now: float, *, scope: str | None) -> None:
        """Each server's condition in one line, and the scope (several servers watched)."""
        entries = []
        for session in servers:
            status = session.board.status
            down = None if status.ok is not False else int(now - status.since)
            entries.append(
                ServerEntry(session.name, status, down, self.auth_labels.get(session.name), session.color)
            )
        key = (tuple(entries), scope)
        if key != self._entries:
            self._entries = key
            self._draw()

    def set_auth(self, label: str | None, secret_name: str = "password", *, server: str = "") -> None:
        """Show how the client logs in, e.g. "csrf session" (None: nothing to show), and what `P` asks for."""
        if self.multi:
            if self.auth_labels.get(server) != label:
                self.auth_labels[server] = label
                self._draw()
            return
        if (label, secret_name) != (self.auth_label, self.secret_name):
            self.auth_label, self.secret_name = label, secret_name
            self._draw()

    def on_resize(self) -> None:
        """Fit the line to the new width."""
        self._draw()

    def _draw(self) -> None:
        server, paused, down_for, states, stale = self._args
        main_line = self.query_one("#header-main", Static)
        main_line.update(self._main_line(states, main_line.size.width, stale))
        view = self.query_one("#header-view", Static)
        view.update(Text(self.view.text(), no_wrap=True, overflow="ellipsis"))
        if self._known and not states and server.ok is None:
            hint = Text("● nothing to watch yet — press a to add batch IDs", self._style("header--dim"))
            self._status(hint)
            return
        if self._entries is not None:
            self._status(*self._servers_line(paused))
            return
        conn = connection_text(server, paused, down_for, self.secret_name)
        if self.auth_label and server.ok:
            conn += f" · {clean(self.auth_label)}"
        if paused:
            conn_style = self._style("header--paused")
        elif server.ok is False:
            conn_style = self._style("header--bad")
        else:
            conn_style = self._style("header--ok")
        status = Text(("● " if server.ok is not False else "✖ ") + conn, conn_style)
        self._status(status, trouble=server.ok is False and not paused, paused=paused)

    def _servers_line(self, paused: bool) -> tuple[Text, bool, bool]:
        """ "● lab csrf session · ✖ prod unreachable 12s · showing all": each server in its colour."""
        assert self._entries is not None
        entries, scope = self._entries
        line = Text()
        if paused:
            line.append("PAUSED — press p to resume · ", self._style("header--paused"))
        for i, entry in enumerate(entries):
            if i:
                line.append(" · ", self._style("header--dim"))
            bad = entry.status.ok is False
            style = self._style("header--bad" if bad else "header--ok" if entry.status.ok else "header--dim")
            if scope is not None and entry.name != scope:
                style = self._style("header--dim")
            text = entry.text()
            name = clean(entry.name, max_length=24)
            line.append(name, colour_style(entry.color) if entry.color and not bad else style)
            line.append(text[len(name) :], style)
        line.append(
            f"  w: {'all servers' if scope is None else 'only ' + clean(scope)}", self._style("header--dim")
        )
        trouble = any(e.status.ok is False for e in entries) and not paused
        return line, trouble, paused

    def _status(self, status: Text, trouble: bool = False, paused: bool = False) -> None:
        status.no_wrap = True
        status.overflow = "ellipsis"
        self.query_one("#header-status", Static).update(status)
        line = self.query_one("#header-line")
        line.set_class(trouble, "-trouble")
        line.set_class(paused, "-paused")

    def _main_line(self, states: list[CountKey], width: int, stale: bool = False) -> Text:
        """Name, server and the count per state; on a narrow screen the counts lose their words
        (and zeros), then the server name is shortened: the counts matter most. Counts of old data
        start with the table's stale mark."""
        tally = Counter(states)
        pending = tally.pop(None, 0)
        not_found = tally.pop(NOT_FOUND_KEY, 0)
        unknown = tally.pop(UNKNOWN_KEY, 0)
        long = [f"{STATE_LABELS[s][0]} {tally.get(s, 0)} {STATE_LABELS[s][1]}" for s in STATE_ORDER]
        short = [f"{STATE_LABELS[s][0]} {tally[s]}" for s in STATE_ORDER if tally.get(s)]
        if pending:
            long.append(f"… {pending} pending")
            short.append(f"… {pending}")
        if not_found:  # a typo or a batch not started yet: never counted as failed
            long.append(f"? {not_found} not found")
            short.append(f"? {not_found}")
        if unknown:  # never fetched, fetching fails: the table says "? unknown"
            long.append(f"? {unknown} unknown")
            short.append(f"? {unknown} unknown")
        if self._stalled:  # running ones that stopped moving (counted in running too)
            long.append(f"⧖ {self._stalled} stalled")
            short.append(f"⧖ {self._stalled}")
        mark = "⌛ STALE " if stale else ""
        counts = " · ".join(long)
        room = width - cell_len(f"SLV-TUI │ {self.server_label} │ {mark}")
        if width > 0 and cell_len(counts) > room:
            counts = "  ".join(short) or "no batches"
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("SLV-TUI", self._style("header--name"))
        server = self.server_label
        room = width - cell_len(f"SLV-TUI │  │ {mark}{counts}")
        if width > 0 and cell_len(server) > room:
            server = server[: max(0, room - 1)] + "…" if room > 1 else ""
        line.append(f" │ {server} │ " if server else " │ ", self._style("header--dim"))
        if mark:
            line.append(mark, self._style("header--stale"))
        line.append(counts)
        return line

    def restyle(self) -> None:
        """Draw again with the current theme's colours."""
        self._draw()
