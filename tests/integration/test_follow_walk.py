"""`follow` survives a typo: an unknown ID is dropped after its tries and the others run to their end."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from support.sim import StartLoopSim, new_client

from slv_tui.commands.follow import run_follow
from slv_tui.commands.output import EXIT_FETCH, Output
from slv_tui.watch.snapshot import PollRound

RUNNING = "1481019204417"
TYPO = "1481099999999"


async def _follow(start_loop_sim: StartLoopSim, *, json_lines: bool = False) -> tuple[int, str, str]:
    now = [0.0]
    sim = await start_loop_sim(scenario="demo", clock=lambda: now[0])

    def tick(_: PollRound) -> None:  # simulated time moves 20 s a round: the batch ends in a few rounds
        now[0] += 20.0

    client = new_client(sim.url)
    out, err = io.StringIO(), io.StringIO()
    try:
        code = await run_follow(client, [RUNNING, TYPO], Output(json=json_lines, out=out, err=err),
                                0.02, on_poll=tick)  # fmt: skip
    finally:
        await client.aclose()
    return code, out.getvalue(), err.getvalue()


async def test_follow_drops_a_typo_and_follows_the_other_to_its_end(start_loop_sim: StartLoopSim) -> None:
    code, out, err = await _follow(start_loop_sim, json_lines=True)
    assert code == EXIT_FETCH
    objs = [json.loads(line) for line in out.splitlines()]
    assert [o["state"] for o in objs if o["batchId"] == RUNNING][-1] == "succeeded"
    (typo,) = [o for o in objs if o["batchId"] == TYPO]
    assert typo["state"] is None and typo["error"] == "server: 605 Batch not found"
    assert f"{TYPO}: server: 605 Batch not found; no longer followed" in err


async def test_any_error_object_in_place_of_a_batch_is_not_found(start_loop_sim: StartLoopSim) -> None:
    sim = await start_loop_sim(scenario="demo")
    sim.set_fault("error_object", batch_id=TYPO)  # "500 Internal error", not 605
    client = new_client(sim.url)
    err = io.StringIO()
    try:
        code = await run_follow(client, [TYPO], Output(out=io.StringIO(), err=err), 0.02)
    finally:
        await client.aclose()
    assert code == EXIT_FETCH
    assert "(try 2 of 3)" in err.getvalue() and "500 Internal error; no longer followed" in err.getvalue()


async def test_follow_json_sends_only_the_new_messages_of_a_changed_step(
    start_loop_sim: StartLoopSim,
) -> None:
    code, out, _ = await _follow(start_loop_sim, json_lines=True)
    assert code == EXIT_FETCH  # the typo
    lines = [json.loads(line) for line in out.splitlines()]
    objs = [o for o in lines if o["batchId"] == RUNNING]
    steps: list[dict[str, Any]] = objs[0]["steps"]
    grown = 0
    for change in objs[1:-1]:  # between the first and the final full object: only the changes
        assert "steps" not in change
        for step in change.get("changedSteps", []):
            i = step.pop("index")
            if i >= len(steps):
                steps.append(step)
                continue
            assert "messages" not in step  # an already printed step never re-sends its whole list
            old = steps[i]["messages"]
            assert isinstance(old, list) and step.pop("messagesFrom") == len(old)
            new = step.pop("newMessages")
            grown += bool(new)
            steps[i] = {**step, "messages": old + new}
    assert grown, "the scenario never added a message to a printed step"
    final = objs[-1]["steps"]
    for built, last in zip(steps, final, strict=False):  # what was rebuilt leads to the final object
        assert last["messages"][: len(built["messages"])] == built["messages"]


class _Enough(Exception):
    pass


async def test_follow_backs_off_exponentially_while_the_server_is_down(closed_port: int) -> None:
    client = new_client(f"http://127.0.0.1:{closed_port}/reports")
    err = io.StringIO()
    rounds = [0]

    def count(_: PollRound) -> None:
        rounds[0] += 1
        if rounds[0] > 5:
            raise _Enough

    try:
        with pytest.raises(_Enough):
            await run_follow(client, [RUNNING], Output(out=io.StringIO(), err=err), 0.02, on_poll=count)
    finally:
        await client.aclose()
    waits = [float(w) for w in re.findall(r"\(in (\d+\.\d) s\)", err.getvalue())]
    assert len(waits) >= 4, err.getvalue()
    assert waits[3] >= 2 * max(waits[0], 0.02), waits  # grows (with jitter), not every interval
