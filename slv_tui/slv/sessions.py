"""The shared login sessions (form and CSRF) and the guard that makes one refused login the last
one a run sends: every request asked for before the refusal gives up without a request of its own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from slv_tui.common.logs import register_session_value
from slv_tui.slv.auth import (
    AJAX_HEADERS,
    BASIC_HINT,
    CSRF_HEADER,
    CURRENT_USER_PATH,
    Credentials,
    Secret,
    handshake_headers,
    json_object,
    sendable,
    small_get,
)
from slv_tui.slv.errors import AuthError

log = logging.getLogger(__name__)


class Withheld(AuthError):
    """A request given up unsent: a login was refused since it was asked for."""


class LoginRefused(AuthError):
    """The server refused the user name or password at a login (not a mode it does not speak)."""


class LoginGuard:
    """Counts refused logins. A request takes a `ticket` when it is asked for; once a login has been
    refused since then, `check` fails it at once with the same one line: a wrong password costs one
    failed login per run, never one per batch (real CMSs lock accounts after a few). A request asked
    for later (the poller's next try, allowed by its backoff) goes out again; so does every request
    after a new password (`reset`) or a login that worked (`accepted`)."""

    def __init__(self) -> None:
        self._refusals = 0
        self._detail: str | None = None

    def ticket(self) -> int:
        """Taken when a request is asked for."""
        return self._refusals

    def check(self, ticket: int) -> None:
        """Raise the last refusal if one came after `ticket` was taken."""
        if self._detail is not None and ticket < self._refusals:
            raise Withheld(self._detail)

    def refused(self, error: AuthError) -> None:
        """A login (or, in basic and bearer mode, a request) was refused."""
        self._refusals += 1
        self._detail = error.detail

    def accepted(self) -> None:
        """A login worked: nothing is held back any more."""
        self._detail = None

    reset = accepted
    """A new password: every request may try it."""


class _SharedSession:
    """A session shared by every concurrent request: one login at a time, and once per failure."""

    def __init__(self, base_url: str, guard: LoginGuard) -> None:
        self._base = base_url
        self._guard = guard
        self._lock = asyncio.Lock()
        self.generation = 0
        """Incremented at every successful login (and every new CSRF token), so concurrent failures
        log in again only once."""
        self.logged_in = False
        self._calls: dict[int, list[int]] = {}
        """generation -> [calls in flight, calls answered with something else than a refusal]."""
        self._idle: dict[int, asyncio.Event] = {}

    def sending(self, generation: int) -> None:
        """A call of `generation` goes out."""
        calls = self._calls.setdefault(generation, [0, 0])
        calls[0] += 1
        self._idle.setdefault(generation, asyncio.Event()).clear()
        for old in [g for g in self._calls if g < generation - 8]:
            del self._calls[old]
            self._idle.pop(old).set()

    def done(self, generation: int, *, served: bool) -> None:
        """A call of `generation` came back (`served`: answered, not refused) or failed."""
        calls = self._calls.get(generation)
        if calls is None:
            return
        calls[0] -= 1
        calls[1] += served
        if calls[0] <= 0:
            self._idle[generation].set()

    async def served(self, generation: int) -> bool:
        """Whether `generation` answered any call, once none of its calls is in flight any more: a
        session that ends after a few calls served some; one refused from its start served none."""
        idle = self._idle.get(generation)
        if idle is not None:
            await idle.wait()
        return self._calls.get(generation, [0, 0])[1] > 0

    async def login(
        self, http: httpx.AsyncClient, creds: Credentials, seen_generation: int, ticket: int
    ) -> None:
        """Log in unless another task already did since `seen_generation`, or a login was refused
        since `ticket` (then the refusal is raised again, and nothing is sent)."""
        async with self._lock:
            self._guard.check(ticket)
            if self.logged_in and self.generation != seen_generation:
                return
            self.logged_in = False
            if creds.password is None:
                raise AuthError("no password is set")
            try:
                await self._log_in(http, creds, creds.password)
            except AuthError as exc:
                self._guard.refused(exc)
                raise
            self._guard.accepted()

    def ended(self, generation: int) -> None:
        """A call of `generation` was refused: unless a newer session exists, the next call logs in."""
        if generation == self.generation:
            self.logged_in = False

    async def _log_in(self, http: httpx.AsyncClient, creds: Credentials, password: Secret) -> None:
        """The login itself; on success it bumps `generation` and sets `logged_in`."""
        raise NotImplementedError


class FormSession(_SharedSession):
    """Form login (auth.json → j_security_check → auth.json) with one shared cookie session."""

    def headers(self) -> dict[str, str]:
        """Headers every call of the session sends (the cookie travels in the client's jar)."""
        return {}

    async def _log_in(self, http: httpx.AsyncClient, creds: Credentials, password: Secret) -> None:
        """auth.json, then the form post, then auth.json again to see whether it took."""
        await self._get_auth_json(http)
        await small_get(
            http,
            f"{self._base}/j_security_check",
            method="POST",
            data={"j_username": creds.username, "j_password": password.reveal()},
        )
        answer = await self._get_auth_json(http)
        if answer is None:
            raise AuthError(f"the server has no form login (auth.json is not JSON); {BASIC_HINT}")
        if not answer:
            raise LoginRefused("the server refused the user name or password (form login)")
        self.generation += 1
        self.logged_in = True

    async def still_logged_in(self, http: httpx.AsyncClient) -> bool:
        """Whether auth.json still reports the session logged in (unknown counts as logged in)."""
        return await self._get_auth_json(http) is not False

    async def _get_auth_json(self, http: httpx.AsyncClient) -> bool | None:
        """Whether auth.json says the session is logged in; None when it is not a JSON object at all."""
        response, body = await small_get(http, f"{self._base}/auth.json")
        answer = json_object(response, body)
        if answer is None:
            return None
        return str(answer.get("authenticated")).lower() == "true"


class CsrfSession(_SharedSession):
    """The SLV 7.8+ session: one handshake (Basic + `X-CSRF-Token: Fetch` on getCurrentUser) gives a
    cookie and a CSRF token that every later call sends; shared by every concurrent request."""

    def __init__(self, base_url: str, guard: LoginGuard) -> None:
        super().__init__(base_url, guard)
        self._token: Secret | None = None
        self.user: dict[str, Any] | None = None
        """The current user the last handshake reported."""
        self.rotating = False
        """The server answers a new token on every call (the old one dies): calls go one at a time."""
        self.turn = asyncio.Lock()
        """Held from reading the token to taking the next one, while `rotating`."""

    def headers(self) -> dict[str, str]:
        """The token and `X-Requested-With` (the session cookie travels in the client's jar)."""
        token = self._token.reveal() if self._token is not None else ""
        return {CSRF_HEADER: token, **AJAX_HEADERS}

    async def _log_in(self, http: httpx.AsyncClient, creds: Credentials, password: Secret) -> None:
        """The handshake (its answer is adopted like the probe's)."""
        http.cookies.clear()  # a dead session's cookie must not be sent with the new handshake
        response, body = await small_get(http, self._base + CURRENT_USER_PATH, handshake_headers(creds))
        self.adopt(response, body)

    def adopt(self, response: httpx.Response, body: bytes) -> None:
        """Take the cookie and token of a handshake answer (the probe's, or our own)."""
        code = response.status_code
        if code in (401, 403):
            raise LoginRefused(f"the server refused the user name or password (CSRF session, HTTP {code})")
        if 300 <= code < 400 or code >= 400:
            raise AuthError(f"the CSRF handshake failed (HTTP {code}); {BASIC_HINT}")
        token = response.headers.get(CSRF_HEADER, "").strip()
        if not token or token.lower() in ("fetch", "required"):
            raise AuthError(f"the server sent no CSRF token; {BASIC_HINT}")
        self._token = Secret(_checked(token))
        self.user = json_object(response, body)
        self.generation += 1
        self.logged_in = True
        log.info("CSRF session established (handshake %d)", self.generation)

    def answered(self, response: httpx.Response, generation: int) -> None:
        """A call of `generation` was answered: a new token in a good answer replaces the current one
        (a server rotating tokens), and from then on calls go one at a time."""
        token = response.headers.get(CSRF_HEADER, "").strip()
        current = self._token.reveal() if self._token is not None else ""
        if not token or token == current or token.lower() in ("fetch", "required"):
            return
        if not 200 <= response.status_code < 300 or generation != self.generation:
            return
        self._token = Secret(_checked(token))
        self.generation += 1
        if not self.rotating:
            log.info("the server answers a new CSRF token on every call; calls go one at a time")
        self.rotating = True


def _checked(token: str) -> str:
    """A CSRF token the client can send back (registered for the log redaction), or an AuthError."""
    if not sendable(token):
        raise AuthError(
            "the server sent a CSRF token with characters an HTTP header cannot carry (not ASCII)"
        )
    register_session_value(token)
    return token
