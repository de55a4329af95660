"""Credentials and every SLV login generation: HTTP Basic, the form session, the 7.8+ CSRF session,
bearer tokens, and the one probe that tells them apart (`--auth auto`)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import httpx

from slv_tui.common.logs import register_secret
from slv_tui.slv.body import SMALL_BODY, read_body
from slv_tui.slv.errors import AuthError
from slv_tui.slv.jar import remember_cookies
from slv_tui.slv.modes import AUTH_CHOICES as AUTH_CHOICES  # re-exported: the names live in modes
from slv_tui.slv.modes import AUTH_MODES as AUTH_MODES
from slv_tui.slv.modes import MODE_LABELS as MODE_LABELS
from slv_tui.slv.modes import AuthChoice as AuthChoice
from slv_tui.slv.modes import AuthMode as AuthMode

log = logging.getLogger(__name__)

FORM_HINT = "if the server uses form login: --auth form"
BASIC_HINT = "if the server uses Basic auth: --auth basic"

CURRENT_USER_PATH = "/api/userprofile/getCurrentUser"
CSRF_HEADER = "X-CSRF-Token"
AJAX_HEADERS = {"X-Requested-With": "XMLHttpRequest"}


class Secret:
    """A password or token that never shows itself in repr, str, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself; call only where it goes onto the wire."""
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
    """Who we log in as, and how; in bearer mode `password` holds the token."""

    username: str
    password: Secret | None
    mode: AuthChoice = "basic"

    @property
    def secret_name(self) -> str:
        """What the secret is called in messages: "token" in bearer mode, else "password"."""
        return "token" if self.mode == "bearer" else "password"


def basic_header(creds: Credentials) -> dict[str, str]:
    """The HTTP Basic `Authorization` header (UTF-8, like httpx's BasicAuth)."""
    if creds.password is None:
        return {}
    pair = f"{creds.username}:{creds.password.reveal()}".encode()
    token = base64.b64encode(pair).decode("ascii")
    for known in (token, token.rstrip("=")):  # `Basic <token>` is never shown: in a log nor an output
        register_secret(known)
    return {"Authorization": f"Basic {token}"}


def bearer_header(creds: Credentials) -> dict[str, str]:
    """`Authorization: Bearer <token>`; a token no header can carry is an AuthError (one line)."""
    if creds.password is None:
        return {}
    token = creds.password.reveal()
    if not sendable(token):
        raise AuthError(
            "the token holds characters an HTTP header cannot carry (only visible ASCII);"
            " check SLV_TOKEN or the token source"
        )
    return {"Authorization": f"Bearer {token}"}


def sendable(value: str) -> bool:
    """Whether `value` can go into an HTTP header as it is: visible ASCII (and spaces) only."""
    return value.isascii() and value.isprintable()


async def small_get(
    http: httpx.AsyncClient,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    method: str = "GET",
    data: Mapping[str, str] | None = None,
) -> tuple[httpx.Response, bytes]:
    """Ask a login endpoint (GET, or POST with form `data`); its body is capped at `SMALL_BODY`."""
    async with http.stream(method, url, headers=dict(headers or {}), data=data) as response:
        body = await read_body(response, SMALL_BODY)
    remember_cookies(response)
    return response, body


def json_object(response: httpx.Response, body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None (HTML, not JSON, not an object)."""
    if "html" in response.headers.get("content-type", "").lower() or body.lstrip()[:1] == b"<":
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return cast(dict[str, Any], data) if isinstance(data, dict) else None


def user_name(user: Mapping[str, Any] | None) -> str | None:
    """The login the server reports for the current user (`login`, else `name`/`userName`)."""
    if not user:
        return None
    for key in ("login", "userName", "username", "name"):
        value = user.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)[:200]
    return None


def looks_like_login_page(response: httpx.Response, body: bytes) -> bool:
    """A redirect to a login page, or an HTML page that holds a login form."""
    if 300 <= response.status_code < 400:
        location = response.headers.get("location", "").lower()
        return "login" in location or "j_security_check" in location or "signin" in location
    head = body[:SMALL_BODY].lower()
    return head.lstrip()[:1] == b"<" and (b"j_security_check" in head or b"login" in head)


def handshake_headers(creds: Credentials) -> dict[str, str]:
    """The headers of the CSRF handshake, also those of the auto-detection probe."""
    return {**basic_header(creds), CSRF_HEADER: "Fetch", **AJAX_HEADERS}


@dataclass(frozen=True, slots=True)
class Probe:
    """What one probe of getCurrentUser found out."""

    mode: AuthMode
    note: str | None = None
    """Set when the server could not be told apart and basic is assumed."""
    user: dict[str, Any] | None = None


def judge_probe(response: httpx.Response, body: bytes) -> Probe:
    """Which mode a server speaks, from its answer to the handshake request (see `handshake_headers`).

    An `X-CSRF-Token` header means csrf; a JSON user without it basic; a login page or a redirect to
    one form. A refusal is an AuthError (the mode stays unknown, so a new password probes again).
    """
    code = response.status_code
    token = response.headers.get(CSRF_HEADER, "").strip()
    if 200 <= code < 300 and token and token.lower() not in ("fetch", "required"):
        return Probe("csrf")
    if looks_like_login_page(response, body):
        return Probe("form")
    if code in (401, 403):
        challenge = response.headers.get("www-authenticate", "").lower()
        if challenge.startswith("bearer"):
            raise AuthError("the server asks for a bearer token (--auth bearer with SLV_TOKEN)")
        raise AuthError(f"the server refused the credentials (HTTP {code})")
    user = json_object(response, body) if 200 <= code < 300 else None
    if user is not None:
        return Probe("basic", user=user)
    why = f"HTTP {code}" if not 200 <= code < 300 else "an answer that is neither JSON nor a login page"
    return Probe("basic", note=f"could not tell the login mode ({why} from getCurrentUser); using basic")
