"""Fault suite: every simulator fault and network failure, against
(a) `slv-tui status --json` as a real subprocess and (b) the Poller that drives the dashboard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slv_tui.watch.snapshot import Condition

from .faultcases import (
    CASES,
    CLASS_BY_TITLE,
    INTERVAL,
    PARSED,
    POLLER_RESULTS,
    STATUS_ID,
    STATUS_RESULTS,
    StatusOutcome,
    run_poller_case,
    run_status_cases,
)

# With --dist loadgroup (pyproject addopts) this file and test_zz_reliability_doc.py share one worker,
# so the doc test reuses the outcomes run here (STATUS_RESULTS, POLLER_RESULTS) instead of rerunning them.
pytestmark = pytest.mark.xdist_group("fault-runs")

# The class each failing case must map to (the error taxonomy of slv/errors.py).
EXPECTED_CLASS = {
    "html": "AuthError",
    "login_redirect": "AuthError",
    "unauthorized": "AuthError",
    "forbidden": "AuthError",
    "server_error": "HttpStatusError",
    "unavailable": "HttpStatusError",
    "slow": "RequestTimeout",
    "truncated": "ProtocolError",
    "truncated_json": "ProtocolError",
    "reset": "ConnectionFailed",
    "huge": "ProtocolError",
    "deep": "ProtocolError",
    "bad_utf8": "ProtocolError",
    "not_batch": "ProtocolError",
    "refused": "ConnectionFailed",
    "content_length_over_cap": "ProtocolError",
    "digit_bomb": "ProtocolError",
    "c1_in_location": "AuthError",
    "error_object": "ServerError",
}
EXPECTED_WORDS = {  # a word the one-line message must contain, so it stays specific
    "truncated_json": "truncated",
    "huge": "too large",
    "content_length_over_cap": "too large",
    "deep": "nested too deeply",
    "bad_utf8": "UTF-8",
    "slow": "in time",
    "refused": "refused",
    "html": "HTML page",
    "unauthorized": "401",
    "forbidden": "403",
    "server_error": "500",
    "unavailable": "503",
    "error_object": "server: 500 Internal error",
}


def error_class(message: str) -> str:
    title = message.split(":", 1)[0]
    return CLASS_BY_TITLE.get(title, "?")


def assert_safe_line(text: str) -> None:
    assert "\n" not in text and "\r" not in text
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)
    assert len(text) <= 400


@pytest.fixture(scope="module")
def status_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StatusOutcome]:
    """All status subprocesses at once (each case has its own server), ~3 s instead of ~20 s."""
    outcomes = run_status_cases(tmp_path_factory.mktemp("status-home"))
    STATUS_RESULTS.update(outcomes)
    return outcomes


def test_every_sim_fault_kind_is_covered() -> None:
    from slv_tui.sim import FAULT_KINDS

    assert set(FAULT_KINDS) <= set(CASES)
    assert set(CASES) == set(EXPECTED_CLASS) | PARSED


@pytest.mark.parametrize("kind", CASES)
def test_status_json(kind: str, status_outcomes: dict[str, StatusOutcome]) -> None:
    out = status_outcomes[kind]
    assert "Traceback" not in out.stderr, out.stderr
    assert len(out.objects) == 1, out.stdout
    obj = out.objects[0]
    assert obj["batchId"] == STATUS_ID
    if kind in PARSED:
        assert obj["error"] is None
        assert out.exit_code == 0
        assert obj["state"] == "running"
        assert obj["progress"] == (None if kind == "nan" else 40)
        return
    assert out.exit_code == 3, (out.exit_code, out.stderr)
    assert out.error is not None
    assert_safe_line(out.error)
    assert error_class(out.error) == EXPECTED_CLASS[kind], out.error
    if kind in EXPECTED_WORDS:
        assert EXPECTED_WORDS[kind] in out.error
    assert all(obj[k] is None for k in ("state", "progress", "running", "counts", "steps"))
    json.dumps(obj)  # plain JSON types only


@pytest.mark.parametrize("kind", CASES)
async def test_poller_rides_out_fault(kind: str) -> None:
    """No exception escapes; last good data kept and marked stale; recovery ≤ 2 intervals after clearing."""
    out = await run_poller_case(kind)  # an escaping exception fails the test right here
    POLLER_RESULTS[kind] = out
    assert out.kept_data
    if kind in PARSED:
        assert out.error is None
        assert out.conditions == {Condition.FRESH}
        assert not out.server_down
        assert set(out.fetches_per_round) == {3}  # every batch polled every interval
        return
    assert out.error is not None
    assert_safe_line(out.error)
    assert error_class(out.error) == EXPECTED_CLASS[kind], out.error
    assert out.conditions == {Condition.STALE}
    # Server-wide fault: the first round fetched all 3, then one probe at a time.
    assert out.server_down
    assert out.fetches_per_round[0] == 3
    assert out.fetches_per_round[1:] and set(out.fetches_per_round[1:]) == {1}
    # Recovery: the probe round, then the catch-up round for the other batches.
    assert out.recovery_rounds == 2
    assert out.recovery_seconds <= 2 * INTERVAL


async def test_fault_on_one_batch_leaves_the_others_fresh(sim, clock) -> None:  # type: ignore[no-untyped-def]
    import random

    from slv_tui.watch.poller import Poller

    from .conftest import RUNNING_IDS, client_for

    client = client_for(sim.url)
    poller = Poller(client.get_batch, interval=INTERVAL, clock=clock, rng=random.Random(3))
    poller.watch(RUNNING_IDS)
    await poller.poll_due()
    sim.set_fault("truncated", batch_id=RUNNING_IDS[0])
    for _ in range(8):
        clock.now = max(clock.now, poller.next_wake())
        await poller.poll_due()
    await client.aclose()
    bad, *good = poller.snapshots()
    assert poller.server.ok is True
    assert bad.error is not None and bad.batch is not None
    assert bad.condition(clock.now, INTERVAL) is Condition.STALE
    assert all(s.error is None and s.condition(clock.now, INTERVAL) is Condition.FRESH for s in good)


def test_headless_follow_reports_retries_and_exits_3_on_auth(tmp_path: Path, threaded_sim) -> None:  # type: ignore[no-untyped-def]
    """`follow` retries a transient fault with a one-line note, and ends at once on an auth failure."""
    from .conftest import run_cli

    threaded_sim.server.set_fault("login_redirect")
    done = run_cli(tmp_path, "follow", "--url", threaded_sim.url, STATUS_ID, SLV_PASSWORD="admin")
    assert done.returncode == 3
    assert "authentication failed" in done.stderr and "Traceback" not in done.stderr
