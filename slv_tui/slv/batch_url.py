"""The request URL of one batch's result, built once per batch (not at every poll)."""

from __future__ import annotations

import functools

import httpx


@functools.lru_cache(maxsize=10_000)
def batch_url(url: str, batch_id: str) -> httpx.URL:
    """`url` asking for `batch_id`'s result as JSON, as `params=` builds it: once per batch, not at
    every request (httpx parses a URL given as text, then encodes and merges `params`)."""
    return httpx.URL(url, params={"batchId": batch_id, "ser": "json"})
