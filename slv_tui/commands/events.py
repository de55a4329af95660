"""`slv-tui events`: print the event feed (every server and batch), oldest first; no Textual."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta
from typing import TextIO

from slv_tui.common import paths
from slv_tui.common.sanitize import clean
from slv_tui.settings.config import ConfigError
from slv_tui.slv.report import dumps
from slv_tui.store.events import EventLog, events_dir, select
from slv_tui.watch.event_feed import KIND_TEXT, Record

_AGE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`90s`, `30m`, `8h`, `2d`, `1w` ago, or an ISO 8601 time (UTC when it has no zone); a one-line
    ConfigError otherwise (exit 2)."""
    now = now or datetime.now(UTC)
    match = _AGE.fullmatch(text.strip().lower())
    if match:
        try:
            return now - timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
        except OverflowError:
            return datetime.min.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--since: expected an age like 90s, 30m, 8h, 2d or an ISO time, got {clean(text)!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def event_line(record: Record, server_width: int = 0) -> str:
    """One human line: time, server, severity, what happened, batch, state and the details."""
    kind = KIND_TEXT.get(str(record.get("kind")), "?")
    parts = [
        str(record.get("at")),
        f"{clean(record.get('server'), max_length=100):<{server_width}}",
        f"{record.get('severity', '?'):<7}",
        f"{kind:<22}",
    ]
    if record.get("batchId"):
        parts.append(str(record["batchId"]))
    if record.get("state") and record.get("kind") == "state":
        parts.append(f"{record.get('previous') or '?'} -> {record['state']}")
    for key, label in (("user", "by"), ("controller", "controller"), ("login", "started by"), ("mode", "")):
        if record.get(key):
            parts.append(f"{label} {record[key]}".strip())
    if record.get("text"):
        parts.append(f"— {record['text']}")
    return clean(" ".join(parts), max_length=1_000)


def run_events(
    as_json: bool,
    *,
    since: str | None = None,
    server: str | None = None,
    severity: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print the selected records (oldest first): 0 (also when there are none), 2 when unreadable."""
    out = out or sys.stdout
    err = err or sys.stderr
    floor = parse_since(since) if since else None
    try:
        records, skipped = EventLog(events_dir(paths.data_dir())).read_counted()
    except OSError as exc:
        err.write(clean(f"slv-tui: error: cannot read the event feed: {exc}") + "\n")
        return 2
    if skipped:
        err.write(f"slv-tui: warning: {skipped} unreadable line(s) in the event feed skipped\n")
    chosen = select(records, since=floor, server=server, severity=severity)
    if as_json:
        out.write(dumps(chosen, indent=1) + "\n")
    else:
        width = max((len(clean(r.get("server"), max_length=100)) for r in chosen), default=0)
        for record in chosen:
            out.write(event_line(record, width) + "\n")
        if not chosen:
            err.write("slv-tui: no events (the dashboard, follow and watch record them)\n")
    return 0
