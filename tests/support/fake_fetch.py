"""A fake `fetch` for pilot tests where no HTTP is under test: simulator scenarios answered in-process."""

from __future__ import annotations

import json
from collections.abc import Callable

from slv_tui.sim.server import SimServer
from slv_tui.slv.errors import ServerError
from slv_tui.slv.model import Batch
from slv_tui.slv.parse import parse_batch


class ScenarioFetch:
    """`fetch(batch_id) -> Batch` from a scenario's timeline, with no server, socket or thread.

    Like the real client, the same answer gives back the same `Batch` object (nothing to redraw).
    """

    def __init__(self, scenario: str = "static", *, clock: Callable[[], float] | None = None) -> None:
        self.server = SimServer(scenario=scenario, clock=clock)
        self.calls = 0
        self._last: dict[str, tuple[str, Batch]] = {}

    async def __call__(self, batch_id: str) -> Batch:
        """The batch as the scenario has it now; an unknown ID fails like the server's error answer."""
        self.calls += 1
        data = self.server.batch_json(batch_id)
        if data is None:
            raise ServerError("605", "Batch not found")  # what the simulator answers over HTTP
        key = json.dumps(data, sort_keys=True)
        last = self._last.get(batch_id)
        if last is not None and last[0] == key:
            return last[1]
        batch = parse_batch(data, batch_id)
        self._last[batch_id] = (key, batch)
        return batch
