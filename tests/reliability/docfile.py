"""docs/RELIABILITY.md: generated from real runs; tests check the committed file is current."""

from __future__ import annotations

import os
import re
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
