"""Regular expressions compiled at their first use, not at import.

Most text never reaches the costly patterns (the redaction's field patterns run only when a cheap
gate matches; the sanitizer's cleaning only for text that is not plainly printable), and compiling
them all at import was about a tenth of `status`'s start-up."""

from __future__ import annotations

import re
from collections.abc import Callable


class LazyPattern:
    """`re.compile(source, flags)` on the first `search`/`sub` (then kept)."""

    __slots__ = ("_compiled", "flags", "source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if it was not yet)."""
        if self._compiled is None:
            self._compiled = re.compile(self.source, self.flags)
        return self._compiled

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled.search(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        return self.compiled.sub(repl, text)
