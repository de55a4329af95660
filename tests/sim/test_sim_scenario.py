"""Scenario data and the batch timeline, driven by a fake clock over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.clock import FakeClock
from support.sim import StartLoopSim

from slv_tui.sim import ScenarioError, SimServer, available_scenarios

from .helpers import get_batch, state_of

STATIC_STATES = {
    "1481016600181": "succeeded",
    "1481018818069": "running",
    "1481019204417": "running",
    "1481019867302": "running",
    "1481020373648": "cancelling",
    "1481021145590": "cancelled",
    "1481021896034": "failed",
    "1481022433710": "succeeded",
    "1481023025871": "completed_with_errors",
    "1481024400630": "completed_with_errors",
    "1481025112006": "succeeded",
}
DEMO_STATES = {
    **{k: v for k, v in STATIC_STATES.items() if k <= "1481021896034"},
    "1481021990417": "failed",  # `value` is the plain error string, ids are numbers (seen in the field)
    **{k: v for k, v in STATIC_STATES.items() if k > "1481021896034"},
    "1481024400630": "running",
}


def total_messages(batch: dict[str, Any]) -> int:
    return sum(len(s["messages"]) for s in batch["value"]["stepResults"])


def test_shipped_scenarios() -> None:
    assert available_scenarios() == ["demo", "static"]


@pytest.mark.parametrize(("scenario", "states"), [("static", STATIC_STATES), ("demo", DEMO_STATES)])
async def test_scenario_states(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, scenario: str, states: dict[str, str]
) -> None:
    server = await start_loop_sim(scenario=scenario)
    assert server.batch_ids() == list(states)
    for batch_id, expected in states.items():
        body = (await get_batch(client, server, batch_id)).json()
        assert str(body["batchId"]) == batch_id
        assert state_of(body) == expected, batch_id


async def test_static_details(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    server = await start_loop_sim(scenario="static", clock=clock)
    got = {i: (await get_batch(client, server, i)).json() for i in STATIC_STATES}
    assert got["1481019204417"]["batchProgressValue"] == 40
    assert got["1481019867302"]["batchProgressValue"] == -1
    assert got["1481020373648"]["batchProgressValue"] == 37
    failed = got["1481021896034"]
    assert (failed["status"], failed["statusError"], failed["errorCode"]) == ("ERROR", True, "409")
    assert failed["errorCodeLabel"] == "Controller not connected"
    warn = got["1481022433710"]["value"]
    assert warn["warningMessagesCount"] > 0 and warn["errorMessagesCount"] == 0
    errors = got["1481023025871"]
    assert errors["status"] == "OK" and errors["value"]["errorMessagesCount"] == 2
    assert total_messages(got["1481024400630"]) >= 5000
    assert got["1481025112006"]["value"] is None
    clock.advance(10_000)  # frozen: the clock changes nothing
    for batch_id, body in got.items():
        assert (await get_batch(client, server, batch_id)).json() == body


async def test_counts_match_lists(start_loop_sim: StartLoopSim, client: httpx.AsyncClient) -> None:
    server = await start_loop_sim(scenario="static")
    for batch_id in STATIC_STATES:
        body = (await get_batch(client, server, batch_id)).json()
        if body["value"] is None:
            continue
        for sev in ("info", "warning", "error"):
            lists = [s[f"{sev}Messages"] for s in body["value"]["stepResults"]]
            assert body["value"][f"{sev}MessagesCount"] == sum(len(x) for x in lists)
            for step, items in zip(body["value"]["stepResults"], lists, strict=True):
                assert step[f"{sev}MessagesCount"] == len(items)


async def test_timeline_moves_with_the_clock(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    server = await start_loop_sim(scenario="static", clock=clock)
    batch_id = server.start_batch("commission_ok")
    assert len(batch_id) == 13 and batch_id.isdigit()

    async def at(seconds: float) -> dict[str, Any]:
        clock.now = 1000.0 + seconds
        body: dict[str, Any] = (await get_batch(client, server, batch_id)).json()
        return body

    start = await at(0)
    assert (start["batchRunning"], start["batchProgressValue"]) == (True, -1)
    assert start["value"]["stepResults"] == []
    early = await at(3.5)
    assert [s["stepName"] for s in early["value"]["stepResults"]] == ["check"]
    assert early["value"]["stepResults"][0]["messages"] == []
    mid = await at(6)
    assert [s["stepName"] for s in mid["value"]["stepResults"]] == ["check", "commissioning"]
    assert mid["value"]["infoMessagesCount"] == 2
    later = await at(9)
    assert 0 < mid["batchProgressValue"] < later["batchProgressValue"] < 100
    done = await at(12)
    assert done["batchRunning"] is False
    assert done["batchProgressValue"] == 100
    assert done["batchProgressMessage"] == "Commissioning process finished."
    assert state_of(done) == "succeeded"
    assert (await at(5000)) == done


async def test_demo_loops_forever(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    server = await start_loop_sim(scenario="demo", clock=clock)
    just = "1481018818069"
    assert (await get_batch(client, server, just)).json()["value"]["stepResults"] == []
    clock.advance(160)
    assert state_of((await get_batch(client, server, just)).json()) == "succeeded"
    clock.advance(20)  # loop period 180 s: starts again
    again = (await get_batch(client, server, just)).json()
    assert again["batchRunning"] is True and again["batchProgressValue"] == -1
    clock.advance(86400 * 3)  # days later, the running demo batches still move
    states = [state_of((await get_batch(client, server, i)).json()) for i in DEMO_STATES]
    assert states.count("running") + states.count("succeeded") >= 6


async def test_large_run_streams_messages(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    server = await start_loop_sim(scenario="demo", clock=clock)
    first = total_messages((await get_batch(client, server, "1481024400630")).json())
    clock.advance(60)
    second = total_messages((await get_batch(client, server, "1481024400630")).json())
    assert 3000 < first < second < 5000


def test_scenario_from_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({
        "frozen": True,
        "templates": {"t": {"duration": 10, "steps": [{"name": "check", "at": 0, "messages": [
            {"at": 1, "severity": "error", "text": "boom at {controller}"}]}]}},
        "batches": [{"id": "42", "template": "t", "at": 20, "params": {"controller": "C9"}}],
    }))  # fmt: skip
    server = SimServer(scenario=path)
    body = server.batch_json("42")
    assert body is not None
    assert body["value"]["errorMessagesCount"] == 1
    assert body["value"]["stepResults"][0]["errorMessages"][0]["text"] == "boom at C9"
    assert body["value"]["stepResults"][0]["status"] == 2
    assert server.start_batch("t", batch_id="43") == "43"


@pytest.mark.parametrize(
    "content",
    ["not json", "[1]", '{"batches": [{"id": "12a"}]}', '{"batches": [{"id": "1", "template": "x"}]}'],
)
def test_bad_scenarios_raise_scenario_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ScenarioError):
        SimServer(scenario=path)


def test_unknown_scenario_name() -> None:
    with pytest.raises(ScenarioError, match="nope"):
        SimServer(scenario="nope")


def test_start_batch_unknown_template() -> None:
    with pytest.raises(ValueError, match="unknown template"):
        SimServer(scenario="static").start_batch("nope")
