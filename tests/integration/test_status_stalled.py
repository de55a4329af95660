"""`status --json` says `"stalledSince"` for a running batch its recorded timeline shows unmoved for
`stall_after` (the key is there only then: every other object keeps the documented keys)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from slv_tui.sim import ThreadedSim

from .conftest import Cli

RUNNING = "1481019204417"
OK = "1481016600181"


def _record(cli: Cli, batch_id: str, **event: Any) -> None:
    folder = cli.home / "data" / "slv-tui" / "history" / "default"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / f"{batch_id}.jsonl"
    path.write_text(json.dumps(event) + "\n")
    path.chmod(0o600)


def _now_of(cli: Cli, sim: ThreadedSim, batch_id: str) -> dict[str, Any]:
    done = cli.run("status", "--json", "--url", sim.url, batch_id, SLV_PASSWORD="admin")
    (obj,) = json.loads(done.stdout)
    return obj  # type: ignore[no-any-return]


def _event(obj: dict[str, Any], at: datetime, **changes: Any) -> dict[str, Any]:
    stamp = at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"at": stamp, "kind": "progress", "state": obj["state"], "progress": obj["progress"],
            "cancelRequested": False, "warnings": obj["counts"]["warning"],
            "errors": obj["counts"]["error"], **changes}  # fmt: skip


@pytest.mark.parametrize(
    ("age", "changes", "stalled"),
    [
        (timedelta(hours=1), {}, True),  # unmoved for an hour (default stall_after: 15 minutes)
        (timedelta(minutes=5), {}, False),  # not long enough
        (timedelta(hours=1), {"progress": 1.0}, False),  # it moved since the recorded event
    ],
)
def test_stalled_since_from_the_recorded_timeline(
    cli: Cli, static_sim: ThreadedSim, age: timedelta, changes: dict[str, Any], stalled: bool
) -> None:
    before = _now_of(cli, static_sim, RUNNING)
    assert before["state"] == "running" and "stalledSince" not in before  # nothing recorded yet
    at = datetime.now(UTC) - age
    _record(cli, RUNNING, **_event(before, at, **changes))
    done = cli.run("status", "--json", "--url", static_sim.url, RUNNING, OK, SLV_PASSWORD="admin")
    assert done.returncode == 0, done.stderr
    running, ok = json.loads(done.stdout)
    assert "stalledSince" not in ok
    if stalled:
        assert list(running)[-1] == "stalledSince"  # after the documented keys
        assert datetime.fromisoformat(running["stalledSince"]) == at.replace(
            microsecond=at.microsecond // 1000 * 1000
        )
    else:
        assert "stalledSince" not in running


def test_stall_after_zero_disables_it(cli: Cli, static_sim: ThreadedSim, tmp_path: Path) -> None:
    before = _now_of(cli, static_sim, RUNNING)
    _record(cli, RUNNING, **_event(before, datetime.now(UTC) - timedelta(days=1)))
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(f'[servers.default]\nurl = "{static_sim.url}"\nstall_after = 0\n')
    done = cli.run("status", "--json", "--config", str(cfg), RUNNING, SLV_PASSWORD="admin")
    assert done.returncode == 0, done.stderr
    assert "stalledSince" not in json.loads(done.stdout)[0]
    shown = cli.run("status", "--json", "--url", static_sim.url, RUNNING, SLV_PASSWORD="admin")
    assert "stalledSince" in json.loads(shown.stdout)[0]  # the same record, with the default: stalled
