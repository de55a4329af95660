"""Credentials and the two documented SLV login modes (HTTP Basic, form login with a cookie session)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import httpx

from slv_tui.slv.errors import AuthError
from slv_tui.slv.modes import AUTH_MODES as AUTH_MODES  # re-exported: the names moved to modes
from slv_tui.slv.modes import AuthMode as AuthMode

FORM_HINT = "if the server uses form login: --auth form"
BASIC_HINT = "if the server uses Basic auth: --auth basic"


class Secret:
    """A password that never shows itself in repr, str, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The password itself; call only where it goes onto the wire."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who we log in as, and how."""

    username: str
    password: Secret | None
    mode: AuthMode = "basic"


class FormSession:
    """Form login (auth.json → j_security_check → auth.json) with one shared cookie session."""

    def __init__(self, base_url: str) -> None:
        self._base = base_url
        self._lock = asyncio.Lock()
        self.generation = 0
        """Incremented at every successful login, so concurrent failures re-login only once."""
        self.logged_in = False

    async def login(self, http: httpx.AsyncClient, creds: Credentials, seen_generation: int) -> None:
        """Log in unless another task already did since `seen_generation`."""
        async with self._lock:
            if self.logged_in and self.generation != seen_generation:
                return
            self.logged_in = False
            if creds.password is None:
                raise AuthError("no password is set")
            await self._get_auth_json(http)
            await http.post(
                f"{self._base}/j_security_check",
                data={"j_username": creds.username, "j_password": creds.password.reveal()},
            )
            answer = await self._get_auth_json(http)
            if answer is None:
                raise AuthError(f"the server has no form login (auth.json is not JSON); {BASIC_HINT}")
            if not answer:
                raise AuthError("the server refused the user name or password (form login)")
            self.generation += 1
            self.logged_in = True

    async def _get_auth_json(self, http: httpx.AsyncClient) -> bool | None:
        """Whether auth.json says the session is logged in; None when it is not a JSON object at all."""
        response = await http.get(f"{self._base}/auth.json")
        try:
            answer = json.loads(response.content)
        except (ValueError, RecursionError):
            return None
        if not isinstance(answer, dict):
            return None
        return str(answer.get("authenticated")).lower() == "true"
