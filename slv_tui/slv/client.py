"""The HTTP client for one SLV server: one reused connection pool, auth, limits, and error mapping."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import ssl
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Self, TypeVar
from urllib.parse import urlsplit

import httpx

from slv_tui import __version__
from slv_tui.common.logs import register_secret
from slv_tui.common.sanitize import clean
from slv_tui.slv import errors
from slv_tui.slv.auth import (
    CURRENT_USER_PATH,
    FORM_HINT,
    MODE_LABELS,
    AuthMode,
    Credentials,
    CsrfSession,
    FormSession,
    Secret,
    basic_header,
    bearer_header,
    handshake_headers,
    json_object,
    judge_probe,
    remember_cookies,
    small_get,
)
from slv_tui.slv.body import ACCEPT_ENCODING, read_body
from slv_tui.slv.decode import check_status, decode_text, gc_paused, loads_json
from slv_tui.slv.errormap import mapped_errors
from slv_tui.slv.model import Batch
from slv_tui.slv.parse import parse_batch

log = logging.getLogger(__name__)
body_log = logging.getLogger("slv_tui.bodies")
"""Response bodies (first 2 KiB); enabled only by --debug (see `slv_tui.common.logs.setup_logging`)."""
DEBUG_BODY_BYTES = 2048

BATCH_PATH = "/api/batch/getBatchResult"
DEFAULT_MAX_BODY = 64 * 1024 * 1024
DEFAULT_MAX_DEPTH = 64
OFFLOAD_BYTES = 512 * 1024
"""Answers larger than this are decoded in a worker thread so the event loop (and the UI) never stalls."""
USER_AGENT = f"slv-tui/{__version__} httpx/{httpx.__version__}"
SAME_ANSWER_CACHE = 10_000
"""How many batches' last answers are remembered (digest -> parsed batch) to skip re-parsing."""

_T = TypeVar("_T")


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


def _digest(body: bytes) -> bytes:
    """A fingerprint of an answer: equal bytes, equal digest (blake2b runs at about 1 GB/s)."""
    return hashlib.blake2b(body, digest_size=16).digest()


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
        self._csrf = CsrfSession(settings.base_url)
        self._detect_lock = asyncio.Lock()
        self._gate = asyncio.Semaphore(max(1, settings.concurrency))
        self._last: dict[str, tuple[str, bytes, weakref.ref[Batch]]] = {}
        """batch ID -> (content type, body digest, batch) of the last answer, to skip parsing it again;
        the batch weakly: the cache never keeps alive a batch no one else holds (an unwatched one)."""
        chosen = settings.credentials.mode
        self.mode: AuthMode | None = None if chosen == "auto" else chosen
        """The login mode in use: forced, or found by the first probe (None until then)."""
        self.mode_note: str | None = None
        """Why the mode is only assumed (a server that could not be probed)."""
        self.user: dict[str, object] | None = None
        """The current user as the server last reported it (getCurrentUser), if seen."""
        verify: ssl.SSLContext | bool = settings.verify
        if settings.verify and settings.ca_bundle:
            verify = ssl.create_default_context(cafile=settings.ca_bundle)
        elif settings.verify and urlsplit(settings.url).scheme.lower() == "http":
            # Redirects are never followed, so an http:// client never speaks TLS: skip loading the CA
            # bundle (httpx loads certifi for verify=True). This context still verifies, and trusts no one.
            verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self._http = httpx.AsyncClient(
            verify=verify,
            timeout=httpx.Timeout(settings.timeout),
            limits=httpx.Limits(max_connections=max(1, settings.concurrency)),
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

    @property
    def auth_label(self) -> str | None:
        """How we log in, for the dashboard header: e.g. "csrf session"; None for a forced basic
        (the classic mode, nothing to tell) and before the mode is known."""
        if self.mode is None or (self.mode == "basic" and self.settings.credentials.mode == "basic"):
            return None
        label = MODE_LABELS[self.mode]
        return f"{label} (assumed)" if self.mode_note else label

    def set_password(self, password: Secret) -> None:
        """Use another password (or token) from now on (the UI's password prompt)."""
        register_secret(password.reveal())
        self.settings = self.settings.with_password(password)
        self._form.logged_in = False
        self._csrf.logged_in = False

    async def detect_mode(self) -> AuthMode:
        """The login mode: forced, or found by one probe of getCurrentUser shared by every caller."""
        if self.mode is not None:
            return self.mode
        async with self._detect_lock:
            if self.mode is not None:
                return self.mode
            creds = self.settings.credentials
            url = self.settings.base_url + CURRENT_USER_PATH
            try:
                response, body = await self._bounded(
                    lambda: small_get(self._http, url, handshake_headers(creds))
                )
            except errors.ProtocolError as exc:  # unreadable, but it answered: it cannot be probed
                self.mode, self.mode_note = (
                    "basic",
                    f"could not tell the login mode ({exc.detail}); using basic",
                )
                log.warning("login mode: %s", self.mode_note)
                return self.mode
            probe = judge_probe(response, body)
            if probe.mode == "csrf":
                self._csrf.adopt(response, body)  # the probe was the handshake: no second one
                self.user = self._csrf.user
            else:
                self._http.cookies.clear()
                self.user = probe.user
            self.mode, self.mode_note = probe.mode, probe.note
            if probe.note:
                log.warning("login mode: %s", probe.note)
            log.info("login mode detected: %s", MODE_LABELS[probe.mode])
            return probe.mode

    def _headers(self, mode: AuthMode) -> dict[str, str]:
        creds = self.settings.credentials
        if mode == "basic":
            return basic_header(creds)
        if mode == "bearer":
            return bearer_header(creds)
        return self._session(mode).headers()

    def _session(self, mode: AuthMode) -> FormSession | CsrfSession:
        return self._csrf if mode == "csrf" else self._form

    async def _ensure_session(self, mode: AuthMode, seen: int) -> None:
        session, creds = self._session(mode), self.settings.credentials
        await self._bounded(lambda: session.login(self._http, creds, seen))
        if mode == "csrf":
            self.user = self._csrf.user

    async def get_batch(self, batch_id: str) -> Batch:
        """Fetch and parse one batch; raises an `SlvError` subclass on any failure."""
        creds = self.settings.credentials
        if creds.password is None:
            raise errors.AuthError(f"no {creds.secret_name} is set")
        try:
            mode = await self.detect_mode()
        except errors.SlvError as exc:
            log.warning("batchId=%s: the login probe failed: %s", batch_id, exc)
            raise
        if mode in ("basic", "bearer"):
            try:
                return await self._fetch(batch_id, self._headers(mode))
            except errors.AuthError as exc:
                if exc.probable and mode == "basic":
                    raise errors.AuthError(
                        f"{exc.detail} (a login page? {FORM_HINT})", probable=True
                    ) from None
                raise
        session = self._session(mode)
        if not session.logged_in:
            await self._ensure_session(mode, session.generation)
        generation = session.generation
        try:
            return await self._fetch(batch_id, self._headers(mode))
        except errors.AuthError:
            log.info("session refused; logging in again")
            await self._ensure_session(mode, generation)
            return await self._fetch(batch_id, self._headers(mode))

    async def post_batch(self, path: str, form: dict[str, str | list[str]]) -> Batch:
        """POST a form that starts a batch (commissioning) and parse the batch it answers with.

        Logs in like `get_batch`. Only a refusal of the login itself (the server did nothing) is
        retried after a new login; a timeout or a broken answer never is: the batch may have started.
        """
        creds = self.settings.credentials
        if creds.password is None:
            raise errors.AuthError(f"no {creds.secret_name} is set")
        mode = await self.detect_mode()
        if mode in ("basic", "bearer"):
            return await self._post(path, form, self._headers(mode))
        session = self._session(mode)
        if not session.logged_in:
            await self._ensure_session(mode, session.generation)
        generation = session.generation
        try:
            return await self._post(path, form, self._headers(mode))
        except errors.UnconfirmedPost:
            # A login page may only mean the session had died: the form login tells (auth.json).
            if mode != "form" or await self._bounded(lambda: self._form.still_logged_in(self._http)):
                raise
            log.info("the session had ended before the POST; logging in again")
            await self._ensure_session(mode, generation)
            return await self._post(path, form, self._headers(mode))
        except errors.AuthError:
            log.info("session refused the POST; logging in again")
            await self._ensure_session(mode, generation)
            return await self._post(path, form, self._headers(mode))

    async def _post(self, path: str, form: dict[str, str | list[str]], headers: dict[str, str]) -> Batch:
        url = self.settings.base_url + path
        started = time.perf_counter()
        status = 0
        try:
            async with self._gate, self._deadline():
                with mapped_errors():
                    async with self._http.stream(
                        "POST", url, params={"ser": "json"}, data=form, headers=headers
                    ) as response:
                        status = response.status_code
                        body = await self._read_capped(response)
                        remember_cookies(response)
            check_status(response)
            content_type = response.headers.get("content-type", "")
            text = decode_text(content_type, body, self.settings.max_depth)
            data = loads_json(text)
            batch_id = data.get("batchId") if isinstance(data, dict) else None
            batch_id = str(batch_id) if isinstance(batch_id, int | str) else ""
            if not batch_id.isascii() or not batch_id.isdigit() or len(batch_id) > 19:
                parse_batch(data, "0")  # an SLV error object raises ServerError (the refusal)
                raise errors.ProtocolError("the answer holds no valid batchId")
            batch = parse_batch(data, batch_id)
        except errors.SlvError as exc:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.warning("POST %s failed in %.0f ms: %s", url, elapsed_ms, exc)
            if isinstance(exc, errors.AuthError) and status not in (0, 401, 403):
                # Only 401/403 is a refusal of the request itself; a login page or a redirect may
                # answer a POST the server already acted on: never sent again.
                raise errors.UnconfirmedPost(
                    f"no batch in the answer ({exc.detail}): the run may have started"
                ) from None
            raise
        log.info("POST %s -> %s batchId=%s", url, response.status_code, batch_id)
        return batch

    async def ping(self) -> None:
        """One request without credentials to the CMS root: any HTTP answer means it is reachable."""
        await self._bounded(lambda: small_get(self._http, self.settings.base_url + "/"))

    async def current_user(self) -> dict[str, object] | None:
        """The user the server reports (getCurrentUser) with the login in use; None if not JSON."""
        creds = self.settings.credentials
        if creds.password is None:
            raise errors.AuthError(f"no {creds.secret_name} is set")
        mode = await self.detect_mode()
        if mode in ("form", "csrf") and not self._session(mode).logged_in:
            await self._ensure_session(mode, self._session(mode).generation)
        if self.user is not None:
            return self.user
        url = self.settings.base_url + CURRENT_USER_PATH
        response, body = await self._bounded(lambda: small_get(self._http, url, self._headers(mode)))
        check_status(response)
        self.user = json_object(response, body)
        return self.user

    async def _bounded(self, exchange: Callable[[], Awaitable[_T]]) -> _T:
        """Run one HTTP exchange within the concurrency gate and the total deadline."""
        async with self._gate, self._deadline():
            with mapped_errors():
                return await exchange()

    @asynccontextmanager
    async def _deadline(self) -> AsyncIterator[None]:
        """`--timeout` as a total deadline: connect, headers and the whole body (httpx bounds each read)."""
        try:
            async with asyncio.timeout(self.settings.timeout):
                yield
        except TimeoutError:
            # The same words as httpx's own (per-read) timeout: both fire at about the same moment.
            raise errors.RequestTimeout("the server did not answer in time") from None

    async def _fetch(self, batch_id: str, headers: dict[str, str]) -> Batch:
        url = self.settings.base_url + BATCH_PATH
        started = time.perf_counter()
        try:
            async with self._gate, self._deadline():
                started = time.perf_counter()
                with mapped_errors():
                    async with self._http.stream(
                        "GET", url, params={"batchId": batch_id, "ser": "json"}, headers=headers
                    ) as response:
                        body = await self._read_capped(response)
                        remember_cookies(response)  # a renewed session cookie is a secret too
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
            content_type = response.headers.get("content-type", "")
            large = len(body) > OFFLOAD_BYTES
            digest = await asyncio.to_thread(_digest, body) if large else _digest(body)
            known = self._last.get(batch_id)
            if known is not None and known[0] == content_type and known[1] == digest:
                same = known[2]()
                if same is not None:
                    return same  # the same bytes as last time: no decode, no parse, the same object
            answer = [body]
            del body  # _read_batch lets go of the bytes once decoded, before the tree is built
            if large:
                batch = await asyncio.to_thread(self._read_batch, response, answer, batch_id)
            else:
                batch = self._read_batch(response, answer, batch_id)
        except errors.SlvError as exc:
            log.warning("GET %s batchId=%s: %s", url, batch_id, exc)
            raise
        if len(self._last) >= SAME_ANSWER_CACHE and batch_id not in self._last:
            self._last.clear()
        self._last[batch_id] = (content_type, digest, weakref.ref(batch))
        return batch

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
