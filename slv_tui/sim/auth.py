"""The two documented SLV authentication modes: HTTP Basic and form login with a session cookie."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

COOKIE = "JSESSIONID"


@dataclass
class Session:
    """One form-login session: whether it is logged in and when it was last used."""

    authenticated: bool
    last_used: float
    generation: int


class Authenticator:
    """Checks credentials and keeps form-login sessions (idle timeout on the injected clock)."""

    def __init__(self, username: str, password: str, ttl: float, clock: Callable[[], float]) -> None:
        """Remember the accepted credentials, the session idle timeout and the clock."""
        self._username = username
        self._password = password
        self._ttl = ttl
        self._clock = clock
        self._sessions: dict[str, Session] = {}
        self._generation = 0

    def credentials_ok(self, username: str, password: str) -> bool:
        """True when username and password are the accepted ones (constant-time compare)."""
        user_ok = hmac.compare_digest(username.encode(), self._username.encode())
        return hmac.compare_digest(password.encode(), self._password.encode()) and user_ok

    def basic_ok(self, request: web.Request) -> bool:
        """True when the request carries valid HTTP Basic credentials."""
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        username, sep, password = decoded.partition(":")
        return bool(sep) and self.credentials_ok(username, password)

    def expire_all(self) -> None:
        """Invalidate every existing session (safe to call from another thread)."""
        self._generation += 1

    def clear(self) -> None:
        """Forget every session (a server restart)."""
        self._sessions = {}

    def session(self, request: web.Request) -> tuple[str, Session] | None:
        """The live session named by the request's cookie, or None if absent or expired."""
        sid = request.cookies.get(COOKIE)
        found = self._sessions.get(sid) if sid else None
        if sid is None or found is None:
            return None
        now = self._clock()
        if found.generation != self._generation or now - found.last_used > self._ttl:
            del self._sessions[sid]
            return None
        found.last_used = now
        return sid, found

    def new_session(self, response: web.StreamResponse, prefix: str, *, auth: bool) -> str:
        """Create a session and set its cookie on the response."""
        sid = secrets.token_hex(16).upper()
        self._sessions[sid] = Session(auth, self._clock(), self._generation)
        response.set_cookie(COOKIE, sid, path=prefix or "/", httponly=True)
        return sid

    def authenticated(self, request: web.Request) -> bool:
        """True when the request belongs to a live, logged-in session."""
        found = self.session(request)
        return found is not None and found[1].authenticated

    def login(self, request: web.Request, response: web.StreamResponse, prefix: str) -> None:
        """Log the request's session in, rotating its id as Tomcat does."""
        found = self.session(request)
        if found is not None:
            del self._sessions[found[0]]
        self.new_session(response, prefix, auth=True)
