"""The rotating log file, with a filter that redacts every known secret from every record."""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

REDACTED = "********"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 4
"""At most 25 MiB on disk: a day or more of request lines for a busy watchlist."""
_secrets: set[str] = set()
_PATTERNS = re.compile(
    r"(?i)(j_password=|password[\"']?\s*[:=]\s*[\"']?|authorization:\s*basic\s+)([^\s&\"',;]+)"
)


def register_secret(value: str) -> None:
    """Make sure `value` is never written to a log (it is replaced by asterisks)."""
    if value:
        _secrets.add(value)


def redact(text: str) -> str:
    """Remove every registered secret and password-looking field from text."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return _PATTERNS.sub(lambda m: m.group(1) + REDACTED, text)


class RedactingFilter(logging.Filter):
    """Renders each record's message once, redacted, so no secret reaches any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def setup_logging(log_file: Path, level: str = "info", *, debug: bool = False) -> Path | None:
    """Log to a rotating file (5 MiB, 4 old files kept); returns its path, None if it cannot be written."""
    root = logging.getLogger("slv_tui")
    root.setLevel(logging.DEBUG if debug else getattr(logging, level.upper(), logging.INFO))
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.propagate = False
    # Response bodies only with --debug, whatever --log-level says.
    logging.getLogger("slv_tui.bodies").setLevel(logging.DEBUG if debug else logging.INFO)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_file
