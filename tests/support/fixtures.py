"""The sample answers every tier reads: one folder, inside the repository."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
"""tests/fixtures: the documented getBatchResult samples."""
