"""Export batches as JSON files, in the same object shape as `status --json`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

from slv_tui.common import paths
from slv_tui.slv.errors import SlvError
from slv_tui.slv.model import Batch
from slv_tui.slv.report import write_json_array
from slv_tui.store.files import private_dir, write_atomic
from slv_tui.watch.snapshot import Snapshot


def export_dir(configured: Path | None = None) -> Path:
    """`[ui] export_dir` when set, else the user's downloads (or documents) folder; created if missing."""
    folder = configured or paths.export_dir()
    if not folder.is_dir():
        private_dir(folder)
    return folder


def export_batches(
    keys: Sequence[tuple[str, str]],
    lookup: Callable[[tuple[str, str]], Snapshot | None],
    folder: Path | None = None,
) -> Path:
    """Write these (server, batch ID) batches as a JSON array (one `status --json` object each, its
    `server` field the server's name) into `export_dir(folder)`; returns the file."""
    items: list[tuple[str, Batch | None, SlvError | None]] = []
    ids = [batch_id for _, batch_id in keys]
    for key in keys:
        batch_id = key[1]
        snap = lookup(key)
        batch = None if snap is None else snap.batch
        error = None if snap is None else snap.error
        items.append((batch_id, batch, error))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = f"slv-batch-{ids[0]}-{stamp}.json" if len(ids) == 1 else f"slv-batches-{stamp}.json"
    path = export_dir(folder) / name
    pieces: list[str] = []
    servers = [server for server, _ in keys]
    write_json_array(pieces.append, items, servers)  # compact past a few thousand messages, like status
    write_atomic(path, "".join(pieces).encode("utf-8"))
    return path
