"""slv-tui: watch Streetlight.Vision batches from the terminal."""

from __future__ import annotations

import logging
import sys

# httpx imports its optional command-line tool (rich, click, pygments: ~25 ms of every start-up) when
# they are installed; slv-tui never runs it. A None entry makes that import fail, and httpx falls back
# quietly (its own `except ImportError`); nothing else changes.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

# A library stays quiet until the application configures logging (never onto the dashboard).
logging.getLogger("slv_tui").addHandler(logging.NullHandler())

__version__ = "0.1.0"
