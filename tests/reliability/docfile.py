"""docs/RELIABILITY.md: generated from real runs; tests check the committed file is current."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "RELIABILITY.md"
WRITE = os.environ.get("SLV_WRITE_RELIABILITY") == "1"
SOAK_START = "<!-- soak:start -->"
SOAK_END = "<!-- soak:end -->"


def split(text: str) -> tuple[str, str]:
    """(the generated part that must match, the soak figures part that varies run to run)."""
    match = re.search(re.escape(SOAK_START) + r".*?" + re.escape(SOAK_END), text, flags=re.S)
    if match is None:
        return text, ""
    return text[: match.start()] + text[match.end() :], match.group()


def update_soak_section(figures: str, *, which: str = "poller") -> None:
    """Record one soak test's figures (`which`: poller or dashboard) when SLV_WRITE_RELIABILITY=1."""
    if not WRITE or not DOC.exists():
        return
    text = DOC.read_text()
    _, old = split(text)
    lines = {line.split(":", 1)[0]: line for line in old.splitlines() if line.startswith("- Last soak run")}
    lines[f"- Last soak run ({which})"] = f"- Last soak run ({which}): {figures}."
    body = "\n".join(lines[key] for key in sorted(lines, reverse=True))
    block = f"{SOAK_START}\n{body}\n{SOAK_END}"
    DOC.write_text(text.replace(old, block) if old else text + "\n" + block + "\n")


HOSTILE_START = "<!-- hostile:start -->"
HOSTILE_END = "<!-- hostile:end -->"
_CELL = re.compile(r"(?<!\\)\|")
NOT_MEASURED = "not measured yet (run scripts/gen_reliability.sh)"


def _hostile_rows(text: str) -> tuple[int, int]:
    """Start and end offsets of the hostile-answers table (between its markers), or (-1, -1)."""
    start, end = text.find(HOSTILE_START), text.find(HOSTILE_END)
    return (start, end) if 0 <= start < end else (-1, -1)


def _row_number(line: str) -> int | None:
    cells = _CELL.split(line)
    if len(cells) < 7 or not cells[1].strip().isdigit():
        return None
    return int(cells[1])


def _with_figure(line: str, figure: str) -> str:
    """The row with its measured-figure cell (the 4th) replaced."""
    cells = _CELL.split(line)
    cells[4] = f" {figure.replace('|', chr(92) + '|')} "
    return "|".join(cells)


def hostile_figures(text: str) -> dict[int, str]:
    """The measured figures the doc holds now, by case number."""
    start, end = _hostile_rows(text)
    found: dict[int, str] = {}
    for line in text[start:end].splitlines() if start >= 0 else []:
        number = _row_number(line)
        if number is not None:
            found[number] = _CELL.split(line)[4].strip()
    return found


def mask_figures(text: str) -> str:
    """The doc with every measured figure blanked: the part that must be current, run after run."""
    start, end = _hostile_rows(text)
    if start < 0:
        return text
    return _map_rows(text, start, end, lambda number, line: _with_figure(line, "…"))


def update_hostile_figure(number: int, figure: str) -> None:
    """Write one case's measured figure into the doc (only with SLV_WRITE_RELIABILITY=1)."""
    if not WRITE or not DOC.exists():
        return
    text = DOC.read_text()
    start, end = _hostile_rows(text)
    if start < 0:
        return
    DOC.write_text(
        _map_rows(text, start, end, lambda n, line: _with_figure(line, figure) if n == number else line)
    )


def _map_rows(text: str, start: int, end: int, change: Callable[[int, str], str]) -> str:
    """`text` with each hostile row between `start` and `end` replaced by `change(number, row)`."""
    lines = text[start:end].split("\n")
    for index, line in enumerate(lines):
        number = _row_number(line)
        if number is not None:
            lines[index] = change(number, line)
    return text[:start] + "\n".join(lines) + text[end:]
