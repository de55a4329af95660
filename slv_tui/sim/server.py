"""SimServer: the simulated SLV CMS over HTTP (routes, auth, latency and fault selection)."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any, Literal

from aiohttp import web

from slv_tui.sim import batch_calls, wire
from slv_tui.sim.auth import CSRF_NEXT, Authenticator
from slv_tui.sim.faults import FAULT_KINDS, RANDOM_SLOW_CAP, TRANSIENT_FAULTS, fault_response
from slv_tui.sim.scenario import BatchSpec, build_spec, load_scenario
from slv_tui.sim.timeline import batch_at

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
AuthMode = Literal["basic", "form", "csrf", "bearer"]
SIM_AUTH_MODES: tuple[AuthMode, ...] = ("basic", "form", "csrf", "bearer")
_CONTROLLER_API = "/api/controllermanagement/"
_CURRENT_USER = "/api/userprofile/getCurrentUser"


class SimServer:
    """A real HTTP server speaking the SLV wire format, driven by a scenario and a clock."""

    def __init__(
        self,
        *,
        scenario: str | Path = "demo",
        auth: AuthMode = "basic",
        username: str = "admin",
        password: str = "admin",
        token: str = "sim-token",
        session_max_uses: int | None = None,
        token_rotation: bool = False,
        cookie_churn: int = 0,
        latency_ms: int = 0,
        fault_rate: float = 0.0,
        prefix: str = "/reports",
        session_ttl: float = 1800.0,
        clock: Callable[[], float] | None = None,
        seed: int | None = None,
        slow_seconds: float = 30.0,
        huge_bytes: int = 70 * 1024 * 1024,
    ) -> None:
        """Load the scenario and prepare state; nothing listens until start()."""
        if auth not in SIM_AUTH_MODES:
            raise ValueError(f"auth must be one of {', '.join(SIM_AUTH_MODES)}, not {auth!r}")
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, not {fault_rate}")
        self.scenario = load_scenario(scenario)
        self.auth_mode = auth
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.latency_ms = latency_ms
        self.fault_rate = fault_rate
        self.slow_seconds = slow_seconds
        self.huge_bytes = huge_bytes
        self.clock = clock or time.monotonic
        self.username = username
        self.request_count = 0
        self.requests: deque[tuple[str, str]] = deque(maxlen=10_000)
        self.started: list[tuple[str, dict[str, Any]]] = []
        """Each batch started by a client call: (template, parameters as received)."""
        self._auth = Authenticator(
            username,
            password,
            session_ttl,
            self.clock,
            token=token,
            max_uses=session_max_uses,
            rotate=token_rotation,
        )
        self.cookie_churn = cookie_churn
        """Cookies with new names set on every answer (and three short ones: `a=1`, `b=GET`, `c=batch`)."""
        self._churned = 0
        self.longest_cookie_header = 0
        """The longest Cookie header a client sent (bytes)."""
        self._expire_countdown: int | None = None
        self._hold: tuple[int, asyncio.Event] | None = None
        self._waiting = 0
        self.held_together = 0
        """How many calls the last `hold_batches` gate let go together (0: it timed out or never ran)."""
        self.basic_in_session = 0
        """CSRF mode: calls that sent a Basic header besides the session (a client should not)."""
        self._rng = random.Random(seed)
        self._fault: str | None = None
        self._batch_faults: dict[str, str] = {}
        self._lock = threading.Lock()  # start_batch/batch_ids may run on another thread
        now = self.clock()
        self._batches: dict[str, tuple[BatchSpec, float, float | None]] = {
            b.id: (b.spec, now + b.start, b.at if self.scenario.frozen else None)
            for b in self.scenario.batches
        }
        self._last_id = int(time.time() * 1000)
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port = 0
        self._public = {f"{self.prefix}/login.jsp", f"{self.prefix}/j_security_check"}

    @property
    def url(self) -> str:
        """The base URL clients use (includes the prefix), e.g. http://127.0.0.1:41234/reports."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}{self.prefix}"

    @property
    def port(self) -> int:
        """The port listened on (the real one when started with port 0)."""
        return self._port

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 = a free port) and return the base URL."""
        if self._runner is not None:
            raise RuntimeError("SimServer is already running")
        app = web.Application(middlewares=[self._middleware], client_max_size=batch_calls.MAX_BODY)
        p = self.prefix
        app.router.add_get(f"{p}/api/batch/getBatchResult", self._get_batch_result)
        for name in ("commissionControllerAsync", "commissionControllerDevicesListAsync"):
            app.router.add_route("*", f"{p}{_CONTROLLER_API}{name}", self._commission)
        app.router.add_post(f"{p}{batch_calls.IMPORT_PATH}", partial(batch_calls.import_devices, self))
        app.router.add_get(f"{p}{batch_calls.SCHEDULER_PATH}", partial(batch_calls.schedulers, self))
        app.router.add_get(f"{p}{_CURRENT_USER}", self._current_user)
        app.router.add_get(f"{p}/auth.json", self._auth_json)
        app.router.add_post(f"{p}/j_security_check", self._security_check)
        app.router.add_get(f"{p}/login.jsp", self._login_page)
        app.router.add_get(f"{p}/", self._index)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_address=True)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        return self.url

    async def stop(self) -> None:
        """Stop listening, close connections and forget sessions (like a CMS restart)."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        self._auth.clear()

    def set_fault(self, kind: str | None, *, batch_id: str | None = None) -> None:
        """Force fault `kind` on every getBatchResult (or that batch's) until cleared with None."""
        if kind is not None and kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        if batch_id is None:
            self._fault = kind
        elif kind is None:
            self._batch_faults.pop(batch_id, None)
        else:
            self._batch_faults[batch_id] = kind

    def expire_sessions(self) -> None:
        """Form and CSRF auth: every existing session becomes unauthenticated."""
        self._auth.expire_all()

    def change_password(self, password: str) -> None:
        """Accept only this password from now on; every session ends (an operator changed it)."""
        self._auth.change_password(password)

    def expire_sessions_after(self, requests: int) -> None:
        """Let `requests` more getBatchResult calls through, then expire every session once."""
        self._expire_countdown = requests

    def hold_batches(self, count: int) -> None:
        """Hold getBatchResult calls until `count` of them wait at once, then let them all go (once):
        proves that many requests are in flight together."""
        self._hold = (count, asyncio.Event())
        self.held_together = 0

    @property
    def handshakes(self) -> int:
        """CSRF handshakes served (each made a new session with a token)."""
        return self._auth.handshakes

    @property
    def handed_out(self) -> list[str]:
        """Every session cookie and CSRF token given to a client so far."""
        return list(self._auth.handed_out)

    def start_batch(
        self,
        template: str = "commission_ok",
        batch_id: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> str:
        """Start a new batch from a scenario template now and return its id."""
        if template not in self.scenario.templates:
            known = ", ".join(sorted(self.scenario.templates))
            raise ValueError(f"unknown template {template!r}; known: {known}")
        return self.start_timeline(self.scenario.templates[template], params, batch_id)

    def start_timeline(
        self, raw: dict[str, Any], params: dict[str, Any] | None = None, batch_id: str | None = None
    ) -> str:
        """Start a new batch from a raw timeline (a template's shape) now and return its id."""
        values: dict[str, Any] = {"login": self.username, **(params or {})}
        spec = build_spec(raw, values)
        if batch_id is not None and not batch_id.isdigit():
            raise ValueError(f"batch id must be digits, not {batch_id!r}")
        with self._lock:
            new_id = batch_id if batch_id is not None else self._new_id()
            self._batches[new_id] = (spec, self.clock(), None)
        return new_id

    def batch_ids(self) -> list[str]:
        """Ids of every batch the server knows, scenario ones first."""
        with self._lock:
            return list(self._batches)

    def batch_json(self, batch_id: str) -> dict[str, Any] | None:
        """The healthy getBatchResult answer for a batch now, or None if unknown."""
        entry = self._batches.get(batch_id)
        if entry is None:
            return None
        spec, created, frozen_at = entry
        elapsed = frozen_at if frozen_at is not None else self.clock() - created
        if elapsed < 0:
            return None
        return batch_at(batch_id, spec, elapsed)

    def _new_id(self) -> str:
        """A unique 13-digit millisecond-timestamp-like id."""
        self._last_id = max(self._last_id + 1, int(time.time() * 1000))
        while str(self._last_id) in self._batches:
            self._last_id += 1
        return str(self._last_id)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record the request, add latency and enforce authentication."""
        self.requests.append((request.method, request.path))
        cookie_header = request.headers.get("Cookie", "")
        self.longest_cookie_header = max(self.longest_cookie_header, len(cookie_header.encode()))
        response = await self._serve(request, handler)
        if response.prepared:  # a streamed fault: its headers are gone already
            return response
        token = request.get(CSRF_NEXT)
        if token is not None and response.status < 400:
            response.headers["X-CSRF-Token"] = token
        for _ in range(self.cookie_churn):
            self._churned += 1
            response.set_cookie(f"churn{self._churned}", f"{self._churned:016x}")
        if self.cookie_churn:
            for name, value in (("a", "1"), ("b", "GET"), ("c", "batch")):
                response.set_cookie(name, value)
        return response

    async def _serve(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Latency, the `hold_batches` gate and authentication, then the route."""
        if request.path.endswith("/getBatchResult"):
            self.request_count += 1
        if self.latency_ms > 0:
            await asyncio.sleep(self.latency_ms / 1000)
        if self._hold is not None and request.path.endswith("/getBatchResult"):
            await self._wait_for_company()
        if request.path in self._public or (
            self.auth_mode == "form" and request.path == f"{self.prefix}/auth.json"
        ):
            return await handler(request)
        refused = self._refusal(request)
        if refused is not None:
            return refused
        if request.path.endswith("/getBatchResult") and self._expire_countdown is not None:
            self._expire_countdown -= 1
            if self._expire_countdown <= 0:
                self._expire_countdown = None
                self._auth.expire_all()  # this call is still answered; the next ones are refused
        return await handler(request)

    async def _wait_for_company(self) -> None:
        """The `hold_batches` gate: wait until enough calls wait too (at most 10 s)."""
        assert self._hold is not None
        count, event = self._hold
        self._waiting += 1
        if self._waiting >= count:
            event.set()
            self.held_together = self._waiting
            self._hold, self._waiting = None, 0
            return
        try:
            await asyncio.wait_for(event.wait(), 10)
        except TimeoutError:
            self._hold, self._waiting = None, 0

    def _refusal(self, request: web.Request) -> web.StreamResponse | None:
        """The answer to a request that is not logged in (per mode), or None when it is."""
        mode = self.auth_mode
        if mode == "basic" and not self._auth.basic_ok(request):
            return wire.unauthorized()
        if mode == "form" and not self._auth.authenticated(request):
            return wire.html_response(wire.login_page(self.prefix))
        if mode == "bearer" and not self._auth.bearer_ok(request):
            body = wire.error_page(401, "Unauthorized", "A valid bearer token is required.")
            return wire.html_response(body, 401, **{"WWW-Authenticate": 'Bearer realm="SLV"'})
        if mode == "csrf":
            if self._is_handshake(request):
                return None if self._auth.basic_ok(request) else wire.unauthorized()
            if not self._auth.csrf_ok(request):
                body = wire.error_page(403, "Forbidden", "Invalid CSRF Token was found on the request.")
                return wire.html_response(body, 403)
            if request.headers.get("Authorization", "").lower().startswith("basic"):
                self.basic_in_session += 1
        return None

    def _is_handshake(self, request: web.Request) -> bool:
        """The CSRF handshake: getCurrentUser with `X-CSRF-Token: Fetch`."""
        fetch = request.headers.get("X-CSRF-Token", "").lower() == "fetch"
        return fetch and request.path == f"{self.prefix}{_CURRENT_USER}"

    def _wants_json(self, request: web.Request, form: dict[str, str] | None = None) -> bool:
        """True when the client asked for JSON with ser=json (query or form)."""
        ser = request.query.get("ser") or (form or {}).get("ser")
        return ser == "json"

    def _answer(self, request: web.Request, obj: Any, form: dict[str, str] | None = None) -> web.Response:
        """Answer in JSON or XML depending on `ser`."""
        return wire.json_response(obj) if self._wants_json(request, form) else wire.xml_response(obj)

    async def _get_batch_result(self, request: web.Request) -> web.StreamResponse:
        """GET getBatchResult: the batch at the current time, or a fault, or an error object."""
        raw_id = request.query.get("batchId", "")
        kind = self._batch_faults.get(raw_id, self._fault)
        random_fault = kind is None and self.fault_rate > 0 and self._rng.random() < self.fault_rate
        if random_fault:
            kind = self._rng.choice(TRANSIENT_FAULTS)
        if not raw_id.isdigit():
            err = wire.error_object("602", "Invalid batchId", f"Invalid batchId: {raw_id!r}")
            return self._answer(request, err)
        batch = self.batch_json(raw_id)
        if batch is None and kind in ("nan", "wrong_types", "slow"):
            kind = None  # these faults alter a batch's fields: an unknown ID stays unknown
        if kind is not None:
            unknown = wire.error_object("605", "Batch not found", f"No batch with id {raw_id}")
            healthy = batch if batch is not None else unknown
            slow = min(self.slow_seconds, RANDOM_SLOW_CAP) if random_fault else self.slow_seconds
            return await fault_response(
                kind,
                request,
                healthy,
                prefix=self.prefix,
                slow_seconds=slow,
                huge_bytes=self.huge_bytes,
            )
        if batch is None:
            err = wire.error_object("605", "Batch not found", f"No batch with id {raw_id}")
            return self._answer(request, err)
        return self._answer(request, batch)

    async def _commission(self, request: web.Request) -> web.StreamResponse:
        """Start a commissioning batch and answer with its just-started shape."""
        posted = await request.post()
        form = {k: str(v) for k, v in posted.items()}
        merged = {**request.query, **form}
        controller = merged.get("controllerStrId", "").strip()
        params: dict[str, Any] = {"controller": controller}
        if request.path.endswith("DevicesListAsync"):
            devices = [str(v) for v in posted.getall("idOnController", [])]
            devices += request.query.getall("idOnController", [])
            template, params["devices"], problem = "commission_devices", devices, not devices
        else:
            flags = merged.get("flags", "7")
            ok = flags.isdigit() and 1 <= int(flags) <= 7
            template, params["flags"], problem = "commission_controller", int(flags) if ok else 7, not ok
        if controller.lower().startswith("unknown"):
            err = wire.error_object("601", "Controller not found", f"No controller with id {controller}")
            return self._answer(request, err, form)
        if not controller or problem:
            what = "controllerStrId" if not controller else "flags/idOnController"
            err = wire.error_object("602", "Invalid parameter", f"Missing or invalid {what}")
            return self._answer(request, err, form)
        batch_id = self.start_batch(template, params=params)
        self.started.append((template, params))
        return self._answer(request, self.batch_json(batch_id), form)

    async def _current_user(self, request: web.Request) -> web.StreamResponse:
        """GET getCurrentUser: the logged-in user; in CSRF mode a handshake also opens a session."""
        user = {
            "login": self.username, "firstName": "Ada", "lastName": "Operator",
            "email": f"{self.username}@example.org", "locale": "en", "timeZone": "Europe/Paris",
        }  # fmt: skip
        resp = wire.json_response(user)
        if self.auth_mode == "csrf" and self._is_handshake(request):
            self._auth.csrf_handshake(resp, self.prefix)
        return resp

    async def _auth_json(self, request: web.Request) -> web.StreamResponse:
        """GET auth.json: tell whether the session is logged in, creating a session if needed."""
        if self.auth_mode == "basic":
            return wire.json_response({"authenticated": "true"})
        found = self._auth.session(request)
        authenticated = found is not None and found[1].authenticated
        resp = wire.json_response({"authenticated": "true" if authenticated else "false"})
        if found is None:
            self._auth.new_session(resp, self.prefix, auth=False)
        return resp

    async def _security_check(self, request: web.Request) -> web.StreamResponse:
        """POST j_security_check: log the session in, or show the login page with an error."""
        form = await request.post()
        user, password = str(form.get("j_username", "")), str(form.get("j_password", ""))
        if self.auth_mode == "basic" or not self._auth.credentials_ok(user, password):
            page = wire.login_page(self.prefix, "Invalid username or password")
            return wire.html_response(page)
        resp = web.Response(status=302, headers={"Location": f"{self.prefix}/"})
        self._auth.login(request, resp, self.prefix)
        return resp

    async def _login_page(self, request: web.Request) -> web.StreamResponse:
        """GET login.jsp: the HTML login form."""
        return wire.html_response(wire.login_page(self.prefix))

    async def _index(self, request: web.Request) -> web.StreamResponse:
        """GET the application root: a small HTML page."""
        return wire.html_response("<!DOCTYPE html><html><body><h1>Streetlight.Vision</h1></body></html>")
