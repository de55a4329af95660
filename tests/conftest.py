"""Fixtures every tier shares; the code behind them lives in the `support` package."""

from __future__ import annotations

import pytest
from support.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """A clock the test moves by hand, starting at 1000.0."""
    return FakeClock()
