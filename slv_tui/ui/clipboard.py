"""The system clipboard through pyperclip, when the system has one (xclip/xsel/wl-copy, pbcopy, Windows)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def system_copy(text: str) -> bool:
    """Put `text` on the system clipboard; False when there is none (e.g. over SSH without a display).

    Blocking (it may run a helper program): call it in a thread.
    """
    try:
        import pyperclip  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # pragma: no cover - a dependency, but a broken install must not crash copy
        return False
    try:
        pyperclip.copy(text)
    except Exception as exc:
        log.info("no system clipboard: %s", exc)
        return False
    return True
