"""The HTTP client for one SLV server: one reused connection pool, auth, limits, and error mapping."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import ssl
import time
from dataclasses import dataclass, replace
from typing import Self
from urllib.parse import urlsplit

import httpx

from slv_tui import __version__
from slv_tui.logs import register_secret
from slv_tui.sanitize import clean
from slv_tui.slv import errors
from slv_tui.slv.auth import FORM_HINT, Credentials, FormSession, Secret
from slv_tui.slv.body import ACCEPT_ENCODING, read_body
from slv_tui.slv.decode import check_status, decode_text, gc_paused, loads_json
from slv_tui.slv.errormap import mapped_errors
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
            found.append("TLS certificate verification is OFF (--insecure or verify = false)")
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
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
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
        register_secret(password.reveal())
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
            try:
                return await self._fetch(batch_id)
            except errors.AuthError as exc:
                if exc.probable:
                    raise errors.AuthError(
                        f"{exc.detail} (a login page? {FORM_HINT})", probable=True
                    ) from None
                raise
        if not self._form.logged_in:
            with mapped_errors():
                await self._form.login(self._http, creds, self._form.generation)
        generation = self._form.generation
        try:
            return await self._fetch(batch_id)
        except errors.AuthError:
            log.info("session refused; logging in again")
            with mapped_errors():
                await self._form.login(self._http, creds, generation)
            return await self._fetch(batch_id)

    async def _fetch(self, batch_id: str) -> Batch:
        url = self.settings.base_url + BATCH_PATH
        started = time.perf_counter()
        try:
            with mapped_errors():
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
            check_status(response)
            if len(body) > OFFLOAD_BYTES:
                answer = [body]
                del body  # _read_batch lets go of the bytes once decoded, before the tree is built
                return await asyncio.to_thread(self._read_batch, response, answer, batch_id)
            return self._read_batch(response, [body], batch_id)
        except errors.SlvError as exc:
            log.warning("GET %s batchId=%s: %s", url, batch_id, exc)
            raise

    def _read_batch(self, response: httpx.Response, answer: list[bytes], batch_id: str) -> Batch:
        """Decode and parse the answer held (alone) in `answer`; bytes, text and tree of a big answer
        are let go one after the other, so at most two of them are alive at once."""
        content_type = response.headers.get("content-type", "")
        with gc_paused():
            text = decode_text(content_type, answer.pop(), self.settings.max_depth)
            data = loads_json(text)
            del text
            return parse_batch(data, batch_id)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        return await read_body(response, self.settings.max_body_bytes)
