"""Building the real app for pilot tests through the factory, `make_app` (imports Textual).

The builder, waiting, screen text and table cells come from support.pilot, shared with the UI tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from support.pilot import Stack
from support.pilot import build as shared_build
from support.pilot import cell as cell
from support.pilot import press as press
from support.pilot import screen_text as screen_text
from support.pilot import wait_for as pilot_wait_for
from textual.pilot import Pilot


def build(
    url: str, folder: Path, *, ids: list[str], interval: float = 0.1, warnings: list[str] | None = None
) -> Stack:
    """The shared builder as these tests use it: no history recorder, a 5 s request timeout."""
    return shared_build(
        url, folder, ids=ids, interval=interval, warnings=warnings, history=False, timeout=5.0
    )


async def wait_for(pilot: Pilot[None], predicate: Callable[[], object], limit: float = 15.0) -> None:
    """Let the app run until `predicate()` holds; the 15 s limit only guards against a hang."""
    await pilot_wait_for(pilot, predicate, timeout=limit)
