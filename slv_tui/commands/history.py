"""`slv-tui history`: print the recorded timeline of one batch."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from slv_tui.common.sanitize import clean
from slv_tui.store.history import Event, HistoryStore, kind_text, progress_text


def event_line(event: Event) -> str:
    """One human line: time, what happened, state, progress and counts (every field cleaned)."""
    return clean(
        f"{event.get('at')}  {kind_text(event):<16} {event.get('state', ''):<21} {progress_text(event)}"
        f"  warnings {event.get('warnings', 0)}  errors {event.get('errors', 0)}"
    )


def run_history(
    store: HistoryStore, batch_id: str, *, as_json: bool, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Print the timeline (oldest first); 0 when something was recorded, 1 when nothing, 2 unreadable."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        events = store.read(batch_id)
    except OSError as exc:
        err.write(clean(f"slv-tui: error: cannot read the history of {batch_id}: {exc}") + "\n")
        return 2
    if as_json:
        out.write(json.dumps(events, ensure_ascii=False, indent=1) + "\n")
    else:
        for event in events:
            out.write(event_line(event) + "\n")
    if not events:
        err.write(f"slv-tui: no history recorded for batch {batch_id} (the dashboard and follow record it)\n")
        return 1
    return 0
