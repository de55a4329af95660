"""The client's cookie jar, bounded in count and size, and what the log redaction learns from cookies.

A server may set cookies with new names on every answer: an unbounded jar grows a Cookie header
past any server's limit (HTTP 431 on everything). This jar keeps the newest cookies only.
"""

from __future__ import annotations

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
    dropping the oldest first, and never one larger than `MAX_ONE_COOKIE`. Each cookie set costs
    the same, however many came before."""

    def __init__(self) -> None:
        super().__init__()
        self._sizes: dict[tuple[str, str, str], int] = {}
        """(domain, path, name) -> size of every cookie kept, oldest first."""
        self._total = 0

    def set_cookie(self, cookie: Cookie) -> None:
        """Keep `cookie` (the newest), then drop the oldest ones past the bounds."""
        size = _size(cookie)
        if size > MAX_ONE_COOKIE:
            return
        with self._cookies_lock:  # type: ignore[attr-defined]
            super().set_cookie(cookie)
            key = (cookie.domain, cookie.path, cookie.name)
            self._total += size - self._sizes.pop(key, 0)
            self._sizes[key] = size
            while len(self._sizes) > MAX_COOKIES or self._total > MAX_COOKIE_BYTES:
                self.clear(*next(iter(self._sizes)))

    def clear(self, domain: str | None = None, path: str | None = None, name: str | None = None) -> None:
        """Like `CookieJar.clear`, keeping the sizes in step."""
        gone = [
            key
            for key in self._sizes
            if domain is None or (key[0] == domain and path in (None, key[1]) and name in (None, key[2]))
        ]
        for key in gone:
            self._total -= self._sizes.pop(key)
        super().clear(domain, path, name)


def remember_cookies(response: httpx.Response) -> None:
    """Cookie names and values the server sets are secrets for the log redaction (values too short
    to be secrets go by name only). Read from the headers: linear in their length."""
    for header in response.headers.get_list("set-cookie"):
        name, _, value = header.partition(";")[0].partition("=")
        register_session_value(value.strip().strip('"'), name.strip())
