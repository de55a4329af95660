"""Opening the detail pane of a batch with 100,000 messages, against one with 4 messages.

Run: python benchmarks/ui_detail.py [--messages N] [--repeat R]

The real app runs headless (App.run_test) against the simulator on 127.0.0.1. Each measurement
moves the table cursor onto a batch and waits until the app has processed everything that follows
(detail pane and step tree built and laid out). The tree is lazy, so the ratio should stay near 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

from textual.widgets import DataTable

from slv_tui.sim import SimServer
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.store.watchlist import Watchlist
from slv_tui.ui.app import AppSettings, make_app, open_board
from slv_tui.ui.widgets.step_tree import StepTree

SMALL, LARGE = "1000000000001", "1000000000002"


def scenario(messages: int) -> dict[str, object]:
    """Two finished batches, frozen: the documented 4-message run and a huge one."""
    step = {"name": "commissioning", "label": "Commissioning", "at": 0}
    return {
        "frozen": True,
        "templates": {
            "small": {"duration": 10, "steps": [{**step, "messages": [
                {"at": 1, "severity": "info", "text": f"message {n}"} for n in range(4)]}]},
            "large": {"duration": 10, "outcome": "errors", "steps": [{**step, "generate": {
                "count": messages, "from": 0, "to": 9, "device": "Lamp-{n:06d}",
                "text": "{device}: configuration pushed", "error_every": 1000,
                "error_text": "{device}: not found on controller"}}]},
        },
        "batches": [{"id": SMALL, "template": "small", "at": 100},
                    {"id": LARGE, "template": "large", "at": 100}],
    }  # fmt: skip


async def measure(messages: int, repeat: int) -> tuple[float, float]:
    """Median seconds to show the small and the large batch."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.json"
        path.write_text(json.dumps(scenario(messages)))
        sim = SimServer(scenario=str(path))
        url = await sim.start()
        client = SlvClient(ClientSettings(url, Credentials("admin", Secret("admin"))))
        watchlist = Watchlist(Path(folder) / "watchlist.json")
        watchlist.add([SMALL, LARGE])
        settings = AppSettings(server_label="bench", state_file=Path(folder) / "ui.json")
        app = make_app(settings, [open_board(client, watchlist, interval=3600)])
        poller = app.poller
        times: dict[str, list[float]] = {SMALL: [], LARGE: []}
        async with app.run_test(size=(160, 45)) as pilot:
            while not all((s := poller.snapshot(b)) and s.batch for b in (SMALL, LARGE)):
                await pilot.pause(0.05)
            table = app.screen.query_one(DataTable)
            app.screen.query_one(StepTree)  # the detail pane is there
            for _ in range(repeat):
                for key in ("down", "up"):
                    started = time.perf_counter()
                    await pilot.press(key)
                    await pilot.pause()
                    elapsed = time.perf_counter() - started
                    row = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
                    times[str(row)].append(elapsed)
        await sim.stop()
        return statistics.median(times[SMALL] or [0.0]), statistics.median(times[LARGE] or [0.0])


def main() -> None:
    """Print both medians and the ratio."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    small, large = asyncio.run(measure(args.messages, args.repeat))
    print(f"show a batch with 4 messages        {small * 1000:7.1f} ms   ratio 1.00x (baseline)")
    print(
        f"show a batch with {args.messages:,} messages  {large * 1000:7.1f} ms   ratio {large / small:5.2f}x"
    )


if __name__ == "__main__":
    main()
