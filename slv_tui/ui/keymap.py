"""The binding IDs a config's `[keymap]` may rebind: every Binding with an `id` in slv-tui's app,
screens and widgets (Textual's `App.set_keymap` does the rebinding)."""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode


def binding_ids() -> frozenset[str]:
    """The IDs of every Binding declared by a slv-tui class (the app, its screens and widgets)."""
    import slv_tui.ui.app

    # and the dialogs imported when first opened (not at the dashboard's start)
    import slv_tui.ui.screens.add_batches
    import slv_tui.ui.screens.commission_dialog
    import slv_tui.ui.screens.feed
    import slv_tui.ui.screens.label  # noqa: F401

    ids: set[str] = set()
    classes: list[type] = [DOMNode]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        if cls.__module__.startswith("slv_tui."):
            ids.update(b.id for b in vars(cls).get("BINDINGS", ()) if isinstance(b, Binding) and b.id)
    return frozenset(ids)
