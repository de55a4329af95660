"""The HTTP client for one SLV server: one reused connection pool, auth, limits, and error mapping."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import ssl
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Literal, Self, TypeVar
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
    Secret,
    basic_header,
    bearer_header,
    handshake_headers,
    json_object,
    judge_probe,
    small_get,
)
from slv_tui.slv.batch_url import batch_url
from slv_tui.slv.body import ACCEPT_ENCODING, read_body
from slv_tui.slv.client_settings import DEFAULT_MAX_BODY as DEFAULT_MAX_BODY  # re-exported
from slv_tui.slv.client_settings import DEFAULT_MAX_DEPTH as DEFAULT_MAX_DEPTH
from slv_tui.slv.client_settings import ClientSettings as ClientSettings
from slv_tui.slv.decode import check_status, decode_text, gc_paused, loads_json
from slv_tui.slv.errormap import mapped_errors
from slv_tui.slv.jar import BoundedCookieJar
from slv_tui.slv.model import Batch
from slv_tui.slv.parse import parse_batch
from slv_tui.slv.sessions import CsrfSession, FormSession, LoginGuard, LoginRefused, Withheld
from slv_tui.slv.start_call import StartCall
from slv_tui.slv.turn import Turn

log = logging.getLogger(__name__)
body_log = logging.getLogger("slv_tui.bodies")
"""Response bodies (first 2 KiB); enabled only by --debug (see `slv_tui.common.logs.setup_logging`)."""
DEBUG_BODY_BYTES = 2048

BATCH_PATH = "/api/batch/getBatchResult"
OFFLOAD_BYTES = 512 * 1024
"""Answers larger than this are decoded in a worker thread so the event loop (and the UI) never stalls."""
USER_AGENT = f"slv-tui/{__version__} httpx/{httpx.__version__}"
SAME_ANSWER_CACHE = 10_000
"""How many batches' last answers are remembered (digest -> parsed batch) to skip re-parsing."""
SESSION_TRIES = 5
"""How often one GET is sent again after its session was refused: each time only on a newer session
than the one that refused it (a server ending sessions every few calls under many concurrent calls)."""
REPROBE_AFTER = 2
"""Requests refused in a row (no answer in between) before `--auth auto` probes the login mode again,
once: the server may have changed its login mode under a running dashboard."""

_T = TypeVar("_T")


def _digest(body: bytes) -> bytes:
    """A fingerprint of an answer: equal bytes, equal digest (blake2b runs at about 1 GB/s)."""
    return hashlib.blake2b(body, digest_size=16).digest()


class SlvClient:
    """Fetches batches from one SLV server over one keep-alive `httpx.AsyncClient`."""

    def __init__(
        self, settings: ClientSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self.guard = LoginGuard()
        """Refused logins: once one is refused, every request asked for before it gives up unsent."""
        self._form = FormSession(settings.base_url, self.guard)
        self._csrf = CsrfSession(settings.base_url, self.guard)
        self._detect_lock = asyncio.Lock()
        self._gate = asyncio.Semaphore(max(1, settings.concurrency))
        self.verified = False
        """Basic and bearer: the credentials were answered with something else than a refusal."""
        self._refused_in_a_row = 0
        self._reprobed = False
        self._last: dict[str, tuple[str, bytes, weakref.ref[Batch]]] = {}
        """batch ID -> (content type, body digest, weakly the batch) of the last answer: not parsed again."""
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
            # one more than the gate: a login goes out while every slot waits for it
            limits=httpx.Limits(max_connections=max(1, settings.concurrency) + 1),
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            cookies=BoundedCookieJar(),
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
        """Use another password (or token) from now on (the UI's password prompt): every request may
        try it, and with `--auth auto` the next one probes the login mode again."""
        register_secret(password.reveal())
        self.settings = self.settings.with_password(password)
        self._form.logged_in = False
        self._csrf.logged_in = False
        self.guard.reset()
        self.verified = False
        self._refused_in_a_row, self._reprobed = 0, False
        if self.settings.credentials.mode == "auto":
            self.mode = self.mode_note = None

    async def detect_mode(self, ticket: int | None = None) -> AuthMode:
        """The login mode: forced, or found by one probe of getCurrentUser shared by every caller.

        A refused probe is a refused login: callers asked for before it (`ticket`) give up unsent."""
        if self.mode is not None:
            return self.mode
        async with self._detect_lock:
            if self.mode is not None:
                return self.mode
            if ticket is not None:
                self.guard.check(ticket)
            creds = self.settings.credentials
            url = self.settings.base_url + CURRENT_USER_PATH
            try:
                headers = handshake_headers(creds)
                response, body = await self._alone(lambda: small_get(self._http, url, headers))
            except errors.ProtocolError as exc:  # unreadable, but it answered: it cannot be probed
                self.mode, self.mode_note = (
                    "basic",
                    f"could not tell the login mode ({exc.detail}); using basic",
                )
                log.warning("login mode: %s", self.mode_note)
                return self.mode
            try:
                probe = judge_probe(response, body)
                if probe.mode == "csrf":
                    self._csrf.adopt(response, body)  # the probe was the handshake: no second one
                    self.user = self._csrf.user
            except errors.AuthError as exc:
                self.guard.refused(exc)
                raise
            if probe.mode != "csrf":
                self._http.cookies.clear()
                self.user = probe.user
            self.guard.accepted()
            self.verified = probe.mode == "basic" and probe.user is not None
            self.mode, self.mode_note = probe.mode, probe.note
            if probe.note:
                log.warning("login mode: %s", probe.note)
            log.info("login mode detected: %s", MODE_LABELS[probe.mode])
            return probe.mode

    def headers(self, mode: AuthMode) -> dict[str, str]:
        """The login headers of `mode` as they are now (read them only when a request goes out)."""
        creds = self.settings.credentials
        if mode == "basic":
            return basic_header(creds)
        if mode == "bearer":
            return bearer_header(creds)
        return self.session(mode).headers()

    def session(self, mode: AuthMode) -> FormSession | CsrfSession:
        """The shared session of a session mode (form or csrf)."""
        return self._csrf if mode == "csrf" else self._form

    async def log_in(self, mode: AuthMode, ticket: int) -> None:
        """Log the session of `mode` in (one login at a time; none after a refusal since `ticket`)."""
        session, creds = self.session(mode), self.settings.credentials
        await self._alone(lambda: session.login(self._http, creds, session.generation, ticket))
        if mode == "csrf":
            self.user = self._csrf.user

    async def _ready(self) -> tuple[AuthMode, int]:
        """The login mode, and the ticket of a request asked for now."""
        ticket = self.guard.ticket()
        creds = self.settings.credentials
        if creds.password is None:
            raise errors.AuthError(f"no {creds.secret_name} is set")
        return await self.detect_mode(ticket), ticket

    async def get_batch(self, batch_id: str) -> Batch:
        """Fetch and parse one batch; raises an `SlvError` subclass on any failure."""
        try:
            mode, ticket = await self._ready()
        except errors.SlvError as exc:
            log.warning("batchId=%s: the login probe failed: %s", batch_id, exc)
            raise
        return await self._authorised(mode, ticket, lambda turn: self._fetch(batch_id, turn))

    async def start_batch(self, method: Literal["GET", "POST"], path: str, *,
                          form: dict[str, str | list[str]] | None = None, query: dict[str, str] | None = None,
                          content: bytes | None = None) -> Batch:  # fmt: skip
        """Send one call that starts a batch (a form POST, a raw body POST, a GET); parse its answer.

        Sent again only when the server provably did not act on it (a 401/403, or a form login page
        while `auth.json` confirms the session had ended); anything else may have started the batch
        (`UnconfirmedPost`)."""
        call = StartCall(method, path, form, query or {}, content)
        mode, ticket = await self._ready()
        try:
            return await self._authorised(mode, ticket, lambda turn: self._start(call, turn), tries=1)
        except errors.UnconfirmedPost:
            # A login page may only mean the session had died: the form login tells (auth.json).
            if mode != "form" or await self._alone(lambda: self._form.still_logged_in(self._http)):
                raise
            log.info("the session had ended before the %s; logging in again", method)
            self._form.logged_in = False
            again = self.guard.ticket()
            return await self._authorised(mode, again, lambda turn: self._start(call, turn), tries=0)

    async def _authorised(
        self,
        mode: AuthMode,
        ticket: int,
        call: Callable[[Turn], Awaitable[_T]],
        *,
        tries: int = SESSION_TRIES,
    ) -> _T:
        """`call` with the login of `mode`; a refused session is logged in again and the call sent
        again, up to `tries` times, each time on a newer session than the one that refused it."""
        refused_at = -1
        while True:
            turn = Turn(self, mode, ticket)
            try:
                result = await call(turn)
            except (Withheld, LoginRefused):
                raise  # unsent, or a refused password: probing the mode again would not help
            except errors.AuthError as exc:
                sent = turn.generation
                # Sent again on a newer session; after the first time only if the session that
                # refused it had served calls (it ended), not one refused from its start.
                if (
                    mode in ("form", "csrf")
                    and sent > refused_at
                    and tries > 0
                    and (refused_at < 0 or await self.session(mode).served(sent))
                ):
                    log.info("session refused; logging in again")
                    self.session(mode).ended(sent)
                    refused_at, tries = sent, tries - 1
                    continue
                if not await self._probe_again(exc):
                    if exc.probable and mode == "basic":
                        hint = f"{exc.detail} (a login page? {FORM_HINT})"
                        raise errors.AuthError(hint, probable=True) from None
                    raise
                mode, ticket, refused_at = await self.detect_mode(), self.guard.ticket(), -1
                continue
            self._refused_in_a_row, self._reprobed = 0, False
            return result

    async def _probe_again(self, error: errors.AuthError) -> bool:
        """After `REPROBE_AFTER` refusals in a row, `--auth auto` forgets the mode so the next request
        probes it again: once, until something is answered (or a new password is given)."""
        self._refused_in_a_row += 1
        chosen = self.settings.credentials.mode
        if chosen != "auto" or self._reprobed or self._refused_in_a_row < REPROBE_AFTER:
            return False
        self._reprobed = True
        log.warning("%d refusals in a row (%s); probing the login mode again", self._refused_in_a_row, error)
        self.mode = self.mode_note = None
        self._form.logged_in = self._csrf.logged_in = False
        return True

    async def _start(self, call: StartCall, turn: Turn) -> Batch:
        url = self.settings.base_url + call.path
        started = time.perf_counter()
        status = 0
        try:
            async with self._gate, turn:
                headers = await turn.go_out()
                async with self._deadline():
                    with mapped_errors():
                        async with self._http.stream(
                            call.method, url, params={**call.query, "ser": "json"}, data=call.form,
                            content=call.content, headers=headers,
                        ) as response:  # fmt: skip
                            status = response.status_code
                            body = await self._read_capped(response)
                    turn.answered(response, body)
            check_status(response)
            content_type = response.headers.get("content-type", "")
            data = loads_json(decode_text(content_type, body, self.settings.max_depth))
            batch_id = data.get("batchId") if isinstance(data, dict) else None
            batch_id = str(batch_id) if isinstance(batch_id, int | str) else ""
            if not batch_id.isascii() or not batch_id.isdigit() or len(batch_id) > 19:
                try:
                    parse_batch(data, "0")  # an SLV error object raises ServerError (the refusal)
                except errors.ServerError as refusal:
                    raise refusal.with_reason(data) from None
                raise errors.ProtocolError("the answer holds no valid batchId")
            batch = parse_batch(data, batch_id)
        except errors.SlvError as exc:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.warning("%s %s failed in %.0f ms: %s", call.method, url, elapsed_ms, exc)
            if isinstance(exc, errors.AuthError) and status not in (0, 401, 403):
                # Only 401/403 is a refusal of the request itself; a login page or a redirect may
                # answer a call the server already acted on: never sent again.
                raise errors.UnconfirmedPost(
                    f"no batch in the answer ({exc.detail}): the run may have started"
                ) from None
            raise
        log.info("%s %s -> %s batchId=%s", call.method, url, response.status_code, batch_id)
        return batch

    async def ping(self) -> None:
        """One request without credentials to the CMS root: any HTTP answer means it is reachable."""
        await self._bounded(lambda: small_get(self._http, self.settings.base_url + "/"))

    async def current_user(self) -> dict[str, object] | None:
        """The user the server reports (getCurrentUser) with the login in use; None if not JSON."""
        mode, ticket = await self._ready()
        if mode in ("form", "csrf") and not self.session(mode).logged_in:
            await self.log_in(mode, ticket)
        if self.user is not None:
            return self.user
        url = self.settings.base_url + CURRENT_USER_PATH
        response, body = await self._bounded(lambda: small_get(self._http, url, self.headers(mode)))
        check_status(response)
        self.user = json_object(response, body)
        return self.user

    async def _bounded(self, exchange: Callable[[], Awaitable[_T]]) -> _T:
        """Run one HTTP exchange within the concurrency gate and the total deadline."""
        async with self._gate:
            return await self._alone(exchange)

    async def _alone(self, exchange: Callable[[], Awaitable[_T]]) -> _T:
        """Run one exchange within the total deadline, outside the gate: a login, which runs one at a
        time while the requests that wait for it hold their slots."""
        async with self._deadline():
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

    async def _fetch(self, batch_id: str, turn: Turn) -> Batch:
        url = self.settings.base_url + BATCH_PATH
        started = time.perf_counter()
        try:
            async with self._gate, turn:
                headers = await turn.go_out()  # after the wait: the session as it is now
                started = time.perf_counter()
                async with self._deadline():
                    with mapped_errors():
                        async with self._http.stream(
                            "GET", batch_url(url, batch_id), headers=headers
                        ) as response:
                            body = await self._read_capped(response)
                    turn.answered(response, body)
        except errors.SlvError as exc:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.warning("GET %s batchId=%s failed in %.0f ms: %s", url, batch_id, elapsed_ms, exc)
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        level = logging.DEBUG if batch_id in self._last and elapsed_ms < 1000 else logging.INFO  # repeats
        log.log(level, "GET %s batchId=%s -> %s in %.0f ms", url, batch_id, response.status_code, elapsed_ms)
        if body_log.isEnabledFor(logging.DEBUG):
            head = body[:DEBUG_BODY_BYTES].decode("utf-8", errors="replace")
            body_log.debug("body of batchId=%s (%d bytes): %s", batch_id, len(body), clean(head))
        try:
            check_status(response)
            content_type = response.headers.get("content-type", "")
            large = len(body) > OFFLOAD_BYTES
            digest = await asyncio.to_thread(_digest, body) if large else _digest(body)
            known = self._last.get(batch_id)
            last = None if known is None else known[2]()
            if known is not None and known[0] == content_type and known[1] == digest and last is not None:
                return last  # the same bytes as last time: no decode, no parse, the same object
            answer = [body]
            del body  # _read_batch lets go of the bytes once decoded, before the tree is built
            read = partial(self._read_batch, response, answer, batch_id, last)
            del last
            batch = await asyncio.to_thread(read) if large else read()
        except errors.SlvError as exc:
            log.warning("GET %s batchId=%s: %s", url, batch_id, exc)
            raise
        if len(self._last) >= SAME_ANSWER_CACHE and batch_id not in self._last:
            self._last.clear()
        self._last[batch_id] = (content_type, digest, weakref.ref(batch))
        return batch

    def _read_batch(
        self, response: httpx.Response, answer: list[bytes], batch_id: str, last: Batch | None = None
    ) -> Batch:
        """Decode and parse the answer held (alone) in `answer`; bytes, text and tree of a big answer
        are let go one after the other, so at most two of them are alive at once. `last`: the batch
        parsed from its previous answer (messages it already held are kept, not made again)."""
        content_type = response.headers.get("content-type", "")
        with gc_paused():
            text = decode_text(content_type, answer.pop(), self.settings.max_depth)
            data = loads_json(text)
            del text
            return parse_batch(data, batch_id, last)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        return await read_body(response, self.settings.max_body_bytes)
