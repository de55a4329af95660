"""Fixtures for the core unit tests: the documented samples, isolated dirs (clock: tests/conftest.py)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from support.env import isolated_env as isolated_env  # autouse: XDG dirs under tmp_path, no SLV_*
from support.fixtures import FIXTURES

SAMPLES = FIXTURES


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
