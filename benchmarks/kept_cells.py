"""What keeping cell renderings saves: DataTable against KeptCellsTable after a poll's cell updates.

Run: python benchmarks/kept_cells.py [--rounds 200] [--rows 200] [--updates 25]

Headless (App.run_test, 160x45): a table of `--rows` rows x 13 columns of Rich Text; each round
updates `--updates` cells with new Text (as a poll round does) and then renders every visible line
of the table, the work a screen refresh does. The figure is the median time of that render, for
Textual's own DataTable and for `KeptCellsTable` (the product's one use of private Textual API),
measured alternately in the same process.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable

from slv_tui.ui.widgets.kept_cells import KeptCellsTable

COLUMNS = 13


class Bench(App[None]):
    def __init__(self, kept: bool, rows: int) -> None:
        super().__init__()
        self.kept, self.rows = kept, rows

    def compose(self) -> ComposeResult:
        yield KeptCellsTable() if self.kept else DataTable[Text]()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for c in range(COLUMNS):
            table.add_column(f"col {c}", key=f"c{c}", width=10)
        for r in range(self.rows):
            table.add_row(
                *(Text(f"r{r} c{c}", style="bold" if c % 3 else "") for c in range(COLUMNS)), key=f"r{r}"
            )


async def measure(kept: bool, rounds: int, rows: int, updates: int) -> list[float]:
    app = Bench(kept, rows)
    times: list[float] = []
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        region = Region(0, 0, table.size.width, table.size.height)
        table.render_lines(region)
        for n in range(rounds):
            for u in range(updates):
                r = (n * 7 + u * 3) % min(rows, 40)
                table.update_cell(f"r{r}", f"c{u % COLUMNS}", Text(f"{n} {u}"))
            start = time.perf_counter()
            table.render_lines(region)
            times.append(time.perf_counter() - start)
    return times


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--updates", type=int, default=25)
    args = parser.parse_args()
    results: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(3):
        for kept in (False, True):
            results[kept] += await measure(kept, args.rounds, args.rows, args.updates)
    plain = statistics.median(results[False])
    for kept, name in ((False, "DataTable     "), (True, "KeptCellsTable")):
        med = statistics.median(results[kept])
        print(f"{name} median {med * 1000:7.2f} ms per render   ratio {med / plain:5.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
