"""How to reach one SLV server: URL, credentials, limits, and the warnings they deserve."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from slv_tui.slv.auth import Credentials, Secret

DEFAULT_MAX_BODY = 64 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """Everything needed to talk to one server."""

    url: str
    credentials: Credentials
    timeout: float = 10.0
    verify: bool = True
    ca_bundle: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY
    max_depth: int = DEFAULT_MAX_DEPTH
    concurrency: int = 4
    """At most this many requests are handed to httpx at once (one semaphore, one pool of this size)."""

    @property
    def base_url(self) -> str:
        """The CMS URL without a trailing slash; API paths are appended to it."""
        return self.url.rstrip("/")

    def warnings(self) -> list[str]:
        """Loud, one-line warnings about risky connection settings."""
        found = []
        if not self.verify:
            found.append("TLS certificate verification is OFF (--insecure or verify = false)")
        parts = urlsplit(self.url)
        if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
            how = {"basic": "Basic auth", "form": "form login", "csrf": "the CSRF login"}
            how["bearer"] = "a bearer token"
            what = self.credentials.secret_name
            found.append(
                f"{how.get(self.credentials.mode, 'login')} over plain http:"
                f" the {what} crosses the network unencrypted"
            )
        return found

    def with_password(self, password: Secret) -> ClientSettings:
        """The same settings with another password."""
        return replace(self, credentials=replace(self.credentials, password=password))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
