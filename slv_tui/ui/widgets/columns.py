"""The table's columns: which fit on a screen of a given width, in what order they give way."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Column:
    """One table column: its width and how readily it gives way on a narrow screen (see GROWTH)."""

    key: str
    title: str
    width: int
    drop: int = 0
    """0: always shown; otherwise columns with higher numbers are left out first when space is short."""


COLUMNS: tuple[Column, ...] = (
    Column("server", "Server", 6),
    Column("id", "ID", 2),
    Column("label", "Label", 12, drop=3),
    Column("state", "State", 16),
    Column("progress", "Progress", 15),
    Column("fetch", "Fetch", 10),
    Column("warn", "Warn", 4, drop=2),
    Column("err", "Err", 4, drop=1),
    Column("message", "Message", 16, drop=4),
    Column("step", "Step", 12, drop=9),
    Column("info", "Info", 5, drop=8),
    Column("elapsed", "Watched", 8, drop=6),
    Column("eta", "ETA", 8, drop=5),
    Column("updated", "Updated", 10, drop=7),
)
"""Declaration order is display order; ID is widened to the longest ID. State, progress and Fetch
(fresh or STALE) never give way: a narrow screen must not hide that data is old. The error and
warning counts go last of the others (errors outrank labels), then the label, then the message
(the progress message or the failure reason). The column the rows are sorted by never gives way.
"Watched" is the time since the batch was added to the watchlist (its start time is not known).
Server (the profile name) is there only while several servers are watched, and then never gives way."""

GROWTH: tuple[tuple[str, int], ...] = (("message", 14), ("label", 14), ("message", 46), ("step", 10))
"""How the room left over is shared out, in this order: the message first, then the label."""

UNLABELLED_DROP = 10
"""With no labels at all, the Label column is the first to go."""

COMPACT_PROGRESS = 10
"""Width of the Progress column when the full one does not fit: a 5-cell bar and the percent."""

Layout = tuple[tuple[str, int], ...]
"""The shown columns as (key, width), in display order."""


def sort_arrow(reverse: bool) -> str:
    """The arrow of a sort direction, as in the column title and the header."""
    return "↓" if reverse else "↑"


def fit_columns(
    available: int,
    *,
    id_width: int,
    labelled: bool,
    padding: int = 1,
    keep: str | None = None,
    server_width: int = 0,
) -> Layout:
    """Pick the columns that fit in `available` cells and share out what is left to Step and Label.

    The columns that are always shown come first, then `keep` (the sort column, wide enough for its
    title and arrow; the header names the sort where even it does not fit); when the first do not
    fit, the progress bar gets shorter (the percentage stays).
    """

    def widened(column: Column) -> Column:
        if column.key == "id":
            return replace(column, width=max(column.width, id_width))
        if column.key == "server":
            return replace(column, width=max(column.width, min(server_width, 16)))
        if column.key == keep:
            return replace(column, width=max(column.width, len(column.title) + 2))
        return column

    columns = [widened(c) for c in COLUMNS if c.key != "server" or server_width]

    def drop(column: Column) -> float:
        if column.key == keep and column.drop:
            return 0.5  # the first to be added when there is room
        return UNLABELLED_DROP if column.key == "label" and not labelled else column.drop

    shown = {c.key for c in columns if not drop(c)}
    used = sum(c.width + 2 * padding for c in columns if c.key in shown)
    if used > available:
        columns = [replace(c, width=COMPACT_PROGRESS) if c.key == "progress" else c for c in columns]
        used = sum(c.width + 2 * padding for c in columns if c.key in shown)
    for column in sorted((c for c in columns if drop(c)), key=drop):
        cost = column.width + 2 * padding
        if used + cost <= available:
            shown.add(column.key)
            used += cost
    widths = {c.key: c.width for c in columns if c.key in shown}
    spare = max(0, available - used)
    for key, grow in GROWTH:
        if key not in widths or (key == "label" and not labelled and keep != "label"):
            continue
        extra = min(spare, grow)
        widths[key] += extra
        spare -= extra
    return tuple((c.key, widths[c.key]) for c in columns if c.key in shown)
