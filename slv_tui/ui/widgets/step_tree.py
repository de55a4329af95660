"""The step tree: step → Info / Warnings / Errors → messages, built lazily, updated in place by key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from slv_tui.sanitize import clean
from slv_tui.slv.model import Batch, Severity, Step
from slv_tui.ui.styles import component_style
from slv_tui.ui.widgets.batch_table import VIM_KEYS

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


class StepTree(Tree[NodeInfo]):
    """Steps of the selected batch; keeps cursor and expanded nodes across polls of the same batch."""

    DEFAULT_CSS = """
    StepTree {
        height: 1fr;
        background: $surface;
        padding: 0 1;
    }
    StepTree:focus {
        background-tint: $foreground 4%;
    }
    StepTree > .step-tree--warning { color: $text-warning; }
    StepTree > .step-tree--error { color: $text-error; text-style: bold; }
    StepTree > .step-tree--ok { color: $text-success; }
    StepTree > .step-tree--muted { color: $foreground-muted; }
    StepTree > .step-tree--current { color: $text-accent; text-style: bold; }
    StepTree > .step-tree--key { color: $text-accent; }
    """

    BINDINGS = [
        *VIM_KEYS,
        Binding("g", "first", "", show=False),
        Binding("G", "last", "", show=False),
        Binding("escape", "screen.back", "Back", tooltip="Back to the table"),
        Binding("enter", "select_cursor", "Open/close", tooltip="Open or close the node"),
    ]
    """Contextual keys: the footer shows esc and enter while the tree has the focus."""

    COMPONENT_CLASSES = {
        "step-tree--warning",
        "step-tree--error",
        "step-tree--ok",
        "step-tree--muted",
        "step-tree--current",
        "step-tree--key",
    }

    def __init__(self) -> None:
        super().__init__(Text("steps"), id="step-tree")
        self.show_root = False
        self.guide_depth = 3
        self._batch: Batch | None = None
        self._key: tuple[str, bool] | None = None
        self._steps: list[TreeNode[NodeInfo]] = []
        self._groups: dict[tuple[int, Severity], TreeNode[NodeInfo]] = {}
        self._more: dict[tuple[int, Severity], TreeNode[NodeInfo]] = {}
        self._placeholder: TreeNode[NodeInfo] | None = None

    def action_first(self) -> None:
        """Cursor to the first line."""
        self.cursor_line = 0

    def action_last(self) -> None:
        """Cursor to the last line."""
        self.cursor_line = self.last_line

    # -- public ---------------------------------------------------------------------------------

    def show_batch(self, batch: Batch | None, note: str = "no batch selected") -> None:
        """Show this batch (or `note`); the same batch again is updated in place, another one is rebuilt."""
        if batch is None:
            self._reset(None)
            self._note(note)
            return
        key = (batch.batch_id, batch.raw_value is not None)
        previous = self._batch
        if key != self._key or previous is None or not _same_steps(previous, batch):
            self._reset(batch)
            self._key = key
            if batch.raw_value is not None:
                self._add_json(self.root, batch.raw_value)
                self.root.data = NodeInfo("json", populated=True, value=batch.raw_value)
            else:
                self._update_steps(None, batch)
            return
        if batch.raw_value is not None:
            if batch.raw_value != previous.raw_value:
                self._key = None
                self.show_batch(batch)
            return
        cursor = self.cursor_node
        self._batch = batch
        self._update_steps(previous, batch)
        if cursor is not None and self.last_line >= 0 and cursor.line != self.cursor_line:
            self.move_cursor(cursor)

    def land(self) -> None:
        """Put the cursor where reading starts, unless it is already somewhere: the first Errors
        group, else the step running now, else the first line."""
        if self.cursor_node is not None or self.last_line < 0:
            return
        groups = (self._groups.get((i, Severity.ERROR)) for i in range(len(self._steps)))
        target = next((node for node in groups if node is not None and node.is_expanded), None)
        if target is None and self._batch is not None and self._batch.running and self._steps:
            target = self._steps[-1]
        if target is None:
            self.cursor_line = 0
        else:
            self.move_cursor(target)

    def restyle(self) -> None:
        """Relabel every node with the current theme's colours."""
        batch, self._key, self._batch = self._batch, None, None
        self.show_batch(batch)

    # -- building -------------------------------------------------------------------------------

    def _reset(self, batch: Batch | None) -> None:
        self.clear()
        self._batch = batch
        self._key = None
        self._steps = []
        self._groups = {}
        self._more = {}
        self._placeholder = None

    def _note(self, text: str) -> None:
        self._placeholder = self.root.add_leaf(Text(text, style=self._style("step-tree--muted")))
        self._placeholder.data = NodeInfo("note")

    def _update_steps(self, previous: Batch | None, batch: Batch) -> None:
        steps = batch.steps
        if not steps and self._placeholder is None:
            self._note("no steps reported yet")
        if steps and self._placeholder is not None:
            self._placeholder.remove()
            self._placeholder = None
        current = len(steps) - 1 if batch.running else -1
        for i, step in enumerate(steps):
            label = self._step_label(step, current=i == current)
            if i < len(self._steps):
                node = self._steps[i]
                if node.label != label:
                    node.set_label(label)
                info = node.data
                assert info is not None
                old = previous.steps[i] if previous is not None else None
                if info.populated:
                    self._update_groups(i, step)
                if step.errors and (old is None or not old.errors):
                    self._open_errors(node, i)
            else:
                node = self.root.add(label, data=NodeInfo("step", i), allow_expand=True)
                self._steps.append(node)
                if step.errors:
                    self._open_errors(node, i)

    def _open_errors(self, node: TreeNode[NodeInfo], index: int) -> None:
        """Steps with errors open by default, with their Errors group open too."""
        self._populate(node)
        node.expand()
        group = self._groups[(index, Severity.ERROR)]
        self._populate(group)
        group.expand()

    def _populate(self, node: TreeNode[NodeInfo]) -> None:
        """Add a node's children the first time it is opened."""
        info = node.data
        if info is None or info.populated or self._batch is None:
            return
        info.populated = True
        if info.kind == "step":
            step = self._batch.steps[info.step]
            for severity in Severity:
                count = len(step.messages(severity))
                group = node.add(
                    self._group_label(severity, count),
                    data=NodeInfo("group", info.step, severity),
                    allow_expand=count > 0,
                )
                self._groups[(info.step, severity)] = group
        elif info.kind == "group":
            self._add_messages(node)
        elif info.kind == "json":
            self._add_json(node, info.value)

    def _update_groups(self, index: int, step: Step) -> None:
        for severity in Severity:
            group = self._groups[(index, severity)]
            count = len(step.messages(severity))
            label = self._group_label(severity, count)
            if group.label != label:
                group.set_label(label)
            group.allow_expand = count > 0
            info = group.data
            assert info is not None
            more = self._more.get((index, severity))
            if more is not None:
                more.set_label(self._more_label(count - info.shown))
            elif info.populated and info.shown < count:
                self._add_messages(group)

    def _add_messages(self, group: TreeNode[NodeInfo]) -> None:
        """Add the next page of a group's messages, and a "more" node if some are left."""
        info = group.data
        assert info is not None and info.severity is not None and self._batch is not None
        key = (info.step, info.severity)
        more = self._more.pop(key, None)
        if more is not None:
            more.remove()
        messages = self._batch.steps[info.step].messages(info.severity)
        style = self._severity_style(info.severity)
        stop = min(len(messages), info.shown + PAGE)
        for message in messages[info.shown : stop]:
            text = Text(MESSAGE_MARK[info.severity], style=style)
            text.append(clean(message.text), style=style)
            if message.status_text and message.status_text.upper() not in ("OK", "WARNING", "ERROR"):
                note = f"  ({clean(message.status_text, max_length=40)})"
                text.append(note, self._style("step-tree--muted"))
            group.add_leaf(text, data=NodeInfo("message", info.step, info.severity))
        info.shown = stop
        if stop < len(messages):
            node = group.add_leaf(self._more_label(len(messages) - stop), data=NodeInfo("more", *key))
            self._more[key] = node

    def _add_json(self, node: TreeNode[NodeInfo], value: Any) -> None:
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

    # -- labels ---------------------------------------------------------------------------------

    _style = component_style

    def _severity_style(self, severity: Severity) -> Style:
        if severity is Severity.ERROR:
            return self._style("step-tree--error")
        if severity is Severity.WARNING:
            return self._style("step-tree--warning")
        return Style()

    def _step_label(self, step: Step, *, current: bool) -> Text:
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
            text.append(f"{letter} {n}  ", self._severity_style(severity) if n else muted)
        text.rstrip()
        return text

    def _group_label(self, severity: Severity, count: int) -> Text:
        style = self._severity_style(severity) if count else self._style("step-tree--muted")
        return Text(f"{GROUP_TITLES[severity]} ({count})", style=style)

    def _more_label(self, remaining: int) -> Text:
        return Text(f"… {remaining} more — press enter to show {min(PAGE, remaining)}", style="italic")

    # -- events ---------------------------------------------------------------------------------

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[NodeInfo]) -> None:
        self._populate(event.node)

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[NodeInfo]) -> None:
        info = event.node.data
        parent = event.node.parent
        if info is not None and info.kind == "more" and parent is not None:
            self._add_messages(parent)


def _same_steps(previous: Batch, batch: Batch) -> bool:
    """True when `batch` only adds to `previous`'s steps (same names, none removed)."""
    if len(batch.steps) < len(previous.steps):
        return False
    return all(a.name == b.name for a, b in zip(previous.steps, batch.steps, strict=False))
