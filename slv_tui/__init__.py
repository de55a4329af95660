"""slv-tui: watch Streetlight.Vision batches from the terminal."""

from __future__ import annotations

import logging

# A library stays quiet until the application configures logging (never onto the dashboard).
logging.getLogger("slv_tui").addHandler(logging.NullHandler())

__version__ = "0.1.0"
