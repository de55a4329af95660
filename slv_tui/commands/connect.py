"""From settings to a client: the server URL checked, the login mode, the client's settings (no Textual)."""

from __future__ import annotations

import os
import ssl
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from slv_tui.common.sanitize import clean
from slv_tui.settings.config import ConfigError, Settings, check_files
from slv_tui.settings.credentials import find_secret
from slv_tui.settings.keystore import Kind
from slv_tui.slv.auth import Credentials
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.slv.modes import AuthChoice


class UsageError(Exception):
    """A usage or configuration problem: exit 2 before any request."""


def secret_kind(settings: Settings) -> Kind:
    """What the login needs: a token for bearer, else a password."""
    return "token" if auth_mode(settings) == "bearer" else "password"


def connect(
    settings: Settings,
    *,
    interactive: bool = False,
    warn: bool = True,
    env: Mapping[str, str] | None = None,
) -> ClientSettings:
    """The client's settings: URL and files checked, the secret found (asked for on a terminal unless
    `interactive`: the dashboard asks in its own dialog); warnings on stderr when `warn`. `env`
    given: a profile named by `PROFILE:ID`, which the SLV_* variables are not for."""
    auth = auth_mode(settings, None if env is None else dict(env))
    kind: Kind = "token" if auth == "bearer" else "password"
    check_url(settings.url)
    check_files(settings)
    secret = find_secret(settings, kind, prompt=not interactive, env=env)
    if secret is None and not interactive:
        raise UsageError(_no_secret(settings, kind, named=env is not None))
    client_settings = ClientSettings(
        url=check_url(settings.url),
        credentials=Credentials(settings.username, secret, auth),
        timeout=settings.timeout,
        verify=settings.verify,
        ca_bundle=settings.ca_bundle,
        concurrency=settings.concurrency,
    )
    if warn:
        name = f" ({clean(settings.profile)})" if env is not None else ""
        for warning in client_settings.warnings():
            print(clean(f"slv-tui: warning{name}: {warning}"), file=sys.stderr)
    return client_settings


def connect_client(settings: Settings, env: Mapping[str, str] | None) -> SlvClient:
    """One server's client for the script commands (`PROFILE:ID`: `env` without the SLV_* secrets)."""
    return new_client(connect(settings, env=env))


def _no_secret(settings: Settings, kind: Kind, *, named: bool) -> str:
    """Where to put the missing password or token, in one line."""
    var = "SLV_TOKEN" if kind == "token" else "SLV_PASSWORD"
    if named:
        name = settings.profile
        return (
            f"no {kind} for profile {name!r}: run 'slv-tui login --profile {name}', give the profile a"
            f" {kind}_command, or run in a terminal ({var} is for the --profile server only)"
        )
    if sys.stdin.isatty():
        return f"no {kind} entered (or set {var}, 'slv-tui login', or a {kind}_command)"
    sources = f"run 'slv-tui login', give the profile a {kind}_command, or run in a terminal"
    return f"no {kind} given: set {var}, {sources}"


def check_url(url: str | None) -> str:
    """The server URL, stripped, or a one-line UsageError; a password in it is never shown."""
    if not url or not url.strip():
        raise UsageError(
            "no server URL: give --url, set SLV_URL, or set url in the config profile"
            " (`slv-tui paths` shows where; see config.example.toml), or try `slv-tui --demo`"
        )
    url = url.strip()
    expected = "expected http(s)://host[:port][/path]"
    try:
        parts = urlsplit(url)
        shown = repr(_without_userinfo(url, parts.netloc))
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise UsageError(f"invalid server URL {shown}: {expected}")
        if parts.username is not None or parts.password is not None:
            raise UsageError(
                f"invalid server URL {shown}: it must not hold a user name or password;"
                " use --user and SLV_PASSWORD (or the profile's password_command)"
            )
        if parts.query or parts.fragment or url.endswith(("?", "#")):
            raise UsageError(f"invalid server URL {shown}: no ?query or #fragment allowed; {expected}")
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number from 0 to 65535
        # What the client will build: control characters, a malformed IDN (xn--); .host decodes the IDN
        # (idna.IDNAError is a ValueError).
        httpx.URL(url).host  # noqa: B018
    except (ValueError, httpx.InvalidURL) as exc:
        shown = repr(_without_userinfo(url, None))
        raise UsageError(f"invalid server URL {shown}: {clean(str(exc))}; {expected}") from None
    return url


def _without_userinfo(url: str, netloc: str | None) -> str:
    """The URL with any `user:password@` replaced, for messages."""
    if netloc is None:
        _scheme, sep, rest = url.partition("://")
        netloc = rest.split("/", 1)[0] if sep else ""
    if "@" not in netloc:
        return url
    return url.replace(netloc, "***@" + netloc.rsplit("@", 1)[1], 1)


def auth_mode(settings: Settings, env: dict[str, str] | None = None) -> AuthChoice:
    """The login mode asked for; `auto` with SLV_TOKEN set (and no SLV_PASSWORD) means bearer."""
    env = dict(os.environ) if env is None else env
    if settings.auth == "auto" and env.get("SLV_TOKEN") and not env.get("SLV_PASSWORD"):
        return "bearer"
    return settings.auth


def new_client(client_settings: ClientSettings) -> SlvClient:
    """The HTTP client; an unreadable CA bundle is a configuration error, not a traceback."""
    try:
        return SlvClient(client_settings)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
        raise ConfigError(f"ca_bundle {client_settings.ca_bundle}: cannot load it ({reason})") from None


def use_color() -> bool:
    """Colour on stdout: a terminal, no NO_COLOR, not TERM=dumb."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
