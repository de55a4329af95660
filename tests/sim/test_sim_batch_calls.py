"""The simulator's device import (CSV body) and calendar commissioning (GET) over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.clock import FakeClock
from support.sim import StartLoopSim

from slv_tui.sim import SimServer

from .helpers import get_batch, state_of

IMPORT = "/api/loggingmanagement/importDevicesFromCsvFileAsync"
SCHEDULER = "/api/dimmingscheduler/commissionControllersSchedulers"
CSV = "controllerStrId,idOnController,name\nCTRL-1,lamp 1,Lamp {one}\n\nunknown-9,L2,Lamp two\nCTRL-2,,x\n"


async def finished(client: httpx.AsyncClient, server: SimServer, clock: FakeClock, batch_id: str) -> Any:
    clock.advance(1000)
    done = (await get_batch(client, server, batch_id)).json()
    assert done["batchRunning"] is False
    return done


async def test_import_starts_a_batch_with_one_step_per_device_row(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    server = await start_loop_sim(scenario="static", clock=clock)
    r = await client.post(server.url + IMPORT, params={"ser": "json"}, content=CSV.encode())
    started = r.json()
    assert started["batchRunning"] is True and started["batchId"] in server.batch_ids()
    fields = ["controllerStrId", "idOnController", "name"]
    assert server.started == [("import_devices", {"fields": fields, "rows": 3, "refused": 2})]
    done = await finished(client, server, clock, started["batchId"])
    steps = done["value"]["stepResults"]
    assert [s["stepName"] for s in steps] == ["check", "row1", "row2", "row3", "import"]
    assert steps[1]["stepLabel"] == "Row 1: lamp 1 @ CTRL-1"
    assert [m["text"] for m in steps[1]["messages"]] == [
        "Device 'Lamp {one}' (lamp 1) created on controller CTRL-1"
    ]  # braces in the file stay as they are
    assert steps[2]["errorMessages"][0]["text"] == "Row 2: controller unknown-9 not found; L2 not imported"
    assert steps[3]["errorMessagesCount"] == 1
    assert steps[-1]["messages"][0]["text"] == "3 device row(s): 1 imported, 2 not imported"
    assert state_of(done) == "completed_with_errors"


async def test_a_clean_import_succeeds_and_semicolons_work(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    server = await start_loop_sim(scenario="static", clock=clock)
    body = "\ufeffcontrollerStrId;idOnController\r\nC1;L1\r\nC1;L2\r\n".encode()
    started = (await client.post(server.url + IMPORT, params={"ser": "json"}, content=body)).json()
    done = await finished(client, server, clock, started["batchId"])
    assert state_of(done) == "succeeded"
    assert done["value"]["infoMessagesCount"] == 4 and done["value"]["errorMessagesCount"] == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "The CSV file is empty"),
        (b"CTRL-1,L1,Lamp one\nCTRL-1,L2,Lamp two\n", "No header row"),
        (b"controllerStrId,idOnController,colour\nC,L,red\n", "Unknown field 'colour' in the header row"),
        (b"controllerStrId,name\nC,L\n", "Missing field 'idOnController' in the header row"),
    ],
)
async def test_a_bad_csv_is_the_slv_error_object(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, body: bytes, reason: str
) -> None:
    server = await start_loop_sim(scenario="static")
    before = server.batch_ids()
    answer = (await client.post(server.url + IMPORT, params={"ser": "json"}, content=body)).json()
    assert answer["status"] == "ERROR" and answer["errorCode"] == "602"
    assert answer["errorCodeLabel"] == "Invalid CSV file" and answer["message"].startswith(reason)
    assert "batchId" not in answer
    assert server.batch_ids() == before and server.started == []


async def test_import_without_ser_json_answers_xml(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient
) -> None:
    server = await start_loop_sim(scenario="static")
    r = await client.post(server.url + IMPORT, content=CSV.encode())
    assert r.headers["content-type"].startswith("text/xml") and "<batchId>" in r.text


async def test_import_needs_a_login(start_loop_sim: StartLoopSim) -> None:
    server = await start_loop_sim(scenario="static", auth="form")
    async with httpx.AsyncClient() as anonymous:
        r = await anonymous.post(server.url + IMPORT, params={"ser": "json"}, content=CSV.encode())
    assert r.headers["content-type"].startswith("text/html") and server.started == []


async def test_scheduler_commissioning_starts_a_calendar_batch(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    server = await start_loop_sim(scenario="static", clock=clock)
    params = {"schedulerId": "12", "controllerStrId": "CTRL 7", "ser": "json"}
    started = (await client.get(server.url + SCHEDULER, params=params)).json()
    assert started["batchRunning"] is True
    assert server.started == [("commission_scheduler", {"controller": "CTRL 7", "scheduler": "12"})]
    done = await finished(client, server, clock, started["batchId"])
    assert [s["stepName"] for s in done["value"]["stepResults"]] == ["check", "calendars", "commissioning"]
    texts = [m["text"] for s in done["value"]["stepResults"] for m in s["messages"]]
    assert "Calendar 12 and its schedules sent to controller CTRL 7" in texts
    assert state_of(done) == "succeeded"


@pytest.mark.parametrize(
    ("params", "code", "needle"),
    [
        ({"controllerStrId": "C1"}, "602", "schedulerId"),
        ({"schedulerId": "12a", "controllerStrId": "C1"}, "602", "schedulerId"),
        ({"schedulerId": "٣", "controllerStrId": "C1"}, "602", "schedulerId"),
        ({"schedulerId": "12"}, "602", "controllerStrId"),
        ({"schedulerId": "12", "controllerStrId": "unknown-3"}, "601", "No controller with id unknown-3"),
    ],
)
async def test_scheduler_commissioning_refusals(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, params: dict[str, str], code: str, needle: str
) -> None:
    server = await start_loop_sim(scenario="static")
    before = server.batch_ids()
    answer = (await client.get(server.url + SCHEDULER, params={**params, "ser": "json"})).json()
    assert answer["status"] == "ERROR" and answer["errorCode"] == code and needle in answer["message"]
    assert server.batch_ids() == before and server.started == []


async def test_scheduler_commissioning_is_a_get(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient
) -> None:
    server = await start_loop_sim(scenario="static")
    r = await client.post(server.url + SCHEDULER, data={"schedulerId": "1", "controllerStrId": "C"})
    assert r.status_code == 405 and server.started == []
