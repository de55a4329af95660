"""Search over every message of one batch: the index, and the matches grouped so a million cost little."""

from __future__ import annotations

import bisect
from collections.abc import Collection, Sequence
from typing import NamedTuple

from slv_tui.slv.model import Batch, Severity


class Hit(NamedTuple):
    """Where a search matched: step index, severity group, position of the message in that group."""

    step: int
    severity: Severity
    position: int


class SearchIndex:
    """The lowercased text of every message of one batch, built once per batch (the model, not the tree)."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.groups: list[tuple[int, Severity, list[str]]] = [
            (i, severity, [m.text.lower() for m in step.messages(severity)])
            for i, step in enumerate(batch.steps)
            for severity in Severity  # the tree's order: step by step, Info, Warnings, Errors
        ]

    def search(self, needle: str, severities: Sequence[Severity], steps: Collection[int]) -> Hits:
        """Every message containing `needle` (case-insensitive), in tree order."""
        needle = needle.lower()
        found: list[tuple[int, Severity, list[int]]] = []
        for step, severity, texts in self.groups:
            if severity in severities and step in steps:
                positions = [k for k, text in enumerate(texts) if needle in text]
                if positions:
                    found.append((step, severity, positions))
        return Hits(found)


class Hits:
    """Matches grouped per (step, severity): counting a million costs no object per match."""

    def __init__(self, groups: list[tuple[int, Severity, list[int]]] | None = None) -> None:
        self.groups = groups or []
        self.starts: list[int] = []
        total = 0
        for _, _, positions in self.groups:
            self.starts.append(total)
            total += len(positions)
        self.total = total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: int) -> Hit:
        if not 0 <= index < self.total:
            raise IndexError(index)
        group = bisect.bisect_right(self.starts, index) - 1
        step, severity, positions = self.groups[group]
        return Hit(step, severity, positions[index - self.starts[group]])

    def find(self, hit: Hit) -> int:
        """The index of `hit`, -1 when it is not a match."""
        for start, (step, severity, positions) in zip(self.starts, self.groups, strict=True):
            if (step, severity) == (hit.step, hit.severity):
                k = bisect.bisect_left(positions, hit.position)
                return start + k if k < len(positions) and positions[k] == hit.position else -1
        return -1
