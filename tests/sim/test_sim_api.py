"""The simulator's wire behaviour: batch answers, error objects, XML, commissioning endpoints."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from support.clock import FakeClock
from support.fixtures import FIXTURES
from support.sim import StartLoopSim

from .helpers import get_batch

SAMPLES = FIXTURES
CTRL = "/api/controllermanagement/"
BATCH_KEYS = {
    "batchId", "batchProgressMessage", "batchProgressValue", "batchRunning", "cancelRequested",
    "cancelled", "errorCode", "errorCodeLabel", "message", "status", "statusError", "statusOk",
    "value",
}  # fmt: skip


def sample(name: str) -> dict[str, Any]:
    """A documented sample answer (copied from the SLV API docs)."""
    result: dict[str, Any] = json.loads((SAMPLES / name).read_text())
    return result


async def test_documented_sample_is_served_exactly(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient
) -> None:
    server = await start_loop_sim(scenario="static")
    r = await get_batch(client, server, "1481016600181")
    assert r.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert r.json() == sample("batch_finished_ok.json")


async def test_just_started_sample_is_served_exactly(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient
) -> None:
    server = await start_loop_sim(scenario="static")
    r = await get_batch(client, server, "1481018818069")
    assert r.json() == sample("batch_just_started.json")


async def test_unknown_batch_is_error_object(start_loop_sim: StartLoopSim, client: httpx.AsyncClient) -> None:
    server = await start_loop_sim(scenario="static")
    r = await get_batch(client, server, "9999999999999")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ERROR", "errorCode": "605", "errorCodeLabel": "Batch not found",
        "message": "No batch with id 9999999999999", "statusError": True, "statusOk": False,
        "value": None,
    }  # fmt: skip


@pytest.mark.parametrize("bad", ["abc", "", "12a4", "-5"])
async def test_non_digit_batch_id_is_invalid(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, bad: str
) -> None:
    server = await start_loop_sim(scenario="static")
    body = (await get_batch(client, server, bad)).json()
    assert body["errorCode"] == "602"
    assert body["errorCodeLabel"] == "Invalid batchId"
    assert "batchId" not in body


async def test_without_ser_json_answer_is_xml(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient
) -> None:
    server = await start_loop_sim(scenario="static")
    r = await client.get(server.url + "/api/batch/getBatchResult", params={"batchId": "1481016600181"})
    assert r.headers["Content-Type"].startswith("text/xml")
    assert r.text.startswith("<?xml")
    assert "<batchId>1481016600181</batchId>" in r.text
    r2 = await get_batch(client, server, "1481016600181", ser="xml")
    assert r2.headers["Content-Type"].startswith("text/xml")


async def test_prefix_is_respected(start_loop_sim: StartLoopSim, client: httpx.AsyncClient) -> None:
    server = await start_loop_sim(scenario="static", prefix="/slv/reports")
    assert server.url.endswith("/slv/reports")
    assert (await get_batch(client, server, "1481016600181")).status_code == 200
    root = f"http://127.0.0.1:{server.port}/api/batch/getBatchResult"
    assert (await client.get(root, params={"batchId": "1481016600181"})).status_code == 404


async def test_commission_controller_starts_batch(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    server = await start_loop_sim(scenario="static", clock=clock)
    r = await client.post(
        server.url + CTRL + "commissionControllerAsync",
        data={"controllerStrId": "CTRL-NANTES-04", "flags": "5", "ser": "json"},
    )
    started = r.json()
    assert set(started) == BATCH_KEYS
    assert set(started["value"]) == set(sample("batch_just_started.json")["value"])
    batch_id = started["batchId"]
    assert isinstance(batch_id, str) and batch_id.isdigit() and len(batch_id) == 13
    assert started["batchProgressValue"] == -1
    assert started["batchRunning"] is True
    assert started["value"]["stepResults"] == []
    assert batch_id in server.batch_ids()
    clock.advance(1000)
    done = (await get_batch(client, server, batch_id)).json()
    assert done["batchRunning"] is False
    names = [s["stepName"] for s in done["value"]["stepResults"]]
    assert names == ["check", "controllerConfig", "devices", "commissioning"]  # flags 1 + 4
    texts = [m["text"] for s in done["value"]["stepResults"] for m in s["messages"]]
    assert any("CTRL-NANTES-04" in t for t in texts)
    assert any(t.startswith("Lamp-0001 @ controller CTRL-NANTES-04") for t in texts)


async def test_commission_devices_list_names_devices(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    server = await start_loop_sim(scenario="demo", clock=clock)
    devices = ["Lamp-0042", "Lamp-0043", "Lamp-0044"]
    data = {"controllerStrId": "CTRL-PARIS-07", "ser": "json", "idOnController": devices}
    url = server.url + CTRL + "commissionControllerDevicesListAsync"
    first = (await client.post(url, data=data)).json()
    second = (await client.post(url, data=data)).json()
    assert first["batchId"] != second["batchId"]
    clock.advance(60)
    done = (await get_batch(client, server, first["batchId"])).json()
    texts = [m["text"] for s in done["value"]["stepResults"] for m in s["messages"]]
    for device in ("Lamp-0042", "Lamp-0043", "Lamp-0044"):
        assert f"{device} @ controller CTRL-PARIS-07: configuration pushed" in texts
    assert any(t.startswith("3 devices in list. 3 were pushed") for t in texts)


@pytest.mark.parametrize(
    ("endpoint", "data"),
    [
        ("commissionControllerAsync", {"flags": "7", "ser": "json"}),
        ("commissionControllerAsync", {"controllerStrId": "C1", "flags": "9", "ser": "json"}),
        ("commissionControllerDevicesListAsync", {"controllerStrId": "C1", "ser": "json"}),
    ],
)
async def test_commission_rejects_bad_parameters(
    start_loop_sim: StartLoopSim, client: httpx.AsyncClient, endpoint: str, data: dict[str, str]
) -> None:
    server = await start_loop_sim(scenario="static")
    before = len(server.batch_ids())
    body = (await client.post(server.url + CTRL + endpoint, data=data)).json()
    assert body["status"] == "ERROR"
    assert body["errorCode"] == "602"
    assert len(server.batch_ids()) == before


async def test_request_log_and_count(start_loop_sim: StartLoopSim, client: httpx.AsyncClient) -> None:
    server = await start_loop_sim(scenario="static")
    for _ in range(3):
        await get_batch(client, server, "1481016600181")
    await client.get(server.url + "/auth.json")
    assert server.request_count == 3
    assert server.requests[-1] == ("GET", "/reports/auth.json")
    assert server.requests[0] == ("GET", "/reports/api/batch/getBatchResult")


async def test_latency_delays_answers(start_loop_sim: StartLoopSim, client: httpx.AsyncClient) -> None:
    import time

    server = await start_loop_sim(scenario="static", latency_ms=200)
    t0 = time.monotonic()
    await get_batch(client, server, "1481016600181")
    assert time.monotonic() - t0 >= 0.19
