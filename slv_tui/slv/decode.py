"""From an HTTP answer to a JSON value: status checks, HTML/XML detection, encoding, size and depth."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from slv_tui.slv import errors


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
    content_type = content_type.lower()
    head = body.lstrip()[:64].lower()
    if "xml" in content_type or head.startswith(b"<?xml"):
        raise errors.ProtocolError("the server answered XML, not JSON (ser=json was not honoured)")
    if "html" in content_type or head[:1] == b"<":
        raise errors.AuthError("the server answered with an HTML page, not JSON", probable=True)
    try:
        text = body.decode("utf-8-sig")  # a UTF-8 byte order mark before the JSON is tolerated
    except UnicodeDecodeError as exc:
        raise errors.ProtocolError(f"the answer is not valid UTF-8 (byte {exc.start})") from None
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
    if _depth_exceeds(data, max_depth):
        raise errors.ProtocolError(f"the JSON answer is nested too deeply (over {max_depth} levels)")
    return data


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def mib(n: int) -> str:
    """A byte size for messages: MiB, or KiB/bytes when smaller (never "0 MiB > 0 MiB")."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MiB"
    return f"{n / 1024:.0f} KiB" if n >= 1024 else f"{n} bytes"
