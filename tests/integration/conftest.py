"""Fixtures for integration tests: simulators on 127.0.0.1 (in the test loop or a thread), clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from slv_tui.sim import SimServer, ThreadedSim
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient

StartSim = Callable[..., Awaitable[SimServer]]
MakeClient = Callable[..., SlvClient]


class FakeClock:
    """A clock the test moves by hand (for the simulator's batch timelines and sessions)."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def start_sim() -> AsyncIterator[StartSim]:
    """Start SimServers on 127.0.0.1:0 in the test's own loop; all are stopped afterwards."""
    servers: list[SimServer] = []

    async def start(**kwargs: Any) -> SimServer:
        server = SimServer(**kwargs)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """Build SlvClients (closed afterwards) for a URL, password and auth mode."""
    clients: list[SlvClient] = []

    def make(url: str, password: str = "admin", mode: str = "basic", **kwargs: Any) -> SlvClient:
        creds = Credentials("admin", Secret(password), mode)  # type: ignore[arg-type]
        client = SlvClient(ClientSettings(url=url, credentials=creds, **kwargs))
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def static_sim() -> Iterator[ThreadedSim]:
    """A threaded simulator on the frozen `static` scenario, shared by a module's CLI tests."""
    with ThreadedSim(scenario="static") as sim:
        yield sim


@dataclass
class Cli:
    """Runs `python -m slv_tui.cli` as a real subprocess with an isolated home."""

    home: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 30, extra: list[str] | None = None,
            **env: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
        return subprocess.run(
            [sys.executable, *(extra or []), "-m", "slv_tui.cli", *args],
            env={**self.env, **env},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def popen(self, *args: str, **env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "slv_tui.cli", *args],
            env={**self.env, **env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @property
    def log_file(self) -> Path:
        return self.home / "state" / "slv-tui" / "log" / "slv-tui.log"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLV_", "XDG_"))}
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        NO_COLOR="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return Cli(tmp_path, env)
