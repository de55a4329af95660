"""Fixtures for simulator tests: a fake clock and in-process servers on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from slv_tui.sim import SimServer

from .helpers import FakeClock, StartSim


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def start_sim() -> AsyncIterator[StartSim]:
    """Start SimServers on 127.0.0.1:0 in the test's loop; all are stopped afterwards."""
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
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(auth=("admin", "admin"), timeout=10) as c:
        yield c
