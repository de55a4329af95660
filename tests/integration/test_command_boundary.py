"""Any unexpected exception in `status`/`follow` is exit 3 and one line; the traceback goes to the log."""

from __future__ import annotations

import io
import logging
import re

import pytest
from support.sim import new_client

from slv_tui.commands.follow import run_follow
from slv_tui.commands.output import EXIT_FETCH, Output, run
from slv_tui.slv.model import Batch


async def _broken_command() -> int:
    raise RuntimeError("a bug in a command")


def test_unexpected_exception_is_exit_3_and_one_line(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="slv_tui"):
        assert run(_broken_command()) == EXIT_FETCH
    err = capsys.readouterr().err
    assert err == "slv-tui: error: unexpected RuntimeError (details in the log file)\n"
    (record,) = [r for r in caplog.records if r.name == "slv_tui.commands.output"]
    assert record.exc_info is not None and "a bug in a command" in str(record.exc_info[1])


async def test_follow_ends_on_a_bug_instead_of_retrying_forever() -> None:
    client = new_client("http://127.0.0.1:9/reports")

    async def broken_fetch(batch_id: str) -> Batch:
        raise OverflowError("int too large to convert to float")

    client.get_batch = broken_fetch  # type: ignore[method-assign]
    err = io.StringIO()
    try:
        code = await run_follow(client, ["1"], Output(out=io.StringIO(), err=err), 0.5)
    finally:
        await client.aclose()
    assert code == EXIT_FETCH
    # one line, with the time first as on every follow line on stderr
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d slv-tui: 1: unexpected error: OverflowError \(details in the log file\)\n",
        err.getvalue(),
    )
