"""Fixtures for the UI tests: simulators on 127.0.0.1 in a background thread, isolated data dirs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from slv_tui.sim import ThreadedSim


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real data/config dirs; exports land in the test's folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
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
