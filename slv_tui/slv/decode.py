"""From an HTTP answer to a JSON value: status checks, HTML/XML detection, encoding, size and depth."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx

from slv_tui.slv import errors

MAX_JSON_VALUES = 5_000_000
"""JSON values in one answer (counted from its punctuation, before decoding): far above a real batch
(100,000 messages are some 800,000 values), low enough that no answer under the size cap can take
gigabytes once decoded (8 MiB of `[{},{},...]` would be 2.8 M objects)."""
_KEEP_BRACKETS = bytes(range(256)).translate(None, b'[]{}"')
"""For `bytes.translate`: delete every byte but brackets and quotes."""


def check_status(response: httpx.Response) -> None:
    """Raise the taxonomy's error for a redirect, a refusal or any other non-2xx status."""
    code = response.status_code
    if 300 <= code < 400:
        location = response.headers.get("location", "")
        path = urlsplit(location).path or location
        raise errors.AuthError(f"the server redirected to a login page ({path or 'no location'})")
    if code in (401, 403):
        raise errors.AuthError(f"the server refused the credentials (HTTP {code})")
    if code >= 400:
        raise errors.HttpStatusError(code, f"the server answered HTTP {code} {response.reason_phrase}")


def decode_json(content_type: str, body: bytes, max_depth: int) -> Any:
    """The JSON value of an answer body; HTML means a login problem, anything unreadable a protocol error."""
    return loads_json(decode_text(content_type, body, max_depth))


def decode_text(content_type: str, body: bytes, max_depth: int) -> str:
    """The JSON text of an answer body, checked (not HTML or XML, UTF-8, depth and size in bounds).

    Apart from `loads_json` so a caller can let go of the bytes before the tree is built."""
    content_type = content_type.lower()
    head = body.lstrip()[:64].lower()
    if "xml" in content_type or head.startswith(b"<?xml"):
        raise errors.ProtocolError("the server answered XML, not JSON (ser=json was not honoured)")
    if "html" in content_type or head[:1] == b"<":
        raise errors.AuthError("the server answered with an HTML page, not JSON", probable=True)
    _check_shape(body, max_depth)
    try:
        return body.decode("utf-8-sig")  # a UTF-8 byte order mark before the JSON is tolerated
    except UnicodeDecodeError as exc:
        raise errors.ProtocolError(f"the answer is not valid UTF-8 (byte {exc.start})") from None


def loads_json(text: str) -> Any:
    """The JSON value of checked text (see `decode_text`); unreadable JSON is a protocol error."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise errors.ProtocolError("the JSON answer is nested too deeply") from None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise errors.ProtocolError("the JSON answer is truncated") from None
        raise errors.ProtocolError(f"the answer is not JSON ({exc.msg})") from None
    except ValueError:  # e.g. a number longer than Python's int-to-str digit limit
        raise errors.ProtocolError("the JSON answer holds a number too long to read") from None
    return data


def _check_shape(body: bytes, max_depth: int) -> None:
    """Refuse, before decoding, an answer nested deeper than `max_depth` or holding more than
    `MAX_JSON_VALUES` values. Byte-level and in C: no walk over a decoded tree."""
    # values and containers, from the punctuation: an upper bound (commas in strings count too)
    values = body.count(b",") + body.count(b"{") + body.count(b"[")
    if values > MAX_JSON_VALUES:
        raise errors.ProtocolError(f"the JSON answer holds too many values (over {MAX_JSON_VALUES:,})")
    if _depth_exceeds(body, max_depth):
        raise errors.ProtocolError(f"the JSON answer is nested too deeply (over {max_depth} levels)")


def _depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether the brackets outside strings nest deeper than `limit` (unbalanced input: False, and
    the JSON decoder says what is wrong with it)."""
    if b"\\" in body:  # escaped backslashes and quotes would confuse where strings end
        body = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    shape = body.translate(None, _KEEP_BRACKETS).replace(b'""', b"")
    if b'"' in shape:  # strings holding brackets: drop what is between each pair of quotes
        shape = b"".join(shape.split(b'"')[::2])
    for _ in range(limit):
        if not shape:
            return False
        # one level: every innermost pair goes ("0" keeps "[{}]" from losing two levels in a pass)
        shorter = shape.replace(b"{}", b"0").replace(b"[]", b"0").replace(b"0", b"")
        if len(shorter) == len(shape):
            return False  # unbalanced: not JSON
        shape = shorter
    return bool(shape) and len(shape.replace(b"{}", b"").replace(b"[]", b"")) < len(shape)


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a big answer is decoded, parsed or written.

    Building a million acyclic objects otherwise triggers collections that walk every object alive,
    again and again (about a third of the time of a 100,000-message batch). Safe across threads: the
    collector is enabled again, if it was, when the last user leaves.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def mib(n: int) -> str:
    """A byte size for messages: MiB, or KiB/bytes when smaller (never "0 MiB > 0 MiB")."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MiB"
    return f"{n / 1024:.0f} KiB" if n >= 1024 else f"{n} bytes"
