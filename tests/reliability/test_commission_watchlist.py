"""`commission --yes` says "added to the watchlist" only when the watchlist was saved."""

from __future__ import annotations

from pathlib import Path

from slv_tui.sim import ThreadedSim
from slv_tui.store.files import locked, private_dir
from slv_tui.store.watchlist import Watchlist

from .conftest import run_cli

KNOWN = ("1481023025871", "1481016600181")


def test_a_failed_save_is_said_with_the_batch_id_and_exit_0(tmp_path: Path) -> None:
    path = tmp_path / "data" / "slv-tui" / "watchlists" / "default.json"
    private_dir(path.parent)
    with ThreadedSim(scenario="static") as sim, locked(path.with_name(path.name + ".lock"), timeout=5):
        done = run_cli(tmp_path, "commission", "--url", sim.url, "CTRL-7", "--yes", SLV_PASSWORD="admin")
        new = [b for b in sim.server.batch_ids() if b not in KNOWN][-1]
    assert done.returncode == 0, done.stderr  # the batch did start: it is printed on stdout
    assert done.stdout.startswith(f"started {new} ")
    assert f"batch {new} added to the watchlist" not in done.stderr
    warning = [line for line in done.stderr.splitlines() if new in line]
    assert len(warning) == 1 and warning[0].startswith(
        f"slv-tui: warning: batch {new} started but could not be added to the watchlist: "
    )
    assert "until you quit" not in warning[0]
    assert new not in [e.batch_id for e in Watchlist(path).load()]
