"""Shared helpers for simulator tests: a request shortcut and the state rule."""

from __future__ import annotations

from typing import Any

import httpx

from slv_tui.sim import SimServer

BATCH_PATH = "/api/batch/getBatchResult"


async def get_batch(
    client: httpx.AsyncClient, server: SimServer, batch_id: str, ser: str = "json"
) -> httpx.Response:
    """GET getBatchResult for one id."""
    return await client.get(server.url + BATCH_PATH, params={"batchId": batch_id, "ser": ser})


def state_of(batch: dict[str, Any]) -> str:
    """The batch state rule (first match wins)."""
    value = batch.get("value") or {}
    if batch["cancelled"]:
        return "cancelled"
    if batch["batchRunning"] and batch["cancelRequested"]:
        return "cancelling"
    if batch["batchRunning"]:
        return "running"
    if batch["statusError"] or batch["status"] == "ERROR" or batch["errorCode"] not in ("0", ""):
        return "failed"
    if value.get("errorMessagesCount", 0) > 0:
        return "completed_with_errors"
    return "succeeded"
