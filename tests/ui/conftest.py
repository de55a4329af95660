"""Fixtures for the UI tests: simulators on 127.0.0.1 in a background thread, isolated dirs
(`isolated_env`, as in the unit tests), the test's folder as the working directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support.env import isolated_env as isolated_env  # autouse: XDG dirs under tmp_path, no SLV_*

from slv_tui.sim import ThreadedSim


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in the test's folder: exports and relative paths land there."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def start_sim() -> Iterator[Callable[..., ThreadedSim]]:
    """Start ThreadedSims (own thread and loop); all are stopped afterwards."""
    sims: list[ThreadedSim] = []

    def start(**kwargs: Any) -> ThreadedSim:
        sim = ThreadedSim(**kwargs)
        sim.start()
        sims.append(sim)
        return sim

    yield start
    for sim in sims:
        sim.stop()
