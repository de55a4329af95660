"""The dashboard on every login generation: the header says how slv-tui logs in, dying CSRF sessions
never show as trouble, and a bearer token is asked for as a token."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from slv_tui.sim import ThreadedSim
from slv_tui.ui.screens.password import PasswordScreen
from slv_tui.ui.widgets.header_bar import HeaderBar

from .ui_helpers import build, cell, press, screen_text, wait_for

StartSim = Callable[..., ThreadedSim]
SIZE = (160, 45)
OK = "1481016600181"
RUNNING = "1481019204417"


def status_line(app: object) -> str:
    return str(app.query_one(HeaderBar).query_one("#header-status").render())  # type: ignore[attr-defined]


async def test_header_shows_the_detected_csrf_session_over_dying_sessions(
    start_sim: StartSim, tmp_path: Path
) -> None:
    sim = start_sim(scenario="static", auth="csrf", session_max_uses=2)
    stack = build(sim.url, tmp_path, ids=[OK, RUNNING], auth="auto", interval=0.05)
    async with stack.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "csrf session" in status_line(stack.app))
        assert status_line(stack.app) == "● connected · csrf session"
        await wait_for(pilot, lambda: sim.server.handshakes >= 4)  # sessions died, rounds went on
        assert cell(stack.app, OK, "state").endswith("succeeded")
        assert "connected · csrf session" in status_line(stack.app)
        assert all(s.error is None for s in stack.poller.snapshots())


async def test_header_shows_detected_basic_but_not_a_forced_one(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static")
    detected = build(sim.url, tmp_path / "a", ids=[OK], auth="auto")
    async with detected.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "connected" in status_line(detected.app))
        await wait_for(pilot, lambda: status_line(detected.app) == "● connected · basic")
    forced = build(sim.url, tmp_path / "b", ids=[OK], auth="basic")
    async with forced.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: cell(forced.app, OK, "state").endswith("succeeded"))
        assert status_line(forced.app) == "● connected"


async def test_a_refused_token_asks_for_a_token(start_sim: StartSim, tmp_path: Path) -> None:
    sim = start_sim(scenario="static", auth="bearer", token="the-right-token")
    stack = build(sim.url, tmp_path, ids=[OK], auth="bearer", password="a-wrong-token")
    async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: "press P to enter the token" in status_line(stack.app))
        assert "press P to enter the token" in screen_text(stack.app)
        await press(pilot, "P")
        await wait_for(pilot, lambda: isinstance(stack.app.screen, PasswordScreen))
        assert "Bearer token" in screen_text(stack.app) and "for admin" not in screen_text(stack.app)
        await press(pilot, *"the-right-token", "enter")
        await wait_for(pilot, lambda: cell(stack.app, OK, "state").endswith("succeeded"))
        assert "the-right-token" not in screen_text(stack.app)
