"""The client's cookie jar, bounded in count and size, and what the log redaction learns from cookies.

A server may set cookies with new names on every answer: an unbounded jar grows a Cookie header
past any server's limit (HTTP 431 on everything). This jar keeps the newest cookies only.
"""

from __future__ import annotations

import itertools
from http.cookiejar import Cookie, CookieJar

import httpx

from slv_tui.common.logs import register_session_value

MAX_COOKIES = 50
"""Cookies kept at once (browsers keep about 180 per site; SLV itself sets one or two)."""
MAX_COOKIE_BYTES = 8 * 1024
"""Names and values of every cookie kept, together: the Cookie header stays well under the 8 KiB
many servers accept for all request headers."""
MAX_ONE_COOKIE = 4096
"""A single cookie larger than this is not kept (the limit browsers apply)."""


def _size(cookie: Cookie) -> int:
    return len(cookie.name) + len(cookie.value or "")


class BoundedCookieJar(CookieJar):
    """A `CookieJar` that keeps at most `MAX_COOKIES` cookies of at most `MAX_COOKIE_BYTES` in all,
    dropping the oldest first, and never one larger than `MAX_ONE_COOKIE`."""

    def __init__(self) -> None:
        super().__init__()
        self._order: dict[tuple[str, str, str], int] = {}
        self._counter = itertools.count()

    def set_cookie(self, cookie: Cookie) -> None:
        """Keep `cookie` (the newest), then drop the oldest ones past the bounds."""
        if _size(cookie) > MAX_ONE_COOKIE:
            return
        with self._cookies_lock:  # type: ignore[attr-defined]
            super().set_cookie(cookie)
            key = (cookie.domain, cookie.path, cookie.name)
            self._order.pop(key, None)
            self._order[key] = next(self._counter)
            self._trim()

    def _trim(self) -> None:
        kept = {(c.domain, c.path, c.name): c for c in self}
        for key in [k for k in self._order if k not in kept]:
            del self._order[key]  # expired or cleared by the jar itself
        total = sum(_size(c) for c in kept.values())
        while self._order and (len(self._order) > MAX_COOKIES or total > MAX_COOKIE_BYTES):
            oldest = next(iter(self._order))
            del self._order[oldest]
            total -= _size(kept[oldest])
            self.clear(*oldest)

    def clear(self, domain: str | None = None, path: str | None = None, name: str | None = None) -> None:
        """Like `CookieJar.clear`; with no argument the order is forgotten too."""
        if domain is None:
            self._order.clear()
        super().clear(domain, path, name)


def remember_cookies(response: httpx.Response) -> None:
    """Cookie names and values the server sets are secrets for the log redaction (values too short
    to be secrets go by name only)."""
    for name, value in response.cookies.items():
        register_session_value(value, name)
