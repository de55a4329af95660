"""The cyclic garbage collector paused while the dashboard starts (as `slv_tui.__main__` pauses it
while the command line module is imported).

Imports make long-lived objects only (modules, classes, functions), and so does the setup before
the dashboard runs (settings, clients, Boards, the app): the collector's passes over them find
nothing to free. The dashboard's start (Textual, the screens, the widgets, httpcore, the watchlist
lock: some 180 modules after the command line's) ran some 60 collections before its first frame.
Paused, then frozen (never scanned again), then resumed for what the program allocates as it runs.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No collection while the block runs; what exists after it is frozen (not scanned again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
