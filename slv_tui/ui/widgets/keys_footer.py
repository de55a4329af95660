"""Textual's Footer, rebuilt only when the keys it would show change.

Textual's Footer recomposes (removes and mounts again every key, each styled anew) on each
`refresh_bindings` of its screen. The dashboard's start asks for that some eight times before its
first rows are drawn (focus, the screen stack, three resizes, the first draw), each 15 to 35 ms on a
loaded machine; the keys are the same each time. This Footer recomposes only when what its
`compose` reads is different from what it last composed: the screen's active bindings (key, shown
key, description, action, group, enabled, tooltip), `show_command_palette` and the palette's key.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.widgets import Footer


class KeysFooter(Footer):
    """A Footer that skips a recompose which would build the same keys again."""

    composed: tuple[Hashable, ...] | None = None
    """What the keys were last built from (None: not yet)."""
    recomposed = 0
    """Recomposes that ran (a start-up guard counts them)."""

    def keys_shown(self) -> tuple[Hashable, ...]:
        """Everything `Footer.compose` reads: equal tuples, equal keys."""
        app = self.app
        keys = tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, binding.show,
             None if binding.group is None else (binding.group.description, binding.group.compact),
             enabled, tooltip, binding.tooltip)
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
        )  # fmt: skip
        return keys, self.show_command_palette, app.ENABLE_COMMAND_PALETTE, app.COMMAND_PALETTE_BINDING

    async def recompose(self) -> None:
        """Build the keys again, unless they would be the same as the last ones built."""
        if not self.is_attached:
            return
        shown = self.keys_shown()
        if shown == self.composed and (self.children or not shown[0]):
            return  # (no keys built while there are keys: built before the bindings were known)
        self.composed = shown
        self.recomposed += 1
        await super().recompose()
