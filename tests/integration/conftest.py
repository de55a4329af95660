"""Fixtures for integration tests: simulators on 127.0.0.1 (in the test loop or a thread), clients."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.env import state_log_file, subprocess_env
from support.sim import MakeClient, new_client
from support.sim import start_loop_sim as start_loop_sim  # the in-loop simulator fixture

from slv_tui.sim import ThreadedSim
from slv_tui.slv.client import SlvClient


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """Build SlvClients (closed afterwards) for a URL, password and auth mode."""
    clients: list[SlvClient] = []

    def make(url: str, password: str = "admin", mode: str = "basic", **kwargs: Any) -> SlvClient:
        client = new_client(url, password, mode, **kwargs)
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
        return state_log_file(self.home)


@pytest.fixture(scope="module")
def lab() -> Iterator[ThreadedSim]:
    """Profile `lab`'s server: the static scenario behind basic auth, password labpw."""
    with ThreadedSim(scenario="static", password="labpw") as sim:
        yield sim


@pytest.fixture(scope="module")
def prod() -> Iterator[ThreadedSim]:
    """Profile `prod`'s server: the same batch IDs behind a 7.8+ csrf session login, password prodpw."""
    with ThreadedSim(scenario="static", auth="csrf", password="prodpw") as sim:
        yield sim


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    env = subprocess_env(tmp_path, HOME=str(tmp_path / "home"), PYTHONUNBUFFERED="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return Cli(tmp_path, env)
