"""What the script-facing commands share: `Output`, the exit codes and `run` (no Textual, exact JSON)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import sys
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from slv_tui.slv.errors import SlvError
from slv_tui.slv.model import Batch

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_BAD_BATCH = 1
EXIT_USAGE = 2
EXIT_FETCH = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
"""The reader of stdout went away (`| head`): quietly, as a process killed by SIGPIPE would."""
EXIT_OUTPUT_ERROR = 74
"""stdout cannot be written (disk full, ...): sysexits' EX_IOERR."""


class OutputError(Exception):
    """Writing the results to stdout failed."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(cause.strerror or type(cause).__name__)
        self.cause = cause


@dataclass(frozen=True, slots=True)
class Output:
    """Where and how results are written."""

    json: bool = False
    color: bool = False
    out: TextIO = sys.stdout
    err: TextIO = sys.stderr

    def write(self, text: str) -> None:
        """Write results to stdout and flush, so a consumer sees each line at once."""
        try:
            self.out.write(text)
            self.out.flush()
        except OSError as exc:
            raise OutputError(exc) from None

    def note(self, text: str) -> None:
        """One line for the human on stderr (never mixed into JSON on stdout)."""
        with contextlib.suppress(OSError, ValueError):
            self.err.write(text + "\n")
            self.err.flush()


def exit_code(results: Sequence[tuple[Batch | None, SlvError | None]]) -> int:
    """3 if any batch could not be fetched, else 1 if any ended badly, else 0."""
    if any(batch is None for batch, _ in results):
        return EXIT_FETCH
    if any(batch is not None and batch.state.bad for batch, _ in results):
        return EXIT_BAD_BATCH
    return EXIT_OK


def run(command: Coroutine[Any, Any, int]) -> int:
    """Run a command coroutine: Ctrl-C is exit code 130, a closed or failing stdout no traceback."""
    try:
        return asyncio.run(command)
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            sys.stderr.write("slv-tui: interrupted\n")
        return EXIT_INTERRUPTED
    except OutputError as exc:
        _silence_stdout()
        if exc.cause.errno == errno.EPIPE:
            return EXIT_BROKEN_PIPE
        with contextlib.suppress(Exception):
            sys.stderr.write(f"slv-tui: error: cannot write the output: {exc}\n")
        return EXIT_OUTPUT_ERROR
    except Exception as exc:  # a bug: one line and exit 3, the traceback only in the log file
        log.error("unexpected failure", exc_info=True)
        with contextlib.suppress(Exception):
            sys.stderr.write(f"slv-tui: error: unexpected {type(exc).__name__} (details in the log file)\n")
        return EXIT_FETCH


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush of unwritable output stays quiet."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
