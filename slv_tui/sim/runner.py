"""Running a SimServer: in a background thread (tests, --demo) or in the foreground (`slv-tui sim`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import errno
import sys
import threading
from types import TracebackType
from typing import Any, cast

from slv_tui.sim.scenario import ScenarioError
from slv_tui.sim.server import AuthMode, SimServer


class ThreadedSim:
    """A SimServer running in a daemon thread with its own asyncio loop, for synchronous callers."""

    def __init__(self, **simserver_kwargs: Any) -> None:
        """Build the server now (so `server` can be configured before start)."""
        self.server = SimServer(**simserver_kwargs)
        self.url = ""
        self.port = 0
        self._host = "127.0.0.1"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start listening (blocks until ready) and return the base URL."""
        if self._thread is not None:
            raise RuntimeError("ThreadedSim is already running")
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        thread = threading.Thread(target=run, name="slv-sim", daemon=True)
        thread.start()
        ready.wait()
        self._loop, self._thread = loop, thread
        try:
            self.url = self._call(self.server.start(host, port))
        except BaseException:
            self._halt()
            raise
        self._host, self.port = host, self.server.port
        return self.url

    def stop(self) -> None:
        """Stop the server and its thread (blocks until the port is released)."""
        if self._thread is None:
            return
        try:
            self._call(self.server.stop())
        finally:
            self._halt()

    def restart(self) -> None:
        """Start again on the same host and port after stop()."""
        self.stop()
        self.start(self._host, self.port)

    def __enter__(self) -> ThreadedSim:
        """Start on a free loopback port unless already started."""
        if self._thread is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()

    def _call(self, coro: Any) -> Any:
        """Run a coroutine on the server loop and wait for its result."""
        assert self._loop is not None
        future: concurrent.futures.Future[Any] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout=30)

    def _halt(self) -> None:
        """Stop the loop and join the thread."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop = self._thread = None


async def _serve_forever(server: SimServer, host: str, port: int, scenario: str) -> None:
    """Start the server, announce it on stderr and wait until cancelled."""
    url = await server.start(host, port)
    print(
        f"slv-tui sim: serving scenario {scenario!r} at {url} "
        f"(auth {server.auth_mode}, user {server.username}); Ctrl-C to stop",
        file=sys.stderr,
        flush=True,
    )
    ids = server.batch_ids()
    print(f"slv-tui sim: {len(ids)} batch IDs: {' '.join(ids)}", file=sys.stderr, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def run_sim(
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    scenario: str = "demo",
    latency_ms: int = 0,
    fault_rate: float = 0.0,
    auth: str = "basic",
    username: str = "admin",
    password: str = "admin",
    token: str = "sim-token",
    session_max_uses: int | None = None,
) -> int:
    """Serve in the foreground until Ctrl-C; return 0, or 2 on a bad option or a busy port."""
    if not 0 <= port <= 65535:
        print(f"slv-tui sim: port {port} is out of range (0 to 65535)", file=sys.stderr)
        return 2
    try:
        server = SimServer(
            scenario=scenario,
            auth=cast(AuthMode, auth),
            username=username,
            password=password,
            token=token,
            session_max_uses=session_max_uses,
            latency_ms=latency_ms,
            fault_rate=fault_rate,
        )
    except (ScenarioError, ValueError) as exc:
        print(f"slv-tui sim: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve_forever(server, host, port, scenario))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        in_use = exc.errno == errno.EADDRINUSE
        reason = "the port is already in use" if in_use else exc.strerror or str(exc)
        print(f"slv-tui sim: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
        return 2
    return 0
