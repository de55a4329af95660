"""The login mode names, importable without httpx or asyncio (the config and the CLI need only these)."""

from __future__ import annotations

from typing import Literal

AuthMode = Literal["basic", "form", "csrf", "bearer"]
"""How requests are authenticated once the mode is known."""
AuthChoice = Literal["auto", "basic", "form", "csrf", "bearer"]
"""What the user asked for: a mode, or `auto` (one probe decides)."""
AUTH_MODES: tuple[AuthMode, ...] = ("basic", "form", "csrf", "bearer")
AUTH_CHOICES: tuple[AuthChoice, ...] = ("auto", "basic", "form", "csrf", "bearer")
MODE_LABELS: dict[AuthMode, str] = {
    "basic": "basic",
    "form": "form session",
    "csrf": "csrf session",
    "bearer": "bearer token",
}
"""How the dashboard header and `check` name each mode."""
