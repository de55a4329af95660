"""Terminal safety in the dashboard for text the app writes itself: labels from the watchlist file
and what is typed or pasted into its dialogs never carry escapes or invisible characters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("textual")

from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App

from slv_tui.sim import ThreadedSim
from slv_tui.ui.safe_input import SafeInput

from .hostilecases import record
from .pilot_helpers import build, cell, press, screen_text, wait_for
from .test_terminal_safety import bad_chars

SIZE = (120, 30)
OK = "1481016600181"
OSC_TITLE = "\x1b]0;pwned-title\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZWNobyBvd25lZA==\x07"
INVISIBLE = "\u200b\u2060\u00ad\u3164\U000e0041\ufff9"
OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")


def terminal_output(app: App[Any]) -> str:
    """Every byte the app would write to the terminal for a full redraw of what is on screen now:
    the compositor's update rendered as in App._display (a headless run writes nothing)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, CompositorUpdate)
    return update.render_segments(app.console)


async def test_label_dialog_shows_a_hostile_label_cleaned(tmp_path: Path) -> None:
    with ThreadedSim(scenario="static") as sim:
        stack = build(sim.url, tmp_path, ids=[OK])
        # a label as it may stand in the watchlist file (written by hand, or by another tool)
        stack.watchlist.set_label(OK, f"Main{OSC_TITLE} street{OSC_CLIPBOARD}{INVISIBLE} 2")
        async with stack.app.run_test(size=SIZE) as pilot:
            app = stack.app
            await wait_for(pilot, lambda: cell(app, OK, "fetch") != "")
            await press(pilot, "l")
            await wait_for(pilot, lambda: bool(app.screen.query("#label-input")))
            box = app.screen.query_one("#label-input", SafeInput)
            assert box.value == "Main street 2"
            text = screen_text(app)
            assert "pwned" not in text and "ZWNobyBvd25lZA" not in text
            assert bad_chars(text, allow="\n") == []
            assert not any(ch in text for ch in INVISIBLE)
            drawn = terminal_output(app)
            assert "Main street 2" in drawn  # the capture holds the dialog
            for payload in ("pwned", "ZWNobyBvd25lZA", *INVISIBLE):
                assert payload not in drawn, f"label text {payload!r} reached the terminal raw"
            assert OSC.findall(drawn) == [], f"OSC sequences sent to the terminal: {OSC.findall(drawn)}"
            drawn_size = len(drawn.encode())
            # typed and pasted text is cleaned too: a paste holding an OSC 52 write stays inert
            await press(pilot, "end")
            box.post_message(events.Paste(f" X{OSC_CLIPBOARD}\u200bY"))
            await wait_for(pilot, lambda: box.value.endswith("XY"))
            assert box.value == "Main street 2 XY"
            await press(pilot, "enter")
            await wait_for(pilot, lambda: not app.screen.query("#label-input"))
            await press(pilot, "q")  # at once: the label is saved before the app ends
            await wait_for(pilot, lambda: not app.is_running)
        await stack.client.aclose()
    assert stack.watchlist.entries[0].label == "Main street 2 XY"  # saved clean
    record(
        6,
        f"0 OSC sequences and 0 invisible characters in {drawn_size // 1024} KiB drawn with the dialog open",
    )


async def test_filter_and_add_dialog_inputs_clean_a_paste(tmp_path: Path) -> None:
    with ThreadedSim(scenario="static") as sim:
        stack = build(sim.url, tmp_path, ids=[OK])
        async with stack.app.run_test(size=SIZE) as pilot:
            app = stack.app
            await wait_for(pilot, lambda: cell(app, OK, "fetch") != "")
            await press(pilot, "a")
            await wait_for(pilot, lambda: bool(app.screen.query("#add-label")))
            label = app.screen.query_one("#add-label", SafeInput)
            label.post_message(events.Paste(f"Depot{OSC_TITLE}{INVISIBLE} 7"))
            await wait_for(pilot, lambda: label.value != "")
            assert label.value == "Depot 7"
            await press(pilot, "escape")
            await wait_for(pilot, lambda: not app.screen.query("#add-label"))
            box = app.screen.query_one("#filter", SafeInput)
            box.value = f"run{OSC_CLIPBOARD}\u200b"
            assert box.value == "run"
        await stack.client.aclose()
