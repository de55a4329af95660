"""The server changes its login mode under a running dashboard: the right password typed with `P`
recovers it (the mode is probed again), over real sockets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from slv_tui.sim import ThreadedSim
from slv_tui.ui.screens.password import PasswordScreen
from slv_tui.ui.widgets.header_bar import HeaderBar

from .ui_helpers import build, cell, press, wait_for

StartSim = Callable[..., ThreadedSim]
SIZE = (160, 45)
RUNNING = "1481019204417"


def status_line(app: object) -> str:
    return str(app.query_one(HeaderBar).query_one("#header-status").render())  # type: ignore[attr-defined]


async def test_basic_then_csrf_on_the_same_port_recovers_with_the_right_password(
    start_sim: StartSim, tmp_path: Path
) -> None:
    basic = start_sim(scenario="static", auth="basic")
    stack = build(basic.url, tmp_path, ids=[RUNNING], auth="auto", interval=0.05)
    csrf = ThreadedSim(scenario="static", auth="csrf", password="upgraded-pw")
    try:
        async with stack.app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: status_line(stack.app) == "● connected · basic")
            port = basic.port
            basic.stop()
            csrf.start(port=port)  # the CMS was upgraded and restarted: csrf, a new password
            await wait_for(pilot, lambda: "press P to enter the password" in status_line(stack.app))
            await press(pilot, "P")
            await wait_for(pilot, lambda: isinstance(stack.app.screen, PasswordScreen))
            await press(pilot, *"upgraded-pw", "enter")
            await wait_for(pilot, lambda: status_line(stack.app) == "● connected · csrf session")
            assert cell(stack.app, RUNNING, "state").endswith("running")
            assert stack.poller.snapshot(RUNNING).error is None  # type: ignore[union-attr]
            assert csrf.server.handshakes == 1
    finally:
        csrf.stop()
