"""Every SLV login generation: HTTP Basic, form login with a session cookie, the 7.8+ CSRF session
(a handshake on getCurrentUser gives cookie + token) and bearer tokens."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

COOKIE = "JSESSIONID"
CSRF_NEXT = web.RequestKey("csrf_next", str)
"""Where `csrf_ok` leaves a rotated session's next token for the answer's header."""


@dataclass
class Session:
    """One session: whether it is logged in, when it was last used, its CSRF token and use count."""

    authenticated: bool
    last_used: float
    generation: int
    token: str | None = None
    uses: int = 0


class Authenticator:
    """Checks credentials and keeps form-login sessions (idle timeout on the injected clock)."""

    def __init__(
        self,
        username: str,
        password: str,
        ttl: float,
        clock: Callable[[], float],
        *,
        token: str = "",
        max_uses: int | None = None,
        rotate: bool = False,
    ) -> None:
        """Remember the accepted credentials and token, the session idle timeout, the clock, after
        how many API calls a CSRF session dies (None: never), and whether every accepted CSRF call
        answers a new token (the old one dies at once)."""
        self._username = username
        self._password = password
        self._token = token
        self._ttl = ttl
        self._clock = clock
        self._max_uses = max_uses
        self._rotate = rotate
        self._sessions: dict[str, Session] = {}
        self._generation = 0
        self.handshakes = 0
        """CSRF handshakes that succeeded (a new session with a token)."""
        self.handed_out: list[str] = []
        """Every session cookie and CSRF token given to a client (tests search logs for them)."""

    def change_password(self, password: str) -> None:
        """Accept another password from now on; every session ends (an operator changed it)."""
        self._password = password
        self.expire_all()

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

    def bearer_ok(self, request: web.Request) -> bool:
        """True when the request carries the accepted bearer token."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), self._token.encode())
        return ok and bool(self._token)

    def csrf_handshake(self, response: web.StreamResponse, prefix: str) -> None:
        """A new CSRF session: cookie and `X-CSRF-Token` header on the response."""
        sid = self.new_session(response, prefix, auth=True)
        token = secrets.token_urlsafe(24)
        self._sessions[sid].token = token
        response.headers["X-CSRF-Token"] = token
        self.handshakes += 1
        self.handed_out.append(token)

    def csrf_ok(self, request: web.Request) -> bool:
        """True when the request's cookie names a live session and it sends that session's token;
        each such call uses the session up by one (it dies after `max_uses`). With `rotate`, the
        session's next token is left in `request[CSRF_NEXT]` for the answer's header."""
        found = self.session(request)
        if found is None or found[1].token is None:
            return False
        sid, session = found
        assert session.token is not None
        sent = request.headers.get("X-CSRF-Token", "")
        if not hmac.compare_digest(sent.encode(), session.token.encode()):
            return False
        session.uses += 1
        if self._rotate:
            session.token = request[CSRF_NEXT] = secrets.token_urlsafe(24)
            self.handed_out.append(session.token)
        if self._max_uses is not None and session.uses >= self._max_uses:
            del self._sessions[sid]  # this call is still answered; the next one is refused
        return True

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
        self.handed_out.append(sid)
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
