"""The notifier: each event once, bursts grouped, retried after a failure, cleaned text."""

from __future__ import annotations

import threading
import time
from typing import Any

from slv_tui.watch.notify import Notifier, message


def _event(batch: str, kind: str = "failed", **extra: Any) -> dict[str, Any]:
    return {"event": kind, "batchId": batch, "state": kind, "counts": {"error": 1, "warning": 0}, **extra}


def _wait(check: Any) -> None:
    end = time.monotonic() + 10
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_once_grouped_and_retried() -> None:
    sent: list[tuple[str, str]] = []
    remembered: list[list[str]] = []
    calls = threading.Event()
    tries = {"n": 0}

    def send(title: str, body: str) -> bool:
        tries["n"] += 1
        if tries["n"] == 1:
            raise OSError("down")  # the first try fails: retried with backoff
        sent.append((title, body))
        calls.set()
        return True

    notifier = Notifier(
        "prod", send, sent=["9:failed"], remember=remembered.append, group_seconds=0.2, min_gap=0
    )
    try:
        for batch in ("1", "2", "3", "1", "9"):  # "1" twice, "9" sent before a restart
            notifier.offer(_event(batch))
        notifier.offer(_event("4", "finished"))  # not among the default events
        notifier.offer({"event": "server_up"})  # no news at start
        _wait(calls.is_set)
    finally:
        notifier.close()
    assert len(sent) == 1
    title, body = sent[0]
    assert title == "slv-tui: 3 batches failed on prod"
    assert body.count("\n") == 2 and "9" not in body and "4" not in body
    assert sorted(remembered[0]) == ["1:failed", "2:failed", "3:failed"]


def test_message_text_is_cleaned() -> None:
    title, body = message("prod\x1b[31m", [_event("5", label="a\x1b]0;x\x07b", firstError="boom\r\nrm -rf")])
    assert "\x1b" not in title + body and "\r" not in body and "\x07" not in body
    assert "first error: boom rm -rf" in body
