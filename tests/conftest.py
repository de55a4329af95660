"""Fixtures every tier shares; the code behind them lives in the `support` package."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings
from support.clock import FakeClock

settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.load_profile("repeatable")
"""Property tests draw the same examples on every run and machine: a red CI is a bug found, not a
roll of the dice (a new seed is an explicit change: run with `--hypothesis-seed=N` to explore)."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: two workers per core. Most tests wait (on a simulator, a child process, a pilot),
    so one worker per core leaves the machine half idle; every test waits on conditions, so more
    workers only make each one slower, never wrong."""
    return 2 * (os.cpu_count() or 1)


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand, starting at 1000.0."""
    return FakeClock()
