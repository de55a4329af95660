"""Simulators in the test's own event loop and real clients for them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from slv_tui.sim import SimServer
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient

StartLoopSim = Callable[..., Awaitable[SimServer]]
MakeClient = Callable[..., SlvClient]


@pytest.fixture
async def start_loop_sim() -> AsyncIterator[StartLoopSim]:
    """Start SimServers on 127.0.0.1:0 in the test's own event loop; all are stopped afterwards.
    (The UI tests' `start_sim` starts ThreadedSims instead, each in a thread of its own.)"""
    servers: list[SimServer] = []

    async def start(**kwargs: Any) -> SimServer:
        server = SimServer(**kwargs)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


def new_client(url: str, password: str = "admin", mode: str = "basic", **kwargs: Any) -> SlvClient:
    """A real SlvClient for user `admin` with `password` and auth `mode`; kwargs go to ClientSettings."""
    creds = Credentials("admin", Secret(password), mode)  # type: ignore[arg-type]
    return SlvClient(ClientSettings(url=url, credentials=creds, **kwargs))
