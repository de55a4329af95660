"""Fixtures for the reliability suite: real simulators and servers on 127.0.0.1, a fake clock, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from slv_tui.sim import SimServer, ThreadedSim
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient

# Running batches of the frozen "static" scenario: they never finish, so the poller keeps polling them.
RUNNING_IDS = ("1481018818069", "1481019204417", "1481019867302")
PASSWORD = "admin"
REPO = Path(__file__).resolve().parents[2]


class FakeClock:
    """A monotonic clock the test moves by hand."""

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
async def sim() -> AsyncIterator[SimServer]:
    """A frozen-scenario simulator in the test's own event loop."""
    server = SimServer(scenario="static", slow_seconds=5.0, huge_bytes=2 * 1024 * 1024, seed=1)
    await server.start()
    yield server
    await server.stop()


def client_for(url: str, **kwargs: Any) -> SlvClient:
    """A real client with a short timeout and a 1 MiB body cap (so `huge` stays cheap)."""
    password = kwargs.pop("password", PASSWORD)
    mode = kwargs.pop("mode", "basic")
    settings = ClientSettings(
        url=url,
        credentials=Credentials("admin", Secret(password), mode),
        timeout=kwargs.pop("timeout", 0.3),
        max_body_bytes=kwargs.pop("max_body_bytes", 1024 * 1024),
        **kwargs,
    )
    return SlvClient(settings)


@pytest.fixture
def threaded_sim() -> Iterator[ThreadedSim]:
    """A simulator in its own thread, for tests that block (subprocesses)."""
    server = ThreadedSim(scenario="static", seed=1)
    server.start()
    yield server
    server.stop()


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment with XDG dirs under `home` and no SLV_* leaking in from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLV_", "XDG_"))}
    env.update(
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHONPATH=str(REPO),
        NO_COLOR="1",
    )
    env.update(extra)
    return env


def cli_argv(*args: str) -> list[str]:
    """argv running the real command line in a fresh interpreter."""
    return [sys.executable, "-m", "slv_tui.cli", *args]


def run_cli(home: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `slv-tui ARGS` to completion with an isolated environment."""
    return subprocess.run(
        cli_argv(*args), env=isolated_env(home, **env), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """setup_logging() reconfigures the `slv_tui` logger globally; put it back for the other tests."""
    import logging

    root = logging.getLogger("slv_tui")
    saved = (list(root.handlers), root.level, root.propagate)
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])
    root.propagate = saved[2]
