"""slv-tui: watch Streetlight.Vision batches from the terminal."""

from __future__ import annotations

__version__ = "0.1.0"
