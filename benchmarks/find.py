"""Find in the detail pane of a batch with 100,000 messages, against one with 4 messages.

Run: python benchmarks/find.py [--steps S] [--per-step M] [--repeat R]

The real app runs headless (App.run_test) against the simulator on 127.0.0.1. Each measurement
types one key into the search box and waits until the app has processed everything that follows:
the search over every message of the batch (the model, not the tree), the tree opened at the first
match (pages of messages added up to it), the cursor moved there, the screen laid out. The first
key of each search also builds the batch's lowercased search index. Target: the first match shown
within 100 ms of typing.
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
from slv_tui.ui.widgets.detail_pane import FindInput
from slv_tui.ui.widgets.step_tree import StepTree

SMALL, LARGE = "1000000000001", "1000000000002"


def scenario(steps: int, per_step: int) -> dict[str, object]:
    """Two finished batches, frozen: 4 messages, and steps x per_step messages (1 in 1000 an error)."""
    small_step = {
        "name": "commissioning",
        "label": "Commissioning",
        "at": 0,
        "messages": [
            {"at": 1, "severity": "info", "text": f"Lamp-{n:06d}: configuration pushed"} for n in range(4)
        ],
    }
    large_steps = [
        {
            "name": f"s{s}",
            "label": f"Controller CTRL-{s}",
            "at": 0,
            "generate": {
                "count": per_step,
                "from": 0,
                "to": 9,
                "device": f"Lamp-{s:03d}" + "{n:06d}",
                "text": "{device}: configuration pushed",
                "error_every": 1000,
                "error_text": "{device}: not found on controller",
            },
        }
        for s in range(steps)
    ]
    return {
        "frozen": True,
        "templates": {
            "small": {"duration": 10, "steps": [small_step]},
            "large": {"duration": 10, "outcome": "errors", "steps": large_steps},
        },
        "batches": [{"id": SMALL, "template": "small", "at": 100},
                    {"id": LARGE, "template": "large", "at": 100}],
    }  # fmt: skip


async def measure(steps: int, per_step: int, repeat: int, needles: list[str]) -> dict[str, list[float]]:
    """Per batch and needle: seconds from a key typed to the match shown, for each key of the needle."""
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.json"
        path.write_text(json.dumps(scenario(steps, per_step)))
        sim = SimServer(scenario=str(path))
        url = await sim.start()
        client = SlvClient(ClientSettings(url, Credentials("admin", Secret("admin"))))
        watchlist = Watchlist(Path(folder) / "watchlist.json")
        watchlist.add([SMALL, LARGE])
        settings = AppSettings(server_label="bench", state_file=Path(folder) / "ui.json")
        app = make_app(settings, [open_board(client, watchlist, interval=3600)])
        poller = app.poller
        async with app.run_test(size=(160, 45)) as pilot:
            while not all((s := poller.snapshot(b)) and s.batch for b in (SMALL, LARGE)):
                await pilot.pause(0.05)
            table = app.screen.query_one(DataTable)
            tree = app.screen.query_one(StepTree)
            box = app.screen.query_one(FindInput)
            work: list[float] = []
            find = tree.find

            def timed_find(needle: str) -> int:
                started = time.perf_counter()
                try:
                    return find(needle)
                finally:
                    work.append(time.perf_counter() - started)

            tree.find = timed_find  # type: ignore[method-assign]
            for batch_id in (SMALL, LARGE):
                table.move_cursor(row=table.get_row_index(batch_id))
                await pilot.pause()
                for _ in range(repeat):
                    for needle in needles:
                        tree.focus()
                        tree._index = None  # every search pays for the index, as the first one does
                        started = time.perf_counter()
                        await pilot.press("slash")  # opens the box and builds the search index
                        await pilot.pause()
                        results.setdefault(f"{batch_id}:open", []).append(time.perf_counter() - started)
                        box.value = ""
                        await pilot.pause()
                        for position, key in enumerate(needle):
                            work.clear()
                            started = time.perf_counter()
                            await pilot.press(key)
                            await pilot.pause()
                            elapsed = time.perf_counter() - started
                            part = "first key" if position == 0 else "next keys"
                            results.setdefault(f"{batch_id}:{needle}:{part}", []).append(elapsed)
                            results.setdefault(f"{batch_id}:{needle}:{part}:work", []).append(sum(work))
                        assert tree.find_status, "the search did not run"
                        await pilot.press("escape")
        await sim.stop()
    return results


def main() -> None:
    """Print the medians per needle, and each against the 4-message batch."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--per-step", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    last = f"{args.steps - 1:03d}{args.per_step - 1:06d}"
    needles = ["not found", f"lamp-{last}", "zzz"]  # an early error; the very last message; nothing
    results = asyncio.run(measure(args.steps, args.per_step, args.repeat, needles))
    total = args.steps * args.per_step
    print(f"batch: {args.steps} steps x {args.per_step:,} messages = {total:,}; baseline: 4 messages")
    print("key to idle: a key pressed through the pilot until the app is idle again (match shown);")
    print("find work: the search and opening the tree at the match, inside that (median, max)")

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:6.1f} ms (max {max(values) * 1000:6.1f})"

    small, large = results[f"{SMALL}:open"], results[f"{LARGE}:open"]
    ratio = statistics.median(large) / statistics.median(small)
    print(f"{'open the box':>30}  4 msgs {ms(small)}  {total:,} msgs {ms(large)}  ratio {ratio:5.2f}x")
    for needle in needles:
        for part in ("first key", "next keys"):
            small, large = results[f"{SMALL}:{needle}:{part}"], results[f"{LARGE}:{needle}:{part}"]
            ratio = statistics.median(large) / statistics.median(small)
            work = results[f"{LARGE}:{needle}:{part}:work"]
            print(
                f"{needle!r:>20} {part:<9}  4 msgs {ms(small)}  {total:,} msgs {ms(large)}"
                f"  ratio {ratio:5.2f}x  find work {ms(work)}"
            )


if __name__ == "__main__":
    main()
