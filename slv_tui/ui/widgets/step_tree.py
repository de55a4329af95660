"""The step tree: step → Info / Warnings / Errors → messages, built lazily, updated in place by key."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message as TextualMessage
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import Batch, Severity, Step
from slv_tui.ui.styles import component_style
from slv_tui.ui.widgets.batch_table import VIM_KEYS
from slv_tui.ui.widgets.tree_labels import MESSAGE_MARK, PAGE, NodeInfo, TreeLabels
from slv_tui.ui.widgets.tree_search import Hits, SearchIndex

_TREE = "In the step tree: "

View = Literal["all", "problems", "compact"]
VIEW_NOTE = {
    "problems": "no warnings or errors — w shows every message",
    "compact": "no step running and none failed — C shows every step",
}


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
        Binding("escape", "screen.back", "Back", show=False, tooltip="Back to the table"),
        Binding("q", "screen.back", "Back", tooltip=f"{_TREE}back to the table"),
        Binding("enter", "select_cursor", "Open", tooltip="Open or close the node"),
        Binding("slash", "find", "Find", tooltip=f"{_TREE}search every message of the batch", id="find"),
        Binding("ctrl+f", "find", "Find", show=False, tooltip=f"{_TREE}the same as /"),
        Binding("n", "find_next", "Next", tooltip=f"{_TREE}the next match", id="find-next"),
        Binding(
            "N", "find_previous", "Prev", show=False, tooltip=f"{_TREE}the previous match", id="find-prev"
        ),
        Binding(
            "w", "toggle_problems", "Issues",
            tooltip=f"{_TREE}only warnings and errors (toggle)", id="problems",
        ),
        Binding(
            "C", "toggle_compact", "Brief",
            tooltip=f"{_TREE}only the running step and failed steps (toggle)", id="compact",
        ),
    ]  # fmt: skip
    """Contextual keys: while the tree has the focus the footer shows q as Back (esc does the same),
    enter, find, the w and C views, and n once there is a search (N beside it in help); short
    words, so that with pause and help they fit 60 columns (the table's `/` filter is the screen's)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """n and N are offered (and shown) only while there is a search."""
        if action in ("find_next", "find_previous"):
            return bool(self.needle)
        return True

    class FindAsked(TextualMessage):
        """The operator asked to search (the detail pane shows the search box)."""

    class FindMoved(TextualMessage):
        """The current match or the number of matches changed."""

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
        self.labels = TreeLabels(self._style)
        self._batch: Batch | None = None
        self._key: tuple[str, bool] | None = None
        self._steps: dict[int, TreeNode[NodeInfo]] = {}
        self._groups: dict[tuple[int, Severity], TreeNode[NodeInfo]] = {}
        self._more: dict[tuple[int, Severity], TreeNode[NodeInfo]] = {}
        self._placeholder: TreeNode[NodeInfo] | None = None
        self.view: View = "all"
        self._index: SearchIndex | None = None
        self.needle = ""
        self.hits = Hits()
        self.hit = -1
        """The index in `hits` of the match under the cursor (-1: none yet)."""

    _style = component_style

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
                self.labels.add_json(self.root, batch.raw_value)
                self.root.data = NodeInfo("json", populated=True, value=batch.raw_value)
            else:
                self._update_steps(None, batch)
            if self.needle:  # another batch: its matches, the cursor left where reading starts
                self.hits, self.hit = self._search(), -1
                self.post_message(self.FindMoved())
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
        groups = (self._groups.get((i, Severity.ERROR)) for i in self._steps)
        target = next((node for node in groups if node is not None and node.is_expanded), None)
        if target is None and self._batch is not None and self._batch.running and self._steps:
            target = self._steps[max(self._steps)]
        if target is None:
            self.cursor_line = 0
        else:
            self.move_cursor(target)

    def restyle(self) -> None:
        """Relabel every node with the current theme's colours."""
        batch, self._key, self._batch = self._batch, None, None
        self.show_batch(batch)

    # -- find and views ---------------------------------------------------------------------------

    def find(self, needle: str) -> int:
        """Search every message of the batch (built or not) and open the tree at the first match."""
        self.needle = needle.strip()
        self.hits, self.hit = self._search(), -1
        if self.hits:
            self.goto(0)
        self.post_message(self.FindMoved())
        return len(self.hits)

    def goto(self, index: int) -> None:
        """Open the tree at match `index` (wrapping around) and put the cursor on it."""
        if not self.hits:
            return
        self.hit = index % len(self.hits)
        step, severity, position = self.hits[self.hit]
        node = self._steps.get(step)
        if node is None:
            return
        self._populate(node)
        node.expand()
        group = self._groups.get((step, severity))
        if group is None:
            return
        self._populate(group)
        info = group.data
        assert info is not None
        if info.shown <= position:
            self._add_messages(group, upto=position)
        group.expand()
        target = group.children[position]
        if self.last_line >= 0:  # lays the lines out, so the node has its line
            self.move_cursor(target)
            # Nodes just added grow the tree only at the next layout: scroll there again after it.
            self.call_after_refresh(self._scroll_to_hit, target)
        self.post_message(self.FindMoved())

    def _scroll_to_hit(self, node: TreeNode[NodeInfo]) -> None:
        if self.cursor_node is node:
            self.scroll_to_node(node, animate=False)

    @property
    def find_status(self) -> str:
        """ "3 of 120", "no match", or "" without a search."""
        if not self.needle:
            return ""
        if not self.hits:
            return "no match"
        return f"{self.hit + 1} of {len(self.hits)}" if self.hit >= 0 else f"{len(self.hits)} matches"

    def _search(self) -> Hits:
        batch = self._batch
        if not self.needle or batch is None or batch.raw_value is not None:
            return Hits()
        self.prepare_search()
        assert self._index is not None
        return self._index.search(self.needle, self._severities(), set(self._visible(batch)))

    def prepare_search(self) -> None:
        """Build the search index of the batch shown (once per batch), before the first key is typed."""
        batch = self._batch
        if batch is not None and (self._index is None or self._index.batch is not batch):
            self._index = SearchIndex(batch)

    def action_find(self) -> None:
        """Ask the detail pane for the search box (the batch's search index is built now)."""
        self.prepare_search()
        self.post_message(self.FindAsked())

    def action_find_next(self) -> None:
        """The next match."""
        self._refresh_hits()
        self.goto(self.hit + 1)

    def action_find_previous(self) -> None:
        """The previous match."""
        self._refresh_hits()
        self.goto(self.hit - 1 if self.hit >= 0 else -1)

    def _refresh_hits(self) -> None:
        """The batch grew since the search: search again, keeping the current match."""
        if not self.needle or self._index is None or self._index.batch is self._batch:
            return
        current = self.hits[self.hit] if 0 <= self.hit < len(self.hits) else None
        self.hits = self._search()
        self.hit = -1 if current is None else self.hits.find(current)

    def action_toggle_problems(self) -> None:
        """Only warnings and errors, or everything again."""
        self.set_view("all" if self.view == "problems" else "problems")

    def action_toggle_compact(self) -> None:
        """Only the running step and failed steps, or everything again."""
        self.set_view("all" if self.view == "compact" else "compact")

    def set_view(self, view: View) -> None:
        """Switch the view; the search runs again within it."""
        self.view = view
        self._rebuild()
        if self.needle:
            self.find(self.needle)
        else:
            self.post_message(self.FindMoved())

    # -- building -------------------------------------------------------------------------------

    def _reset(self, batch: Batch | None) -> None:
        self.clear()
        self._batch = batch
        self._key = None
        self._steps = {}
        self._groups = {}
        self._more = {}
        self._placeholder = None

    def _note(self, text: str) -> None:
        self._placeholder = self.root.add_leaf(Text(text, style=self._style("step-tree--muted")))
        self._placeholder.data = NodeInfo("note")

    def _visible(self, batch: Batch) -> list[int]:
        """The steps the current view shows."""
        current = len(batch.steps) - 1 if batch.running else -1
        if self.view == "problems":
            return [
                i
                for i, s in enumerate(batch.steps)
                if s.warnings or s.errors or s.counts.error or s.counts.warning
            ]
        if self.view == "compact":
            return [i for i, s in enumerate(batch.steps) if i == current or s.errors or s.counts.error]
        return list(range(len(batch.steps)))

    def _severities(self) -> tuple[Severity, ...]:
        if self.view == "problems":
            return (Severity.WARNING, Severity.ERROR)
        return tuple(Severity)

    def _rebuild(self) -> None:
        """Build the tree again from the batch (the view changed, or a step left a filtered view)."""
        batch, key = self._batch, self._key
        self._reset(batch)
        self._key = key
        if batch is not None and batch.raw_value is None:
            self._update_steps(None, batch)

    def _update_steps(self, previous: Batch | None, batch: Batch) -> None:
        steps = batch.steps
        visible = self._visible(batch)
        if list(self._steps) != visible[: len(self._steps)]:
            self._rebuild()  # a step left the view (compact: it stopped running)
            return
        if not visible and self._placeholder is None:
            self._note(
                VIEW_NOTE.get(self.view, "no steps reported yet") if steps else "no steps reported yet"
            )
        if visible and self._placeholder is not None:
            self._placeholder.remove()
            self._placeholder = None
        current = len(steps) - 1 if batch.running else -1
        for i in visible:
            step = steps[i]
            label = self.labels.step_label(step, current=i == current)
            if i in self._steps:
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
                self._steps[i] = node
                if step.errors:
                    self._open_errors(node, i)

    def _open_errors(self, node: TreeNode[NodeInfo], index: int) -> None:
        """Steps with errors open by default, with their Errors group open too."""
        self._populate(node)
        node.expand()
        group = self._groups.get((index, Severity.ERROR))
        if group is not None:
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
            for severity in self._severities():
                count = len(step.messages(severity))
                group = node.add(
                    self.labels.group_label(severity, count),
                    data=NodeInfo("group", info.step, severity),
                    allow_expand=count > 0,
                )
                self._groups[(info.step, severity)] = group
        elif info.kind == "group":
            self._add_messages(node)
        elif info.kind == "json":
            self.labels.add_json(node, info.value)

    def _update_groups(self, index: int, step: Step) -> None:
        for severity in self._severities():
            group = self._groups.get((index, severity))
            if group is None:
                continue
            count = len(step.messages(severity))
            label = self.labels.group_label(severity, count)
            if group.label != label:
                group.set_label(label)
            group.allow_expand = count > 0
            info = group.data
            assert info is not None
            more = self._more.get((index, severity))
            if more is not None:
                more.set_label(self.labels.more_label(count - info.shown))
            elif info.populated and info.shown < count:
                self._add_messages(group)

    def _add_messages(self, group: TreeNode[NodeInfo], upto: int = -1) -> None:
        """Add the next page of a group's messages (at least up to message `upto`), and a "more"
        node if some are left."""
        info = group.data
        assert info is not None and info.severity is not None and self._batch is not None
        key = (info.step, info.severity)
        more = self._more.pop(key, None)
        if more is not None:
            more.remove()
        messages = self._batch.steps[info.step].messages(info.severity)
        style = self.labels.severity_style(info.severity)
        stop = min(len(messages), max(info.shown + PAGE, upto + 1))
        for message in messages[info.shown : stop]:
            text = Text(MESSAGE_MARK[info.severity], style=style)
            text.append(clean(message.text), style=style)
            if message.status_text and message.status_text.upper() not in ("OK", "WARNING", "ERROR"):
                note = f"  ({clean(message.status_text, max_length=40)})"
                text.append(note, self._style("step-tree--muted"))
            group.add_leaf(text, data=NodeInfo("message", info.step, info.severity, value=message.text))
        info.shown = stop
        if stop < len(messages):
            node = group.add_leaf(self.labels.more_label(len(messages) - stop), data=NodeInfo("more", *key))
            self._more[key] = node

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
