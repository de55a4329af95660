"""What the notifier has sent, per profile: append-only JSON Lines (0600), bounded, so a restart
never sends the same event again."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from slv_tui.store.files import FILE_MODE, locked, private_dir, read_regular, write_atomic

MAX_BYTES = 256 * 1024
"""Past this size the file is compacted to its newest KEEP keys."""
KEEP = 2000


def notified_file(data_dir: Path, profile: str) -> Path:
    """The ledger of one profile."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", profile) or "default"
    return data_dir / "notified" / f"{safe}.jsonl"


class Ledger:
    """The keys ("BATCH:event") already sent (blocking I/O: call from a thread or at start)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[str]:
        """Every key recorded, oldest first; a torn or foreign line is skipped."""
        try:
            raw = read_regular(self.path, 4 * MAX_BYTES)
        except FileNotFoundError:
            return []
        keys = []
        for line in raw.split(b"\n"):
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                keys.append(item["key"])
        return keys

    def add(self, keys: Iterable[str]) -> None:
        """Append keys (one write, one fsync); compact when the file grew too large."""
        payload = "".join(json.dumps({"key": k}) + "\n" for k in keys).encode("utf-8")
        if not payload:
            return
        private_dir(self.path.parent)
        with locked(self.path.with_name(self.path.name + ".lock")):
            fd = os.open(
                self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0), FILE_MODE
            )
            try:
                os.write(fd, b"\n" + payload)  # a torn last line stays alone
                os.fsync(fd)
                size = os.fstat(fd).st_size
            finally:
                os.close(fd)
            if size > MAX_BYTES:
                kept = self.read()[-KEEP:]
                write_atomic(self.path, "".join(json.dumps({"key": k}) + "\n" for k in kept).encode("utf-8"))
