"""The HTTP client for one SLV server: one reused connection pool, auth, limits, and error mapping."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Self
from urllib.parse import urlsplit

import httpx

from slv_tui import __version__
from slv_tui.sanitize import clean
from slv_tui.slv import errors
from slv_tui.slv.auth import Credentials, FormSession, Secret
from slv_tui.slv.model import Batch
from slv_tui.slv.parse import parse_batch

log = logging.getLogger(__name__)
body_log = logging.getLogger("slv_tui.bodies")
"""Response bodies (first 2 KiB); enabled only by --debug (see `slv_tui.logs.setup_logging`)."""
DEBUG_BODY_BYTES = 2048

BATCH_PATH = "/api/batch/getBatchResult"
DEFAULT_MAX_BODY = 64 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64
OFFLOAD_BYTES = 512 * 1024
"""Answers larger than this are decoded in a worker thread so the event loop (and the UI) never stalls."""
USER_AGENT = f"slv-tui/{__version__} httpx/{httpx.__version__}"


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
    max_connections: int = 8

    @property
    def base_url(self) -> str:
        """The CMS URL without a trailing slash; API paths are appended to it."""
        return self.url.rstrip("/")

    def warnings(self) -> list[str]:
        """Loud, one-line warnings about risky connection settings."""
        found = []
        if not self.verify:
            found.append("TLS certificate verification is OFF (--insecure)")
        parts = urlsplit(self.url)
        if parts.scheme == "http" and not _is_loopback(parts.hostname or ""):
            how = "Basic auth" if self.credentials.mode == "basic" else "form login"
            found.append(f"{how} over plain http: the password crosses the network unencrypted")
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


class SlvClient:
    """Fetches batches from one SLV server over one keep-alive `httpx.AsyncClient`."""

    def __init__(
        self, settings: ClientSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self._form = FormSession(settings.base_url)
        verify: ssl.SSLContext | bool = settings.verify
        if settings.verify and settings.ca_bundle:
            verify = ssl.create_default_context(cafile=settings.ca_bundle)
        creds = settings.credentials
        auth = None
        if creds.mode == "basic" and creds.password is not None:
            auth = httpx.BasicAuth(creds.username, creds.password.reveal())
        self._http = httpx.AsyncClient(
            auth=auth,
            verify=verify,
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(max_connections=settings.max_connections),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
            transport=transport,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    def set_password(self, password: Secret) -> None:
        """Use another password from now on (the UI's password prompt)."""
        self.settings = self.settings.with_password(password)
        if self.settings.credentials.mode == "basic":
            self._http.auth = httpx.BasicAuth(self.settings.credentials.username, password.reveal())
        self._form.logged_in = False

    async def get_batch(self, batch_id: str) -> Batch:
        """Fetch and parse one batch; raises an `SlvError` subclass on any failure."""
        creds = self.settings.credentials
        if creds.password is None:
            raise errors.AuthError("no password is set")
        if creds.mode == "basic":
            return await self._fetch(batch_id)
        if not self._form.logged_in:
            with _mapped_errors():
                await self._form.login(self._http, creds, self._form.generation)
        generation = self._form.generation
        try:
            return await self._fetch(batch_id)
        except errors.AuthError:
            log.info("session refused; logging in again")
            with _mapped_errors():
                await self._form.login(self._http, creds, generation)
            return await self._fetch(batch_id)

    async def _fetch(self, batch_id: str) -> Batch:
        url = self.settings.base_url + BATCH_PATH
        started = time.perf_counter()
        try:
            with _mapped_errors():
                async with self._http.stream(
                    "GET", url, params={"batchId": batch_id, "ser": "json"}
                ) as response:
                    body = await self._read_capped(response)
        except errors.SlvError as exc:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.warning("GET %s batchId=%s failed in %.0f ms: %s", url, batch_id, elapsed_ms, exc)
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info("GET %s batchId=%s -> %s in %.0f ms", url, batch_id, response.status_code, elapsed_ms)
        if body_log.isEnabledFor(logging.DEBUG):
            head = body[:DEBUG_BODY_BYTES].decode("utf-8", errors="replace")
            body_log.debug("body of batchId=%s (%d bytes): %s", batch_id, len(body), clean(head))
        try:
            _check_status(response)
            if len(body) > OFFLOAD_BYTES:
                return await asyncio.to_thread(self._read_batch, response, body, batch_id)
            return self._read_batch(response, body, batch_id)
        except errors.SlvError as exc:
            log.warning("GET %s batchId=%s: %s", url, batch_id, exc)
            raise

    def _read_batch(self, response: httpx.Response, body: bytes, batch_id: str) -> Batch:
        return parse_batch(self._decode(response, body), batch_id)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self.settings.max_body_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise errors.ProtocolError(f"the answer is too large ({_mib(int(declared))} > {_mib(cap)})")
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > cap:
                raise errors.ProtocolError(f"the answer is too large (over {_mib(cap)})")
            chunks.append(chunk)
        return b"".join(chunks)

    def _decode(self, response: httpx.Response, body: bytes) -> Any:
        content_type = response.headers.get("content-type", "").lower()
        head = body.lstrip()[:64].lower()
        if "xml" in content_type or head.startswith(b"<?xml"):
            raise errors.ProtocolError("the server answered XML, not JSON (ser=json was not honoured)")
        if "html" in content_type or head[:1] == b"<":
            raise errors.AuthError("the server answered with an HTML page, not JSON")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise errors.ProtocolError(f"the answer is not valid UTF-8 (byte {exc.start})") from None
        try:
            data = json.loads(text)
        except RecursionError:
            raise errors.ProtocolError("the JSON answer is nested too deeply") from None
        except json.JSONDecodeError as exc:
            if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
                raise errors.ProtocolError("the JSON answer is truncated") from None
            raise errors.ProtocolError(f"the answer is not JSON ({exc.msg})") from None
        except ValueError:  # e.g. a number longer than Python's int-to-str digit limit
            raise errors.ProtocolError("the JSON answer holds a number too long to read") from None
        if _depth_exceeds(data, self.settings.max_depth):
            raise errors.ProtocolError(
                f"the JSON answer is nested too deeply (over {self.settings.max_depth} levels)"
            )
        return data


def _check_status(response: httpx.Response) -> None:
    code = response.status_code
    if 300 <= code < 400:
        location = response.headers.get("location", "")
        path = urlsplit(location).path or location
        raise errors.AuthError(f"the server redirected to a login page ({path or 'no location'})")
    if code in (401, 403):
        raise errors.AuthError(f"the server refused the credentials (HTTP {code})")
    if code >= 400:
        raise errors.HttpStatusError(code, f"the server answered HTTP {code} {response.reason_phrase}")


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _mib(n: int) -> str:
    """A byte size for messages: MiB, or KiB/bytes when smaller (never "0 MiB > 0 MiB")."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MiB"
    return f"{n / 1024:.0f} KiB" if n >= 1024 else f"{n} bytes"


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """Turn httpx and OS exceptions into the `SlvError` taxonomy, with no traceback for users."""
    try:
        yield
    except errors.SlvError:
        raise
    except httpx.TimeoutException:
        raise errors.TimeoutError("the server did not answer in time") from None
    except httpx.ConnectError as exc:
        if _is_tls(exc):
            raise errors.TlsError(_tls_reason(exc)) from None
        raise errors.ConnectError(_connect_reason(exc)) from None
    except httpx.RemoteProtocolError:
        raise errors.ProtocolError("the answer was cut off before it was complete") from None
    except (httpx.ReadError, httpx.WriteError, httpx.NetworkError):
        raise errors.ConnectError("the connection was reset while reading the answer") from None
    except httpx.DecodingError:
        raise errors.ProtocolError("the answer's content encoding is invalid") from None
    except httpx.HTTPError as exc:
        raise errors.ProtocolError(type(exc).__name__) from None
    except ssl.SSLError as exc:
        raise errors.TlsError(exc.reason or "handshake failed") from None
    except OSError as exc:
        raise errors.ConnectError(exc.strerror or type(exc).__name__) from None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_tls(exc: BaseException) -> bool:
    return any(isinstance(e, ssl.SSLError) for e in _chain(exc))


def _tls_reason(exc: BaseException) -> str:
    for e in _chain(exc):
        if isinstance(e, ssl.SSLCertVerificationError):
            return f"certificate verification failed ({e.verify_message})"
        if isinstance(e, ssl.SSLError):
            return e.reason or "handshake failed"
    return "handshake failed"


def _connect_reason(exc: BaseException) -> str:
    for e in _chain(exc):
        if isinstance(e, ConnectionRefusedError):
            return "the server refused the connection (is it running? right port?)"
        if isinstance(e, OSError) and "Name or service not known" in str(e):
            return "the host name could not be resolved"
    text = str(exc).lower()
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "the host name could not be resolved"
    if "refused" in text:
        return "the server refused the connection (is it running? right port?)"
    return "the server could not be reached"
