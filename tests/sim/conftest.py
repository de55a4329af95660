"""Fixtures for simulator tests: in-process servers on loopback (shared) and a raw HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from support.sim import start_loop_sim as start_loop_sim  # the in-loop simulator fixture


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(auth=("admin", "admin"), timeout=10) as c:
        yield c
