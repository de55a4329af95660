"""The Markdown report of a batch: what an operator attaches to a ticket (server text made inert)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slv_tui.common.sanitize import clean
from slv_tui.slv.errors import ServerError, SlvError
from slv_tui.slv.model import Batch, BatchState, Severity
from slv_tui.slv.vocabulary import NOT_FOUND, UNKNOWN

NONE = "—"
BEFORE_SEEN = "before first seen (time unknown)"
MAX_TEXT = 2_000
"""A message longer than this is cut (with …): a report is read by people."""
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~#&])")
"""Characters Markdown (CommonMark, GitHub tables, inline HTML) acts on inside a line: backslash-escaped.
Server text never starts a line (it follows a fixed prefix), so list and heading markers stay plain."""
_LINKISH = re.compile(r"(?<=\w)[.:](?=[\w/])|@|(?<=/)/")
"""What makes text a link without any markup under GitHub's autolinks and linkify (markdown-it's
gfm-like preset): the `:` and `//` of a scheme, the dots of a domain (`www.`, `evil.com`), the `@` of
an e-mail address or a mention. Backslash-escaped, each still shows as itself, and none links."""


@dataclass(frozen=True, slots=True)
class ReportTimes:
    """When the history saw the batch first and finish (None: not recorded)."""

    first_seen: datetime | None = None
    finished: datetime | None = None
    finished_before_seen: bool = False
    """The batch had already finished when first seen: when it finished is unknown."""


def times_from_history(events: Iterable[Mapping[str, Any]]) -> ReportTimes:
    """First seen and finished times from history events (`{"at": ISO 8601, "kind": ..., "state": ...}`)."""
    first: datetime | None = None
    finished: datetime | None = None
    before = False
    final = {s.value for s in BatchState if s.finished}
    for event in events:
        at = _parse_time(event.get("at"))
        if at is None:
            continue
        if first is None or at < first:
            first = at
            if event.get("kind") == "first_seen" and event.get("state") in final:
                before = True  # already over when first seen: its finish time was never observed
        if finished is None and (event.get("kind") == "finished" or event.get("state") in final):
            finished = at
    return ReportTimes(first, None if before else finished, before)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def inert(text: object, max_length: int = MAX_TEXT, *, links: bool = False) -> str:
    """Server text as inert Markdown: one sanitized line, every active character escaped (with
    `links`, a bare URL may still link: for the operator's own server URL, never for server text)."""
    cleaned = clean(text, max_length=max_length)
    if not cleaned:
        return ""
    escaped = _MARKDOWN.sub(r"\\\1", cleaned)
    return escaped if links else _LINKISH.sub(r"\\\g<0>", escaped)


def _time(at: datetime | None) -> str:
    return NONE if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _or_none(text: object) -> str:
    shown = inert(text, 300) if text not in (None, "") else ""
    return shown or NONE


def render_report(
    server: str,
    batch_id: str,
    batch: Batch | None,
    error: SlvError | str | None = None,
    *,
    times: ReportTimes | None = None,
    written: datetime | None = None,
) -> str:
    """One batch's Markdown report: header, steps with counts, then every warning and error."""
    times = times or ReportTimes()
    written = written or datetime.now(UTC)
    lines = [f"# SLV batch {batch_id}", ""]
    head: list[tuple[str, str]] = [("Server", inert(server, 300, links=True) or NONE), ("Batch", batch_id)]
    if batch is None:
        word = "not fetched yet" if error is None else UNKNOWN.removeprefix("? ")
        if isinstance(error, ServerError) and error.not_found:
            word = NOT_FOUND.removeprefix("? ")  # the server does not know it: never "failed"
        head += [("State", word), ("Error", _or_none(error or "not fetched yet"))]
    else:
        progress = NONE if batch.progress is None else f"{batch.progress:g} %"
        counts = batch.counts
        head += [
            ("State", batch.state.value),
            ("Progress", progress),
            ("Started by", _or_none(batch.login)),
            ("Progress message", _or_none(batch.progress_message)),
            ("Status", _or_none(batch.status)),
            ("Error code", _or_none(" ".join(p for p in (batch.error_code, batch.error_code_label) if p))),
            ("Message", _or_none(batch.message)),
            ("Cancel requested", "yes" if batch.cancel_requested else "no"),
            ("Cancelled", "yes" if batch.cancelled else "no"),
            ("Messages", f"{counts.info} info, {counts.warning} warning(s), {counts.error} error(s)"),
        ]
    head += [
        ("First seen", _time(times.first_seen)),
        (
            "Finished",
            "before first seen (time unknown)" if times.finished_before_seen else _time(times.finished),
        ),
        ("Report written", _time(written)),
    ]
    lines += ["| Field | Value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in head]
    if batch is not None:
        lines += ["", "## Steps", ""]
        lines += _steps_table(batch)
        lines += ["", *_problems(batch)]
    return "\n".join(lines) + "\n"


def _steps_table(batch: Batch) -> list[str]:
    if not batch.steps:
        return ["No steps reported."]
    rows = ["| # | Step | Status | Info | Warnings | Errors |", "|---:|---|---:|---:|---:|---:|"]
    for index, step in enumerate(batch.steps, 1):
        c = step.counts
        status = NONE if step.status is None else str(step.status)
        rows.append(f"| {index} | {inert(step.title, 200)} | {status} | {c.info} | {c.warning} | {c.error} |")
    return rows


def _problems(batch: Batch) -> Sequence[str]:
    total = batch.counts.warning + batch.counts.error
    lines = [f"## Warnings and errors ({total})", ""]
    found = False
    for step in batch.steps:
        messages = [m for m in step.in_server_order if m.severity is not Severity.INFO]
        if not messages:
            continue
        found = True
        lines += [f"### {inert(step.title, 200)}", ""]
        for msg in messages:
            status = f" ({inert(msg.status_text or msg.status, 60)})" if msg.status_text or msg.status else ""
            lines.append(f"- **{msg.severity.value}**{status}: {inert(msg.text) or NONE}")
        lines.append("")
    if not found:
        lines += ["None.", ""]
    return lines[:-1] if lines[-1] == "" else lines
