"""One request's way out through the login: the refusal guard, the session and the headers, read
when the request actually goes out (inside the concurrency gate), never while it waited."""

from __future__ import annotations

import asyncio
from typing import Protocol

import httpx

from slv_tui.slv import errors
from slv_tui.slv.jar import remember_cookies
from slv_tui.slv.modes import AuthMode
from slv_tui.slv.sessions import CsrfSession, FormSession, LoginGuard


class Logins(Protocol):
    """What a `Turn` needs of the client."""

    guard: LoginGuard
    verified: bool

    def headers(self, mode: AuthMode) -> dict[str, str]: ...

    def session(self, mode: AuthMode) -> FormSession | CsrfSession: ...

    async def log_in(self, mode: AuthMode, ticket: int) -> None: ...


class Turn:
    """One request's way out: the refusal guard, the login and the headers, read when it actually
    goes out (inside the concurrency gate), never while it waited; then its answer taken in."""

    def __init__(self, client: Logins, mode: AuthMode, ticket: int) -> None:
        self._client, self.mode, self._ticket = client, mode, ticket
        self.generation = -1
        """The session generation whose headers were sent (-1: nothing was sent)."""
        self._held: asyncio.Lock | None = None
        self._session: FormSession | CsrfSession | None = None
        self._served = False

    async def go_out(self) -> dict[str, str]:
        """The headers to send now: logs in first when the session is not logged in."""
        client, mode = self._client, self.mode
        client.guard.check(self._ticket)
        if mode in ("basic", "bearer"):  # every request is a login: a refusal stops those asked before
            self.generation = 0
            return client.headers(mode)
        session = client.session(mode)
        if isinstance(session, CsrfSession) and session.rotating:
            await self._hold(session.turn)
        if not session.logged_in:
            await client.log_in(mode, self._ticket)
        self.generation = session.generation
        self._session = session
        session.sending(self.generation)
        return client.headers(mode)

    def answered(self, response: httpx.Response, body: bytes) -> None:
        """Take what the answer says about the login (still inside the gate and any held lock)."""
        client, code = self._client, response.status_code
        remember_cookies(response)  # a renewed session cookie is a secret too
        html = "html" in response.headers.get("content-type", "").lower() or body.lstrip()[:1] == b"<"
        self._served = 200 <= code < 300 and not html
        if self.mode in ("basic", "bearer"):
            if code == 401 or (code == 403 and not client.verified):
                client.verified = False
                client.guard.refused(errors.AuthError(f"the server refused the credentials (HTTP {code})"))
            elif code != 403:
                client.verified = True
        elif isinstance(session := client.session(self.mode), CsrfSession):
            session.answered(response, self.generation)

    async def _hold(self, lock: asyncio.Lock) -> None:
        await lock.acquire()
        self._held = lock

    def _release(self) -> None:
        if self._held is not None:
            self._held.release()
            self._held = None

    async def __aenter__(self) -> Turn:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._release()
        if self._session is not None:
            self._session.done(self.generation, served=self._served)
            self._session = None
