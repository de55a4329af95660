"""Reading a widget's component-class styles (the theme's colours) for Rich text it draws itself."""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget


def component_style(widget: Widget, name: str) -> Style:
    """The style of component class `name` on `widget`: only what the CSS sets (partial), else none.

    Widgets bind it as their `_style` method: `_style = component_style`.
    """
    return widget.get_component_rich_style(name, partial=True, default=Style())
