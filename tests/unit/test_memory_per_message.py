"""What a parsed batch keeps per message, counted with tracemalloc (bytes and blocks, not seconds).

A batch that has run for hours holds tens of thousands of messages, and the dashboard holds every
watched batch: memory per message is memory per hour. The answer here has the simulator's shape
(each message in its severity's list and again in the combined `messages` list).
"""

from __future__ import annotations

import gc
import json
import tracemalloc
from typing import Any

from slv_tui.slv.model import Batch
from slv_tui.slv.parse import parse_batch

STATUS_TEXT = ("OK", "WARNING", "ERROR")


def answer(n: int) -> bytes:
    """A batch answer with `n` messages (1 in 50 a warning or an error) in steps of 1,000."""
    steps = []
    for first in range(0, n, 1000):
        messages: list[dict[str, Any]] = []
        for i in range(first, min(n, first + 1000)):
            severity = i % 3 if i % 50 == 0 else 0
            messages.append({"status": severity, "statusText": STATUS_TEXT[severity],
                             "text": f"Device Lamp-{i:06d} configured"})  # fmt: skip
        by_severity: tuple[list[Any], ...] = ([], [], [])
        for m in messages:
            by_severity[m["status"]].append(m)
        steps.append({
            "stepName": f"step{first}", "stepLabel": f"Step {first}", "status": 0, "messages": messages,
            "infoMessages": by_severity[0], "infoMessagesCount": len(by_severity[0]),
            "warningMessages": by_severity[1], "warningMessagesCount": len(by_severity[1]),
            "errorMessages": by_severity[2], "errorMessagesCount": len(by_severity[2]),
        })  # fmt: skip
    return json.dumps({
        "batchId": "1", "batchProgressValue": 50, "batchRunning": True, "status": "OK",
        "value": {"login": "admin", "status": 0, "infoMessagesCount": n, "stepResults": steps},
    }).encode()  # fmt: skip


def retained(body: bytes) -> tuple[int, int]:
    """(bytes, blocks) still allocated once the answer is parsed and the decoded JSON let go."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        batch = parse_batch(json.loads(body), "1")
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    stats = after.compare_to(before, "filename")
    assert batch.counts.total > 0 or body == answer(0)
    return sum(s.size_diff for s in stats), sum(s.count_diff for s in stats)


def test_a_message_costs_little_more_than_its_json() -> None:
    """Catches: a copy of statusText per message (json.loads makes one for each: "OK" 20,000
    times), raw dicts kept, lists instead of tuples, a message object with a __dict__."""
    n = 20_000
    small, big = answer(0), answer(n)
    json_per_message = (len(big) - len(small)) / n
    size0, blocks0 = retained(small)
    size, blocks = retained(big)
    per_message, blocks_per_message = (size - size0) / n, (blocks - blocks0) / n
    # a message is its tuple and its text (and a pointer in each list holding it): two blocks
    assert blocks_per_message < 2.1, blocks_per_message
    assert per_message <= 1.25 * json_per_message, (per_message, json_per_message)


def made_by_reparse(previous_n: int, n: int, *, reuse: bool) -> tuple[int, Batch]:
    """(bytes, batch): what parsing the answer with `n` messages leaves allocated, the batch parsed
    from the answer with `previous_n` messages alive beside it (handed over when `reuse`)."""
    previous = parse_batch(json.loads(answer(previous_n)), "1")
    data = json.loads(answer(n))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        batch = parse_batch(data, "1", previous if reuse else None)
        del data
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert batch == parse_batch(json.loads(answer(n)), "1")  # the same batch either way
    return sum(s.size_diff for s in after.compare_to(before, "filename")), batch


def test_an_answer_that_only_grew_makes_only_its_new_messages() -> None:
    """Catches: every message made again from each answer of a running batch (every 2 s, the
    whole batch), which is what spreads the kept messages over the allocator's arenas."""
    afresh, _ = made_by_reparse(9_000, 9_010, reuse=False)
    reused, batch = made_by_reparse(9_000, 9_010, reuse=True)
    # (the texts are made by json.loads, before the count starts: only the records are counted)
    assert afresh > 9_000 * 72, afresh  # every message's tuple made again
    # the steps' tuples of pointers (8 bytes a message in each), the 10 new messages, the records
    assert reused < 9_010 * 16 + 20_000, reused
    assert sum(len(s.in_server_order) for s in batch.steps) == 9_010


def test_a_changed_message_is_not_kept_from_the_previous_answer() -> None:
    """Catches: a previous message kept although the server's text for it changed."""
    previous = parse_batch(json.loads(answer(100)), "1")
    data = json.loads(answer(120))
    data["value"]["stepResults"][0]["infoMessages"][5]["text"] = "changed"
    batch = parse_batch(data, "1", previous)
    assert batch.steps[0].infos[5].text == "changed"
    assert batch == parse_batch(data, "1")
