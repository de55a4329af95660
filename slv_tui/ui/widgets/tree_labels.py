"""What the step tree's nodes say: step, group, "more" and JSON labels in the theme's colours."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from rich.style import Style
from rich.text import Text
from textual.widgets.tree import TreeNode

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import Severity, Step

PAGE = 200
"""Children added per expansion; the rest waits behind a "more" node, so huge batches open instantly."""

GROUP_TITLES = {Severity.INFO: "Info", Severity.WARNING: "Warnings", Severity.ERROR: "Errors"}
MESSAGE_MARK = {Severity.INFO: "· ", Severity.WARNING: "⚠ ", Severity.ERROR: "✖ "}

Kind = Literal["step", "group", "message", "more", "json", "note"]


@dataclass(slots=True)
class NodeInfo:
    """What a tree node stands for, and how much of it has been built."""

    kind: Kind
    step: int = -1
    severity: Severity | None = None
    shown: int = 0
    populated: bool = False
    value: Any = None


class TreeLabels:
    """Builds node labels with the styles of the tree's component classes (read through `style`)."""

    def __init__(self, style: Callable[[str], Style]) -> None:
        self._style = style

    def add_json(self, node: TreeNode[NodeInfo], value: Any) -> None:
        """Add one level of a JSON value (the rest is added when a child is opened)."""
        items: list[tuple[str, Any]]
        if isinstance(value, dict):
            items = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            items = [(f"[{i}]", v) for i, v in enumerate(value)]
        else:
            items = [("value", value)]
        key_style = self._style("step-tree--key")
        for name, child in items[:PAGE]:
            label = Text(clean(name, max_length=80), style=key_style)
            if isinstance(child, dict | list):
                label.append(f" {{{len(child)}}}" if isinstance(child, dict) else f" [{len(child)}]")
                node.add(label, data=NodeInfo("json", value=child), allow_expand=bool(child))
            else:
                label.append(": ")
                label.append(clean(json.dumps(child, ensure_ascii=False), max_length=500))
                node.add_leaf(label, data=NodeInfo("json", populated=True))
        if len(items) > PAGE:
            rest = Text(f"… {len(items) - PAGE} more not shown", style=self._style("step-tree--muted"))
            node.add_leaf(rest)

    def severity_style(self, severity: Severity) -> Style:
        if severity is Severity.ERROR:
            return self._style("step-tree--error")
        if severity is Severity.WARNING:
            return self._style("step-tree--warning")
        return Style()

    def step_label(self, step: Step, *, current: bool) -> Text:
        counts = step.counts
        if counts.error or step.errors:
            mark, style = "✖ ", self._style("step-tree--error")
        elif counts.warning or step.warnings:
            mark, style = "⚠ ", self._style("step-tree--warning")
        elif current:
            mark, style = "▶ ", self._style("step-tree--current")
        else:
            mark, style = "✔ ", self._style("step-tree--ok")
        text = Text(mark, style=style)
        text.append(clean(step.title, max_length=200), style=style if current or counts.error else "")
        text.append("   ")
        muted = self._style("step-tree--muted")
        for severity, letter in ((Severity.INFO, "i"), (Severity.WARNING, "w"), (Severity.ERROR, "e")):
            n = len(step.messages(severity))
            text.append(f"{letter} {n}  ", self.severity_style(severity) if n else muted)
        text.rstrip()
        return text

    def group_label(self, severity: Severity, count: int) -> Text:
        style = self.severity_style(severity) if count else self._style("step-tree--muted")
        return Text(f"{GROUP_TITLES[severity]} ({count})", style=style)

    def more_label(self, remaining: int) -> Text:
        return Text(f"… {remaining} more — press enter to show {min(PAGE, remaining)}", style="italic")
