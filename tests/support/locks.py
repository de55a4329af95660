"""Another process holding a lock file, as a second slv-tui instance would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

HOLDER = """
import sys, filelock
lock = filelock.FileLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
sys.stdin.readline()
lock.release()
"""


@contextmanager
def lock_held_elsewhere(lock_file: Path) -> Iterator[Callable[[], None]]:
    """A child process holds `lock_file` (it has it when this returns); call the yielded function to
    let go early, else it lets go when the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    stdin, stdout = holder.stdin, holder.stdout

    def release() -> None:
        if not stdin.closed:
            stdin.close()

    try:
        assert stdout.readline().strip() == "held"
        yield release
    finally:
        release()
        holder.wait(timeout=30)
        stdout.close()
