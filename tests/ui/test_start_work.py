"""Guards for the dashboard's start (the first batch row on screen), counting work, not time.

What runs before the first row shows delays it: here, the footer's keys rebuilt again and again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.fake_fetch import ScenarioFetch
from textual.widget import Widget
from textual.widgets import Footer

from .ui_helpers import OFFLINE, build, wait_for

IDS = ["1481019204417", "1481016600181", "1481022433710", "1481023025871"]


async def test_the_footer_is_built_once_before_the_first_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: Textual's Footer recomposing (every key removed, mounted and styled again) on each
    `refresh_bindings` of the start (focus, screen stack, resizes, the first draw: 5 to 8 times
    before the first row, 15-35 ms each on a loaded machine) though its keys do not change."""
    composed = 0
    compose = Footer.compose

    def counting(self: Footer) -> Iterator[Widget]:
        nonlocal composed
        composed += 1
        return compose(self)  # type: ignore[return-value]

    monkeypatch.setattr(Footer, "compose", counting)
    stack = build(OFFLINE, tmp_path, ids=IDS, fetch=ScenarioFetch("demo"), interval=2.0)
    app = stack.app
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.dashboard.painter.taken)
        await pilot.pause()
        footer = app.dashboard.query_one(Footer)
        keys: Any = footer.children
        assert len(keys) > 3  # the keys are there
        # the first (empty) compose at mount, one with the keys once the bindings are known, one
        # when the first draw enables keys that need a row (9 before KeysFooter)
        assert composed <= 3, f"the footer was built {composed} times before the first rows"
        before = composed
        app.dashboard.refresh_bindings()  # nothing changed: nothing rebuilt
        await pilot.pause()
        await pilot.pause()
        assert composed == before
        await pilot.resize_terminal(90, 45)  # narrow: no palette key in the footer, rebuilt
        await wait_for(pilot, lambda: composed > before)
        assert not footer.show_command_palette


async def test_a_resize_to_the_same_width_class_refreshes_no_bindings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: the dashboard asking for its bindings again (every binding's check_action, the
    footer's keys compared) on each resize, though only crossing NARROW_BELOW columns changes them:
    Textual sends the screen three resizes of the same size as it starts in a terminal."""
    stack = build(OFFLINE, tmp_path, ids=IDS, fetch=ScenarioFetch("demo"), interval=2.0)
    app = stack.app
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: app.dashboard.painter.taken)
        await pilot.pause()
        asked = 0
        refresh = type(app.dashboard).refresh_bindings

        def counting(self: Any) -> None:
            nonlocal asked
            asked += 1
            refresh(self)

        monkeypatch.setattr(type(app.dashboard), "refresh_bindings", counting)
        for width in (160, 150, 100):  # wide each time
            await pilot.resize_terminal(width, 45)
            await pilot.pause()
        assert asked == 0, f"bindings refreshed {asked} times by resizes that kept the screen wide"
        await pilot.resize_terminal(90, 45)  # narrow: y, o and F move to the tree's footer
        await wait_for(pilot, lambda: asked == 1)
        await pilot.resize_terminal(160, 45)
        await wait_for(pilot, lambda: asked == 2)
