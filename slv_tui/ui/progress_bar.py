"""The text progress bar: a filled bar with a percentage, or an indeterminate marker."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

FULL = "█"
EMPTY = "░"
PARTIAL = " ▏▎▍▌▋▊▉"
INDETERMINATE = "░▒▓"


def progress_bar(
    progress: float | None,
    width: int = 10,
    *,
    bar_style: Style | str = "",
    empty_style: Style | str = "",
) -> Text:
    """A bar like "████▌░░░░░  45%", or "░▒▓░░░░░░░    ?" when progress is unknown."""
    if progress is None:
        marker = (INDETERMINATE + EMPTY * width)[:width]
        return Text.assemble((marker, empty_style), "    ?")
    value = max(0.0, min(100.0, progress))
    eighths = round(value / 100 * width * 8)
    full, rest = divmod(eighths, 8)
    filled = FULL * full + (PARTIAL[rest] if rest and full < width else "")
    bar = Text.assemble((filled, bar_style), (EMPTY * (width - len(filled)), empty_style))
    bar.append(f" {int(value):3d}%")
    return bar
