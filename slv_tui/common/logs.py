"""The rotating log file, with a filter that redacts every known secret from every record."""

from __future__ import annotations

import logging
from pathlib import Path

from slv_tui.common.redaction import REDACTED as REDACTED  # re-exported: callers import them from here
from slv_tui.common.redaction import redact as redact
from slv_tui.common.redaction import register_secret as register_secret
from slv_tui.common.redaction import register_session_value as register_session_value
from slv_tui.store.files import PrivateRotatingFileHandler, private_dir

MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 4
"""At most 25 MiB on disk: a day or more of request lines for a busy watchlist."""


class RedactingFilter(logging.Filter):
    """Renders each record's message once, redacted, so no secret reaches any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def setup_logging(log_file: Path, level: str = "info", *, debug: bool = False) -> Path | None:
    """Log to a rotating file (5 MiB, 4 old files kept); returns its path, None if it cannot be written."""
    root = logging.getLogger("slv_tui")
    root.setLevel(logging.DEBUG if debug else getattr(logging, level.upper(), logging.INFO))
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    # Never to Python's last-resort stderr handler (unredacted, and it would scribble on the dashboard).
    root.propagate = False
    try:
        private_dir(log_file.parent)  # 0700 folder, 0600 files: a log may name servers and batches
        handler = PrivateRotatingFileHandler(
            log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError:
        root.addHandler(logging.NullHandler())
        return None
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    # Response bodies only with --debug, whatever --log-level says.
    logging.getLogger("slv_tui.bodies").setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_file
