"""Several servers in one dashboard, against two real simulators (one basic, one csrf) that know the
same batch IDs: one row per (server, ID) with a Server column, a server down marks only its own rows
and header entry, the scope key, the add dialog's server, and commissioning on the highlighted row's
server (absent while that row's profile is read-only)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Select, TextArea

from slv_tui.common import paths
from slv_tui.sim import ThreadedSim
from slv_tui.slv.auth import Credentials, Secret
from slv_tui.slv.client import ClientSettings, SlvClient
from slv_tui.store.watchlist import Watchlist
from slv_tui.ui.app import AppSettings, Seams, SlvApp, make_app, open_board
from slv_tui.ui.feed_hub import FeedHub
from slv_tui.ui.rows import BatchKey
from slv_tui.ui.screens.add_batches import AddBatchesScreen
from slv_tui.ui.screens.commission_dialog import CommissionScreen, ConfirmCommissionScreen
from slv_tui.ui.screens.password import PasswordScreen
from slv_tui.ui.wiring import Session

from .ui_helpers import press, screen_text, wait_for

FAILED = "1481021896034"
TYPED = "Prod-pw-typed-7"


def posts(sim: ThreadedSim) -> list[str]:
    """The commissioning calls a simulator was sent."""
    return [path.rsplit("/", 1)[1] for _method, path in sim.server.requests if "/commission" in path]


RUNNING = "1481019204417"


def session(
    name: str, url: str, auth: str, folder: Path, *, read_only: bool = False, password: str = "admin"
) -> Session:
    creds = Credentials("admin", Secret(password), auth)  # type: ignore[arg-type]
    client = SlvClient(ClientSettings(url, creds, timeout=5.0))
    watchlist = Watchlist(folder / f"{name}.json")
    watchlist.load()
    watchlist.add([FAILED, RUNNING])
    # 0.5 s: data is stale after 1.5 s without an answer; a machine this busy is no outage
    return open_board(client, watchlist, interval=0.5, name=name, read_only=read_only, color="magenta")


def build(
    lab: ThreadedSim,
    prod: ThreadedSim,
    folder: Path,
    *,
    prod_read_only: bool = False,
    feed: FeedHub | None = None,
    prod_password: str = "admin",
) -> SlvApp:
    sessions = [
        session("lab", lab.url, "basic", folder),
        session("prod", prod.url, "csrf", folder, read_only=prod_read_only, password=prod_password),
    ]
    settings = AppSettings(server_label="lab + prod", profile="lab+prod", export_dir=folder,
                           state_file=folder / "ui.json")  # fmt: skip
    return make_app(settings, sessions, seams=Seams(feed=feed))


def tokens(app: SlvApp) -> list[str]:
    return [str(row.key.value) for row in app.dashboard.table.ordered_rows]


def fetch_cell(app: SlvApp, server: str, batch_id: str) -> str:
    table = app.dashboard.table
    token = table.row_token(BatchKey(server, batch_id))
    return str(table.get_cell(token, "fetch").plain) if token in table.rows else ""


async def on_row(pilot: Pilot[None], app: SlvApp, server: str, batch_id: str) -> None:
    """Highlight one server's row of a batch (once every server's rows are in)."""
    await wait_for(pilot, lambda: len(tokens(app)) >= 4)
    table = app.dashboard.table
    table.move_cursor(row=table.get_row_index(table.row_token(BatchKey(server, batch_id))))
    await wait_for(pilot, lambda: app.dashboard.selected_key == BatchKey(server, batch_id))


async def up_to_confirmation(pilot: Pilot[None], app: SlvApp) -> ConfirmCommissionScreen:
    """n, a controller ID, ctrl+s: the confirmation (nothing sent yet)."""
    await press(pilot, "n")
    await wait_for(pilot, lambda: isinstance(app.screen, CommissionScreen))
    assert "on prod" in screen_text(app)
    await press(pilot, *"CTRL-7")
    await press(pilot, "ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCommissionScreen))
    assert isinstance(app.screen, ConfirmCommissionScreen)
    return app.screen


@asynccontextmanager
async def dashboard(
    sims: tuple[ThreadedSim, ThreadedSim], folder: Path
) -> AsyncIterator[tuple[SlvApp, Pilot[None]]]:
    """The two-server dashboard running, both servers' rows in."""
    app = build(*sims, folder)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: len(tokens(app)) == 4)
        yield app, pilot


@pytest.fixture
def sims(start_sim: Callable[..., ThreadedSim]) -> tuple[ThreadedSim, ThreadedSim]:
    """lab (basic login) and prod (the 7.8+ csrf session), serving the same batch IDs."""
    return start_sim(scenario="static", auth="basic"), start_sim(scenario="static", auth="csrf")


async def test_two_servers_one_table_and_one_down_marks_only_its_rows(
    sims: tuple[ThreadedSim, ThreadedSim], tmp_path: Path
) -> None:
    lab, prod = sims
    app = build(lab, prod, tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        want = {f"{s}\t{b}" for s in ("lab", "prod") for b in (FAILED, RUNNING)}
        await wait_for(pilot, lambda: set(tokens(app)) == want)  # the same ID twice: two rows
        assert "server" in app.dashboard.table.shown_columns
        await wait_for(pilot, lambda: fetch_cell(app, "prod", RUNNING) == "● fresh")
        await wait_for(pilot, lambda: "lab ● " in screen_text(app) and "prod ● " in screen_text(app))
        await wait_for(pilot, lambda: "prod ● csrf" in screen_text(app))  # each server its own login mode

        prod.stop()
        await wait_for(pilot, lambda: "prod ✖ unreachable" in screen_text(app))
        await wait_for(pilot, lambda: fetch_cell(app, "prod", RUNNING) in ("⌛ STALE", "✖ error"))
        await wait_for(pilot, lambda: fetch_cell(app, "lab", RUNNING) == "● fresh")  # the other's stay fresh
        assert fetch_cell(app, "prod", RUNNING) in ("⌛ STALE", "✖ error") and "lab ● " in screen_text(app)

        prod.restart()
        await wait_for(pilot, lambda: fetch_cell(app, "prod", RUNNING) == "● fresh")
        await wait_for(pilot, lambda: "prod ✖" not in screen_text(app))


async def test_scope_key_shows_one_server_then_all(
    sims: tuple[ThreadedSim, ThreadedSim], tmp_path: Path
) -> None:
    lab, prod = sims
    async with dashboard(sims, tmp_path) as (app, pilot):
        await press(pilot, "w")
        await wait_for(pilot, lambda: sorted(tokens(app)) == sorted(f"lab\t{b}" for b in (FAILED, RUNNING)))
        assert "w: only lab" in screen_text(app)
        await wait_for(
            pilot,
            lambda: (
                (tmp_path / "ui.json").exists() and '"scope": "lab"' in (tmp_path / "ui.json").read_text()
            ),
        )
        await press(pilot, "w")
        await wait_for(
            pilot, lambda: all(t.startswith("prod\t") for t in tokens(app)) and len(tokens(app)) == 2
        )
        await press(pilot, "w")
        await wait_for(pilot, lambda: len(tokens(app)) == 4)
        assert "all servers" in screen_text(app)
        await press(pilot, "w")  # lab again: remembered for the next run
        await wait_for(pilot, lambda: '"scope": "lab"' in (tmp_path / "ui.json").read_text())
    again = build(lab, prod, tmp_path)
    assert again.dashboard.servers.scope == "lab"


async def test_the_filter_finds_a_servers_rows_by_its_name(
    sims: tuple[ThreadedSim, ThreadedSim], tmp_path: Path
) -> None:
    async with dashboard(sims, tmp_path) as (app, pilot):
        await press(pilot, "slash", *"prod")
        await wait_for(pilot, lambda: sorted(tokens(app)) == sorted(f"prod\t{b}" for b in (FAILED, RUNNING)))


async def test_add_dialog_defaults_to_the_highlighted_rows_server(
    sims: tuple[ThreadedSim, ThreadedSim], tmp_path: Path
) -> None:
    async with dashboard(sims, tmp_path) as (app, pilot):
        await on_row(pilot, app, "prod", FAILED)
        await press(pilot, "a")
        await wait_for(pilot, lambda: isinstance(app.screen, AddBatchesScreen))
        assert app.screen.query_one("#add-server", Select).value == "prod"
        app.screen.query_one("#add-ids", TextArea).text = "1481024400630"
        await press(pilot, "enter")
        await wait_for(pilot, lambda: "prod\t1481024400630" in tokens(app))
        assert "lab\t1481024400630" not in tokens(app)
        ids = [e.batch_id for e in app.dashboard.servers.of("prod").board.store.entries]
        assert "1481024400630" in ids


async def test_commissioning_names_the_highlighted_rows_server(
    sims: tuple[ThreadedSim, ThreadedSim], tmp_path: Path
) -> None:
    lab, prod = sims
    async with dashboard(sims, tmp_path) as (app, pilot):
        await on_row(pilot, app, "prod", RUNNING)
        confirm = await up_to_confirmation(pilot, app)
        assert (confirm.server, confirm.profile) == (prod.url, "prod")
        assert "prod" in screen_text(app) and prod.url in screen_text(app)
        await press(pilot, "n")  # not started
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmCommissionScreen))
    assert posts(lab) == [] == posts(prod)


async def test_commissioning_starts_on_that_server_and_the_feed_says_so(
    sims: tuple[ThreadedSim, ThreadedSim], tmp_path: Path
) -> None:
    lab, prod = sims
    hub = FeedHub(paths.data_dir())
    app = build(lab, prod, tmp_path, feed=hub)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: len(tokens(app)) == 4)
        await on_row(pilot, app, "prod", RUNNING)
        await up_to_confirmation(pilot, app)
        await press(pilot, "y")
        await wait_for(pilot, lambda: len(tokens(app)) == 5)
        new = next(t for t in tokens(app) if t.split("\t")[1] not in (FAILED, RUNNING))
        assert new.startswith("prod\t")  # watched on the server it was started on
        started = [r for r in hub.records if r["kind"] == "commission_started"]
        assert [(r["server"], r["batchId"], r["controller"]) for r in started] == [
            ("prod", new.split("\t")[1], "CTRL-7")
        ]
    assert posts(lab) == [] and posts(prod) == ["commissionControllerAsync"]


async def test_a_read_only_profile_offers_no_commissioning_on_its_rows(
    sims: tuple[ThreadedSim, ThreadedSim], tmp_path: Path
) -> None:
    lab, prod = sims
    app = build(lab, prod, tmp_path, prod_read_only=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: len(tokens(app)) == 4)
        await on_row(pilot, app, "prod", RUNNING)
        assert app.dashboard.check_action("commission", ()) is False
        await press(pilot, "n")
        await pilot.pause()
        assert not isinstance(app.screen, CommissionScreen)
        await on_row(pilot, app, "lab", RUNNING)
        assert app.dashboard.check_action("commission", ()) is not False
        await press(pilot, "n")
        await wait_for(pilot, lambda: isinstance(app.screen, CommissionScreen))
        assert "on lab" in screen_text(app)


async def test_a_wrong_password_on_one_server_asks_that_server(
    start_sim: Callable[..., ThreadedSim], tmp_path: Path
) -> None:
    # a password typed in the dialog is registered for redaction for the whole worker: never "admin"
    lab = start_sim(scenario="static", auth="basic")
    prod = start_sim(scenario="static", auth="csrf", password=TYPED)
    app = build(lab, prod, tmp_path, prod_password="Not-the-pw-1")
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: "prod ✖ auth failed (P)" in screen_text(app))
        await wait_for(pilot, lambda: fetch_cell(app, "lab", RUNNING) == "● fresh")
        await on_row(pilot, app, "lab", RUNNING)  # this row's server logs in: P asks the one that refused
        await press(pilot, "P")
        await wait_for(pilot, lambda: isinstance(app.screen, PasswordScreen))
        assert "Password for admin on prod" in screen_text(app)
        await press(pilot, *TYPED, "enter")
        await wait_for(pilot, lambda: fetch_cell(app, "prod", RUNNING) == "● fresh")
        await wait_for(pilot, lambda: "prod ● " in screen_text(app))
