"""The dashboard's words: finished-batch toasts, what the detail pane says when nothing is selected,
and batch names in toasts."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.notifications import SeverityLevel

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import Batch, BatchState
from slv_tui.store.watchlist import WatchEntry
from slv_tui.ui.format import plural
from slv_tui.ui.rows import SORTS

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


def names(entries: Sequence[WatchEntry]) -> str:
    """Batch IDs with their labels, for a toast: `1481016600181 (Main street)`."""
    return ", ".join(f"{e.batch_id} ({clean(e.label)})" if e.label else e.batch_id for e in entries)


def view_text(sort_column: str, reverse: bool, attention_only: bool, chosen: str | None = None) -> str:
    """The sort and view in words, e.g. "sorted by errors ↓ · needs attention only"; `chosen`: the
    column picked when another one (`sort_column`, the default) applies while it is hidden."""
    text = f"sorted by {SORTS.get(sort_column, 'state')} {'↓' if reverse else '↑'}"
    if chosen is not None and chosen != sort_column:
        text += f" ({SORTS.get(chosen, chosen)} is hidden at this width)"
    return text + (" · needs attention only (! shows all)" if attention_only else "")


def next_sort(current: str, reverse: bool, column: str | None, *, servers: bool = False) -> tuple[str, bool]:
    """The sort after a key or a click: `column` (a header click; the same one again reverses), else
    the next column (the Server column only while several servers are watched)."""
    keys = [k for k in SORTS if k != "server" or servers]
    if column is None:
        at = keys.index(current) if current in keys else -1
        column, reverse = keys[(at + 1) % len(keys)], False
    else:
        reverse = not reverse if column == current else False
    return (column if column in SORTS else "state"), reverse


def empty_text(*, archive: bool, watched: int, attention_only: bool, needle: str) -> Text:
    """What the detail pane says when no row is selected: how to add, or why nothing shows."""
    if archive:
        return Text("No archived batch — x archives a finished batch, X goes back to the watched ones")
    needle = needle.strip()
    if watched and attention_only and not needle:
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
