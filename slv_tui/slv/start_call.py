"""One call that starts a batch, as the client sends it (and, when provably not acted on, sends again)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class StartCall:
    """A commissioning POST, a device import (raw body POST) or a calendar commissioning GET."""

    method: Literal["GET", "POST"]
    path: str
    form: dict[str, str | list[str]] | None
    query: dict[str, str]
    content: bytes | None
