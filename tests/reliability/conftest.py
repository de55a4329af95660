"""Fixtures for the reliability suite: real simulators and servers on 127.0.0.1, real clients, the CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.env import subprocess_env
from support.logs import preserved_logging
from support.sim import new_client

from slv_tui.sim import SimServer, ThreadedSim
from slv_tui.slv.client import SlvClient

# Running batches of the frozen "static" scenario: they never finish, so the poller keeps polling them.
RUNNING_IDS = ("1481018818069", "1481019204417", "1481019867302")
PASSWORD = "admin"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
async def sim() -> AsyncIterator[SimServer]:
    """A frozen-scenario simulator in the test's own event loop."""
    server = SimServer(scenario="static", slow_seconds=5.0, huge_bytes=2 * 1024 * 1024, seed=1)
    await server.start()
    yield server
    await server.stop()


def client_for(url: str, **kwargs: Any) -> SlvClient:
    """A real client with a generous timeout (a loaded machine never turns a good answer into a
    timeout) and a 1 MiB body cap (so `huge` stays cheap); pass a short timeout to test one."""
    kwargs.setdefault("password", PASSWORD)
    kwargs.setdefault("timeout", 10.0)
    kwargs.setdefault("max_body_bytes", 1024 * 1024)
    return new_client(url, **kwargs)


@pytest.fixture
def threaded_sim() -> Iterator[ThreadedSim]:
    """A simulator in its own thread, for tests that block (subprocesses)."""
    server = ThreadedSim(scenario="static", seed=1)
    server.start()
    yield server
    server.stop()


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a child process (the CLI in a fresh interpreter): XDG dirs under `home`,
    no SLV_* leaking in from the developer's shell. (The in-process tests' `isolated_env` fixture
    does the same for the test's own process.)"""
    return subprocess_env(home, **{"PYTHONPATH": str(REPO), **extra})


def cli_argv(*args: str) -> list[str]:
    """argv running the real command line in a fresh interpreter."""
    return [sys.executable, "-m", "slv_tui.cli", *args]


def run_cli(home: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `slv-tui ARGS` to completion with an isolated environment."""
    return subprocess.run(
        cli_argv(*args), env=child_env(home, **env), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """setup_logging() reconfigures the `slv_tui` logger globally; put it back for the other tests."""
    with preserved_logging():
        yield
