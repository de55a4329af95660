"""Counting what code does, on the real objects: a method or function wrapped to record each call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest

T = TypeVar("T")


def spy(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, pick: Callable[..., T]) -> list[T]:
    """Wrap `owner.name` (undone after the test): each call records `pick(*args, **kwargs)`, then
    runs the original. Returns the list the calls are recorded in."""
    calls: list[T] = []
    original = getattr(owner, name)

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(pick(*args, **kwargs))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls
