"""Redaction: every known secret, in every encoding, and every credential-shaped field, out of a text.

Two kinds of secret are known. Durable ones (passwords, access tokens, Basic tokens, notification
URLs) are few and change when the operator acts: they are searched for, with their URL, HTML and
JSON encodings and inside base64, by one compiled alternation rebuilt only when the set changes.
Session values (cookie values and CSRF tokens the server hands out, which may change on every
answer) are kept in a bounded table indexed by their first characters, so a server rotating them
costs neither memory nor time; cookies are also redacted by name. Values too short to be secrets
(`1`, `GET`, `batch`) are never searched for as text: they would redact ordinary words.
Every search is linear in the length of the text, whatever the number of secrets.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections import OrderedDict
from urllib.parse import quote, quote_plus, unquote

from slv_tui.common.lazy_re import LazyPattern

REDACTED = "********"
MIN_SECRET = 4
"""Durable secrets shorter than this are not searched for as text (they still go by name)."""
MIN_SESSION_VALUE = 8
"""Cookie values and tokens shorter than this are redacted by name only, never as text."""
MAX_SESSION_VALUES = 256
"""Session values remembered (the newest); older ones belong to sessions long dead."""
MAX_COOKIE_NAMES = 256
MAX_DURABLE = 1024
_PREFIX = MIN_SESSION_VALUE
_Q = r"""(?:\\*["'])?"""
"""An optional quote, possibly escaped (a JSON body inside a JSON string: \\")."""
_PATTERNS = LazyPattern(
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
_NAMED = LazyPattern(
    r"(?i)(\b(?:[a-z0-9_.-]*session[a-z0-9_.-]*|jsessionid|sid|[a-z0-9_-]*(?:csrf|xsrf)[a-z0-9_-]*"
    r"|[a-z0-9_-]*token|api[_-]?key|secret)" + _Q + r"\s*[:=]\s*" + _Q + r")"
    r"(?!(?:null|true|false|-?\d{1,7})(?![^\s&\"',;\\<>})\]]))"  # a JSON literal or short number: no secret
    r"([^\s&\"',;\\<>})\]]+)"
)
"""Session cookies, CSRF tokens, access tokens and API keys by name, registered or not: `JSESSIONID=…`,
`X-CSRF-Token: …`, `"token": "…"`."""
_BEARER = LazyPattern(r"(?i)(\bbearer(?:\s|%20|\+)+)([A-Za-z0-9._~+/=-]{8,})")
_COOKIES = LazyPattern(r"(?i)(\b(?:set-)?cookie2?" + _Q + r"\s*[:=]\s*" + _Q + r")([^\r\n\"\\]+)")
"""Every value of a Cookie or Set-Cookie header, whatever the cookies are called."""
_BASE64_CHAR = r"(?:[A-Za-z0-9+/_-]|\\/|\\u00(?:2[bBfF]|3[dD])|%2[bBfF]|%3[dD])"
_BASIC = LazyPattern(r"(?i)(\bbasic(?:\s|%20|\+)+)(" + _BASE64_CHAR + r"{4,}(?:=|\\u003[dD]|%3[dD]){0,2})")
"""`Basic <token>` in any shape (a JSON value, an HTML cell, `\\/`-escaped): redacted when the token
is user:password."""
_BASE64 = LazyPattern(_BASE64_CHAR + r"{8,}(?:=|\\u003[dD]|%3[dD]){0,2}")
_TOKEN_ESCAPES = LazyPattern(r"\\/|\\u00(?:2[bBfF]|3[dD])|%2[bBfF]|%3[dD]")
_ESCAPED = re.compile(r"\\/|\\u[0-9a-fA-F]{4}|&#|&[a-zA-Z]+;|%[0-9a-fA-F]{2}")
"""Text that may hold a secret in an escaped form not registered: JSON `\\/` and `\\uXXXX`, HTML
entities, URL escapes (lower-case hex too)."""
_JSON_UNICODE = LazyPattern(r"\\u([0-9a-fA-F]{4})")
_TRIGGER_GATE = re.compile(
    r"(?:passw(?:ord|d)|authorization|cookie2?|session[a-z0-9_.-]*|sid|(?:csrf|xsrf)[a-z0-9_-]*|token"
    r"|api[_-]?key|secret)" + _Q + r"\s*[:=]|(?:basic|bearer)(?:\s|%20|\+)"
)
"""What each field pattern above needs, without their costly leading `[a-z0-9_.-]*`; searched in the
text lower-cased (much faster than `(?i)`)."""
_KEYWORDS: tuple[str, ...] = (
    "passw",
    "authorization",
    "cookie",
    "session",
    "sid",
    "csrf",
    "xsrf",
    "token",
    "api",
    "secret",
)
_KEYWORDS += ("basic", "bearer")
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
"""Letters `(?i)` matches to ASCII ones that `str.lower` does not turn into them."""


class _Registry:
    """The known secrets; every change is under one lock (the dashboard logs from threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.durable: OrderedDict[str, None] = OrderedDict()
        self.session: OrderedDict[str, None] = OrderedDict()
        self.by_prefix: dict[str, list[str]] = {}
        self.names: OrderedDict[str, None] = OrderedDict()
        self.matcher: re.Pattern[str] | None = None
        self.gate: re.Pattern[str] | None = None
        """The durable forms and the base64 cores of each durable secret: text without any of them
        holds no durable secret (compiled with `matcher`)."""
        self.session_gate: re.Pattern[str] | None = None
        self.session_stale = False
        self.stale = False
        self.rebuilds = 0
        """How often the durable alternation was compiled (work counted by tests)."""

    def add_durable(self, value: str) -> None:
        with self.lock:
            if value in self.durable:
                return
            self.durable[value] = None
            while len(self.durable) > MAX_DURABLE:
                self.durable.popitem(last=False)
            self.stale = True

    def add_session(self, value: str) -> None:
        with self.lock:
            if value in self.session:
                self.session.move_to_end(value)
                return
            self.session[value] = None
            self.session_stale = True
            self.by_prefix.setdefault(value[:_PREFIX], []).append(value)
            while len(self.session) > MAX_SESSION_VALUES:
                old, _ = self.session.popitem(last=False)
                bucket = self.by_prefix.get(old[:_PREFIX], [])
                bucket.remove(old)
                if not bucket:
                    del self.by_prefix[old[:_PREFIX]]

    def add_name(self, name: str) -> None:
        with self.lock:
            self.names[name] = None
            self.names.move_to_end(name)
            while len(self.names) > MAX_COOKIE_NAMES:
                self.names.popitem(last=False)

    def durable_matcher(self) -> re.Pattern[str] | None:
        """One alternation of every durable secret and its encodings, longest first."""
        with self.lock:
            if self.stale:
                forms: set[str] = set()
                for value in self.durable:
                    forms |= _forms(value)
                ordered = sorted(forms, key=len, reverse=True)
                self.matcher = re.compile("|".join(map(re.escape, ordered))) if ordered else None
                cores: set[str] = set()
                for value in self.durable:
                    if len(value) >= MIN_SECRET:
                        cores |= _base64_cores(value.encode("utf-8"))
                alternatives = [*map(re.escape, ordered), *sorted(cores, key=len, reverse=True)]
                self.gate = re.compile("|".join(alternatives)) if alternatives else None
                self.stale = False
                self.rebuilds += 1
            return self.matcher

    def session_matcher(self) -> re.Pattern[str] | None:
        """One alternation of the remembered session values (at most `MAX_SESSION_VALUES`), for the
        gate only: rebuilt when one is added, on the first text checked after that."""
        with self.lock:
            if self.session_stale:
                values = sorted(self.session, key=len, reverse=True)
                self.session_gate = re.compile("|".join(map(re.escape, values))) if values else None
                self.session_stale = False
            return self.session_gate


_registry = _Registry()


def forget_all() -> None:
    """Forget every remembered secret, session value and cookie name (a test starting clean)."""
    global _registry
    _registry = _Registry()


def _base64_cores(secret: bytes) -> set[str]:
    """For each byte alignment, the base64 characters that only `secret`'s bits decide: base64 that
    decodes to something holding `secret` holds one of these (`+`/`-` and `/`/`_` either way)."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + secret + b"\0\0").decode("ascii")
        core = encoded[-(-8 * shift // 6) : 8 * (shift + len(secret)) // 6]
        cores.add(re.escape(core).replace("/", "[/_]").replace(r"\+", "[+-]"))
    return cores


def _forms(value: str) -> set[str]:
    """`value` and its URL-, HTML- and JSON-escaped forms (none for a value too short to search)."""
    if len(value) < MIN_SECRET:
        return set()
    return {
        value, quote(value, safe=""), quote_plus(value), _html_escape(value),
        json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
    }  # fmt: skip


def register_secret(value: str) -> None:
    """Make sure `value` is never written to a log (it is replaced by asterisks), nor its
    URL-, HTML- or JSON-escaped forms, nor base64 holding it (a Basic header echoed back).

    For what the user gives (passwords, tokens, URLs); a value shorter than `MIN_SECRET` is
    redacted only where a field names it (`password=…`)."""
    if value:
        _registry.add_durable(value)


def register_session_value(value: str, name: str | None = None) -> None:
    """A cookie value or CSRF token the server handed out: redacted where it shows as text when it
    is long enough to be a secret (`MIN_SESSION_VALUE`), and wherever `name=` precedes it."""
    if name:
        _registry.add_name(name[:64])
    if len(value) >= MIN_SESSION_VALUE:
        _registry.add_session(value)


def registered_counts() -> dict[str, int]:
    """How many secrets of each kind are remembered, and how often the alternation was compiled."""
    r = _registry
    return {
        "durable": len(r.durable), "session": len(r.session), "cookie_names": len(r.names),
        "rebuilds": r.rebuilds,
    }  # fmt: skip


_PAIR = LazyPattern(r"(?<![\w.-])([\w.-]{1,64})(\s*=\s*)([^\s;,&\"'\\<>]+)")
"""`name=value` pairs: redacted when `name` is a cookie the server set."""


def _html_escape(text: str) -> str:
    """`html.escape(text)` (quotes too), without importing `html` (and its entity table) at start-up."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("'", "&#x27;")


def _redact_session(text: str) -> str:
    """Every remembered session value in `text`: one dictionary look-up per character."""
    index = _registry.by_prefix
    if not index or len(text) < _PREFIX:
        return text
    parts: list[str] = []
    start = i = 0
    end = len(text) - _PREFIX + 1
    while i < end:
        for value in index.get(text[i : i + _PREFIX], ()):
            if text.startswith(value, i):
                parts += (text[start:i], REDACTED)
                i = start = i + len(value)
                break
        else:
            i += 1
    return "".join(parts) + text[start:] if parts else text


def _redact_names(text: str) -> str:
    names = _registry.names
    if not names or "=" not in text:
        return text
    return _PAIR.sub(lambda m: f"{m[1]}{m[2]}{REDACTED}" if m[1] in names else m[0], text)


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


def _holds_secret(token: str, matcher: re.Pattern[str]) -> bool:
    """Does base64 in `token` decode to a secret? Each alignment is tried: the token may have a few
    characters glued on either side that are not part of the base64 (`%20dXNlcjpw...`)."""
    for start in range(4):
        rest = token[start:].rstrip("=")
        for candidate in (rest, rest[: len(rest) - len(rest) % 4]):
            decoded = _decoded(candidate)
            if decoded is not None and matcher.search(decoded.decode("utf-8", "replace")):
                return True
    return False


def _basic(match: re.Match[str]) -> str:
    decoded = _decoded(match.group(2))
    looks_like_credentials = decoded is not None and b":" in decoded
    return match.group(1) + REDACTED if looks_like_credentials else match.group(0)


def _redact_plain(text: str) -> str:
    matcher = _registry.durable_matcher()
    if matcher is not None:
        text = matcher.sub(REDACTED, text)
        text = _BASE64.sub(lambda m: REDACTED if _holds_secret(m.group(0), matcher) else m.group(0), text)
    text = _redact_session(text)
    text = _BASIC.sub(_basic, text)
    text = _PATTERNS.sub(lambda m: m.group(1) + REDACTED, text)
    text = _COOKIES.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _NAMED.sub(lambda m: m.group(1) + REDACTED, text)
    return _redact_names(text)


def _json_char(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return match.group() if 0xD800 <= code <= 0xDFFF else chr(code)  # no lone surrogates in the log


def _unescaped(text: str) -> str:
    """`text` with JSON, HTML and URL escapes undone: the view in which escaped secrets show."""
    import html  # only here: it loads html.entities (a large table) at import

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
    """The cheap exact test (a few linear scans in C): no escape, no field name the patterns act on,
    no remembered secret in any form, no cookie name before an `=`. Most text (every log line, every
    output) stops here, so printing a 17 MB batch costs scans, not a Python loop per character."""
    if _ESCAPED.search(text):
        return False
    lowered = (text if text.isascii() else text.translate(_FOLD)).lower()
    if any(word in lowered for word in _KEYWORDS) and _TRIGGER_GATE.search(lowered):
        return False
    registry = _registry
    if registry.names and "=" in text:
        return False
    registry.durable_matcher()  # compiles the gate with the matcher when the set changed
    if registry.gate is not None and registry.gate.search(text):
        return False
    session = registry.session_matcher()
    return session is None or not session.search(text)
