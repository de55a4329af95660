"""Fixtures for the core unit tests: a hand-driven clock, the documented samples, isolated dirs."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path("/work/shared/slv-api/samples")
if not SAMPLES.is_dir():  # pragma: no cover - fallback when the shared folder moves
    SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "slv-api" / "samples"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every XDG folder at tmp_path and drop SLV_* variables, so no test sees the real home."""
    for name in ("SLV_URL", "SLV_USERNAME", "SLV_PASSWORD", "SLV_TUI_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "xdg" / name.lower()))
    return tmp_path


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture
def finished_ok() -> dict[str, Any]:
    """A fresh copy of samples/batch_finished_ok.json."""
    return copy.deepcopy(_load("batch_finished_ok.json"))


@pytest.fixture
def just_started() -> dict[str, Any]:
    """A fresh copy of samples/batch_just_started.json."""
    return copy.deepcopy(_load("batch_just_started.json"))


Mutator = Callable[[dict[str, Any]], None]
