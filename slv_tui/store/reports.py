"""Writing Markdown batch reports to a file (atomic, private), for `report --output` and the dashboard."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from slv_tui.store.files import write_atomic


def report_name(ids: Sequence[str]) -> str:
    """The file name the dashboard gives a report of these batches."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return f"slv-report-{ids[0]}-{stamp}.md" if len(ids) == 1 else f"slv-reports-{stamp}.md"


def write_report(path: Path, reports: Sequence[str]) -> Path:
    """Write the reports, one after another, to `path` atomically; returns the absolute path."""
    write_atomic(path, "\n".join(reports).encode("utf-8"))
    return path.absolute()
