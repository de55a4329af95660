"""Reading a widget's component-class styles (the theme's colours) for Rich text it draws itself."""

from __future__ import annotations

from rich.color import Color, ColorParseError
from rich.style import Style
from textual.widget import Widget


def component_style(widget: Widget, name: str) -> Style:
    """The style of component class `name` on `widget`: only what the CSS sets (partial), else none.

    Widgets bind it as their `_style` method: `_style = component_style`.
    """
    return widget.get_component_rich_style(name, partial=True, default=Style())


def colour_style(colour: str) -> Style:
    """A bold style in a profile's `color` (a colour name or #rrggbb, from the config: data, so
    anything Rich cannot read as a colour is no style at all, never markup)."""
    if not colour:
        return Style()
    try:
        return Style(color=Color.parse(colour), bold=True)
    except ColorParseError:
        return Style()
