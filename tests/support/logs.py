"""Putting the global `slv_tui` logger back after a test reconfigured it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def preserved_logging(name: str = "slv_tui") -> Iterator[None]:
    """setup_logging() reconfigures the logger globally; restore handlers, level, propagation on exit."""
    root = logging.getLogger(name)
    saved = (list(root.handlers), root.level, root.propagate)
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
        root.propagate = saved[2]
