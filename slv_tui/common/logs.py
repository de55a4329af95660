"""The rotating log file, with a filter that redacts every known secret from every record."""

from __future__ import annotations

import base64
import binascii
import html
import json
import logging
import re
from pathlib import Path
from urllib.parse import quote, quote_plus, unquote

from slv_tui.store.files import PrivateRotatingFileHandler, private_dir

REDACTED = "********"
MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 4
"""At most 25 MiB on disk: a day or more of request lines for a busy watchlist."""
_secrets: set[str] = set()
_plain: list[str] = []
"""Every registered secret with its encodings (URL, HTML, JSON), longest first."""
_Q = r"""(?:\\*["'])?"""
"""An optional quote, possibly escaped (a JSON body inside a JSON string: \\")."""
_PATTERNS = re.compile(
    r"(?i)((?:j_password|password|passwd)"
    + _Q
    + r"\s*[:=]\s*"
    + _Q
    + r"|authorization"
    + _Q
    + r"\s*[:=]\s*"
    + _Q
    + r"\s*(?:basic|bearer)\s+)"
    r"([^\s&\"',;\\]+)"
)
_NAMED = re.compile(
    r"(?i)(\b(?:[a-z0-9_.-]*session[a-z0-9_.-]*|jsessionid|sid|[a-z0-9_-]*(?:csrf|xsrf)[a-z0-9_-]*"
    r"|[a-z0-9_-]*token|api[_-]?key|secret)" + _Q + r"\s*[:=]\s*" + _Q + r")"
    r"([^\s&\"',;\\<>})\]]+)"
)
"""Session cookies, CSRF tokens, access tokens and API keys by name, registered or not: `JSESSIONID=…`,
`X-CSRF-Token: …`, `"token": "…"`."""
_BEARER = re.compile(r"(?i)(\bbearer(?:\s|%20|\+)+)([A-Za-z0-9._~+/=-]{8,})")
_COOKIES = re.compile(r"(?i)(\b(?:set-)?cookie2?" + _Q + r"\s*[:=]\s*" + _Q + r")([^\r\n\"\\]+)")
"""Every value of a Cookie or Set-Cookie header, whatever the cookies are called."""
_BASE64_CHAR = r"(?:[A-Za-z0-9+/_-]|\\/|\\u00(?:2[bBfF]|3[dD])|%2[bBfF]|%3[dD])"
_BASIC = re.compile(r"(?i)(\bbasic(?:\s|%20|\+)+)(" + _BASE64_CHAR + r"{4,}(?:=|\\u003[dD]|%3[dD]){0,2})")
"""`Basic <token>` in any shape (a JSON value, an HTML cell, `\\/`-escaped): redacted when the token
is user:password."""
_BASE64 = re.compile(_BASE64_CHAR + r"{8,}(?:=|\\u003[dD]|%3[dD]){0,2}")
_TOKEN_ESCAPES = re.compile(r"\\/|\\u00(?:2[bBfF]|3[dD])|%2[bBfF]|%3[dD]")
_ESCAPED = re.compile(r"\\/|\\u[0-9a-fA-F]{4}|&#|&[a-zA-Z]+;|%[0-9a-fA-F]{2}")
"""Text that may hold a secret in an escaped form not registered: JSON `\\/` and `\\uXXXX`, HTML
entities, URL escapes (lower-case hex too)."""
_JSON_UNICODE = re.compile(r"\\u([0-9a-fA-F]{4})")
MIN_SECRET = 3
"""Shorter registered values are not searched for in encoded form (too many false matches)."""
_TRIGGERS = (
    r"(?:passw(?:ord|d)|authorization|cookie2?|session[a-z0-9_.-]*|sid|(?:csrf|xsrf)[a-z0-9_-]*|token"
    r"|api[_-]?key|secret)" + _Q + r"\s*[:=]|(?:basic|bearer)(?:\s|%20|\+)"
)
"""What each pattern above needs, without their costly leading `[a-z0-9_.-]*`: text in which none
of this, no registered form and no base64 of a secret occurs has nothing to redact."""
_TRIGGER_GATE = re.compile(_TRIGGERS)
"""Searched in the text lower-cased (much faster than `(?i)`)."""
_KEYWORDS: tuple[str, ...] = ("passw", "authorization", "cookie", "session", "sid", "csrf", "xsrf", "token")
_KEYWORDS += ("api", "secret", "basic", "bearer")
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
"""Letters `(?i)` matches to ASCII ones that `str.lower` does not turn into them."""
_known: list[re.Pattern[str]] = []
"""One alternation of every registered form and the base64 cores of every secret (rebuilt when one
is registered)."""


def _base64_cores(secret: bytes) -> set[str]:
    """For each byte alignment, the base64 characters that only `secret`'s bits decide: base64 that
    decodes to something holding `secret` holds one of these (`+`/`-` and `/`/`_` either way)."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + secret + b"\0\0").decode("ascii")
        core = encoded[-(-8 * shift // 6) : 8 * (shift + len(secret)) // 6]
        cores.add(re.escape(core).replace("/", "[/_]").replace(r"\+", "[+-]"))
    return cores


def register_secret(value: str) -> None:
    """Make sure `value` is never written to a log (it is replaced by asterisks), nor its
    URL-, HTML- or JSON-escaped forms, nor base64 holding it (a Basic header echoed back)."""
    if not value or value in _secrets:
        return
    _secrets.add(value)
    forms = {value}
    if len(value) >= MIN_SECRET:
        forms |= {
            quote(value, safe=""), quote_plus(value), html.escape(value),
            json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
        }  # fmt: skip
    _plain[:] = sorted(set(_plain) | forms, key=len, reverse=True)
    cores = set().union(*(_base64_cores(v.encode("utf-8")) for v in _secrets if len(v) >= MIN_SECRET))
    _known[:] = [re.compile("|".join([*map(re.escape, _plain), *sorted(cores, key=len, reverse=True)]))]


def _unescape_token(token: str) -> str:
    """A base64 token with its JSON (`\\/`, `\\u002f`, `\\u003d`) and URL (`%2F`) escapes undone."""
    return _TOKEN_ESCAPES.sub(lambda m: "/" if m.group() == "\\/" else chr(int(m.group()[-2:], 16)), token)


def _decoded(token: str) -> bytes | None:
    token = _unescape_token(token)
    padded = token + "=" * (-len(token) % 4)
    try:
        if "-" in token or "_" in token:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _holds_secret(token: str) -> bool:
    """Does base64 in `token` decode to a secret? Each alignment is tried: the token may have a few
    characters glued on either side that are not part of the base64 (`%20dXNlcjpw...`)."""
    secrets = [secret.encode("utf-8") for secret in _secrets if len(secret) >= MIN_SECRET]
    for start in range(4):
        rest = token[start:].rstrip("=")
        for candidate in (rest, rest[: len(rest) - len(rest) % 4]):
            decoded = _decoded(candidate)
            if decoded is not None and any(secret in decoded for secret in secrets):
                return True
    return False


def _basic(match: re.Match[str]) -> str:
    decoded = _decoded(match.group(2))
    looks_like_credentials = decoded is not None and b":" in decoded
    return match.group(1) + REDACTED if looks_like_credentials else match.group(0)


def _redact_plain(text: str) -> str:
    for secret in _plain:
        text = text.replace(secret, REDACTED)
    if _secrets:
        text = _BASE64.sub(lambda m: REDACTED if _holds_secret(m.group(0)) else m.group(0), text)
    text = _BASIC.sub(_basic, text)
    text = _PATTERNS.sub(lambda m: m.group(1) + REDACTED, text)
    text = _COOKIES.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    return _NAMED.sub(lambda m: m.group(1) + REDACTED, text)


def _json_char(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return match.group() if 0xD800 <= code <= 0xDFFF else chr(code)  # no lone surrogates in the log


def _unescaped(text: str) -> str:
    """`text` with JSON, HTML and URL escapes undone: the view in which escaped secrets show."""
    text = _JSON_UNICODE.sub(_json_char, text.replace("\\/", "/"))
    return unquote(html.unescape(text)) if "%" in text else html.unescape(text)


def redact(text: str) -> str:
    """Remove every registered secret (also encoded or escaped), password, cookie, CSRF or access
    token field and Basic credential from text."""
    if _nothing_to_redact(text):
        return text
    text = _redact_plain(text)
    if _ESCAPED.search(text):
        # A secret may hide behind escapes nobody registered (`\/` from a Java JSON encoder,
        # `\u003d`, `&#47;`, `%2f`): if the unescaped view shows more to redact, log that view.
        view = _unescaped(text)
        redacted = _redact_plain(view)
        if redacted != view:
            return redacted
    return text


def _nothing_to_redact(text: str) -> bool:
    """The cheap exact test (a few linear scans): no escape, no field name the patterns act on, no
    registered secret in any form. Most text (every log line, every output) stops here."""
    if _ESCAPED.search(text):
        return False
    lowered = (text if text.isascii() else text.translate(_FOLD)).lower()
    if any(word in lowered for word in _KEYWORDS) and _TRIGGER_GATE.search(lowered):
        return False
    return not any(known.search(text) for known in _known)


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
