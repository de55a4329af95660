"""The login mode names, importable without httpx or asyncio (the config and the CLI need only these)."""

from __future__ import annotations

from typing import Literal

AuthMode = Literal["basic", "form"]
AUTH_MODES: tuple[AuthMode, ...] = ("basic", "form")
