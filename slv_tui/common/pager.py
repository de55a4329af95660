"""The operator's pager: which command `$PAGER` names, and running it on a text (blocking)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess


def pager_command() -> list[str] | None:
    """`$PAGER` split as a shell would (`less -R` is two words), else `less` when installed, else None."""
    try:
        words = shlex.split(os.environ.get("PAGER", ""))
    except ValueError:  # an unbalanced quote: not a command
        return None
    if words:
        return words
    less = shutil.which("less")
    return None if less is None else [less]


def run_pager(command: list[str], text: str) -> str | None:
    """Run the pager with `text` on its stdin until it exits; None, or why it did not run."""
    try:
        subprocess.run(command, input=text.encode("utf-8", errors="replace"), check=False)
    except OSError as exc:
        return f"the pager {command[0]!r} did not start: {exc.strerror or exc}"
    return None
