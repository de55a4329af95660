"""Import every slv_tui module with the POSIX-only modules made unavailable (as on Windows).

Run by CI: `python scripts/check_portable_imports.py`. Exit 0 when every module imports, else 1 with
one line per module that needs a POSIX-only module at import time.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import pkgutil
import sys
import tempfile
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

BLOCKED = frozenset({"fcntl", "termios", "pwd", "grp", "resource", "tty", "pty"})
"""Modules Windows does not have."""


class Blocker(importlib.abc.MetaPathFinder):
    """Makes every module in BLOCKED fail to import, as it does where the platform lacks it."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in BLOCKED:
            raise ModuleNotFoundError(f"No module named {fullname!r} (blocked: POSIX only)", name=fullname)
        return None


def main() -> int:
    for name in BLOCKED:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, Blocker())
    warnings.simplefilter("ignore")  # filelock says it falls back to its soft lock: expected here
    import slv_tui

    found = pkgutil.walk_packages(slv_tui.__path__, prefix="slv_tui.")
    names = ["slv_tui"] + [m.name for m in found if not m.name.endswith("__main__")]  # that one runs
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:
            failed.append(name)
            last = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"{name}: {type(exc).__name__}: {exc} ({last.filename}:{last.lineno})", file=sys.stderr)
    leaked = sorted(BLOCKED & set(sys.modules))
    if leaked:
        print(f"imported despite the block: {', '.join(leaked)}", file=sys.stderr)
        return 1
    print(f"{len(names) - len(failed)} of {len(names)} modules import without {', '.join(sorted(BLOCKED))}")
    return 1 if failed else store_round_trip()


def store_round_trip() -> int:
    """The watchlist saves and reads back with no fcntl: filelock falls back to its portable lock."""
    from slv_tui.store.watchlist import Watchlist

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "watchlists" / "default.json"
        Watchlist(path).add(["1481016600181"], label="portable")
        entries = Watchlist(path).load()
    if [(e.batch_id, e.label) for e in entries] != [("1481016600181", "portable")]:
        print(f"watchlist round trip without fcntl failed: {entries}", file=sys.stderr)
        return 1
    import filelock

    print(f"the watchlist saves and loads with filelock.FileLock = {filelock.FileLock.__name__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
