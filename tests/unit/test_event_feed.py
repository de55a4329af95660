"""The event feed: records from a real Board's events (one subscribe line), what a restart remembers,
and the store: private, bounded, no links, validated on read, torn lines skipped."""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.clock import FakeClock

from slv_tui.slv.errors import AuthError, ConnectionFailed, SlvError
from slv_tui.slv.model import Batch
from slv_tui.store import events as store_events
from slv_tui.store.events import EventLog, EventWriter, open_feed, parse_records, select, valid_record
from slv_tui.store.files import UnsafeFileError
from slv_tui.store.watchlist import WatchEntry, Watchlist
from slv_tui.watch.board import Board, ServerChanged, StoreProblem
from slv_tui.watch.event_feed import EventFeed, Record, RoundEvents, make_record
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import PollRound, ServerStatus, Snapshot, Update

RUNNING = Batch("0", running=True, progress=10, login="ops")
CANCELLING = Batch("0", running=True, cancel_requested=True, progress=40)
FAILED = Batch("0", status_error=True, error_code="409", error_code_label="Controller not connected")
DONE = Batch("0", progress=100)


class FakeServer:
    def __init__(self) -> None:
        self.answers: dict[str, Batch] = {}
        self.down: SlvError | None = None

    async def fetch(self, batch_id: str) -> Batch:
        if self.down is not None:
            raise self.down
        return self.answers.get(batch_id, RUNNING)


def board(tmp_path: Path, clock: FakeClock, server: FakeServer, *ids: str) -> Board[WatchEntry]:
    store = Watchlist(tmp_path / "watchlist.json", clock=clock)
    store.load()
    store.add(ids)
    return Board("lab", Poller(server.fetch, clock=clock, rng=random.Random(7), interval=2.0), store)


def kinds(records: list[Record]) -> list[tuple[str, str | None]]:
    return [(r["kind"], r.get("batchId")) for r in records]


async def test_board_events_become_records_with_one_subscribe(tmp_path: Path, clock: FakeClock) -> None:
    server = FakeServer()
    lab = board(tmp_path, clock, server, "1", "2")
    records: list[Record] = []
    lab.subscribe(EventFeed(records.append))  # the dashboard's one line
    await lab.poller.poll_due()
    assert kinds(records) == [("first_seen", "1"), ("first_seen", "2")]
    assert records[0]["login"] == "ops" and records[0]["state"] == "running" and records[0]["server"] == "lab"
    server.answers = {"1": CANCELLING, "2": FAILED}
    clock.advance(2.0)
    await lab.poller.poll_due()
    assert kinds(records)[2:] == [("cancel_requested", "1"), ("failed", "2")]
    assert records[3]["severity"] == "error" and records[3]["text"] == "Controller not connected"
    assert records[3]["previous"] == "running"
    server.down = ConnectionFailed("the server refused the connection")
    clock.advance(2.0)
    await lab.poller.poll_due()
    clock.advance(60.0)
    await lab.poller.poll_due()  # still down: recorded once
    assert [r["kind"] for r in records[4:]] == ["server_down"]
    assert "refused" in records[4]["text"] and records[4]["severity"] == "error"
    server.down = None
    server.answers = {"1": DONE, "2": FAILED}
    clock.advance(60.0)
    lab.refresh()
    await lab.poller.poll_due()
    assert [r["kind"] for r in records[5:]] == ["server_up", "finished"]  # back, then what it said


async def test_a_login_failure_says_so_and_a_store_problem_is_a_warning() -> None:
    records: list[Record] = []
    feed = EventFeed(records.append)
    feed(ServerChanged("prod", ServerStatus(ok=False, reason=str(AuthError("refused")), auth_problem=True)))
    feed(StoreProblem("prod", "watchlist prod.json was unreadable; moved aside to prod.json.bad"))
    assert [(r["kind"], r["severity"]) for r in records] == [
        ("server_down", "error"),
        ("store_problem", "warning"),
    ]
    assert records[0]["text"].startswith("login failed: ")


def test_a_restart_goes_on_where_the_feed_left_off(tmp_path: Path) -> None:
    """A batch already recorded as running is not first seen again; a server down is back when up."""
    log = EventLog(tmp_path / "events")
    log.append([make_record("first_seen", "lab", batchId="1", state="running"),
                make_record("server_down", "lab", text="no answer")])  # fmt: skip
    records: list[Record] = []
    rounds = RoundEvents("lab", EventFeed(records.append, log.memory()))

    def round_(batch: Batch) -> PollRound:
        return PollRound((Update(Snapshot("1", 0.0, batch, 1.0)),), ServerStatus(ok=True))

    rounds(round_(RUNNING))
    assert kinds(records) == [("server_up", None)]
    rounds(round_(DONE))
    assert kinds(records)[1:] == [("finished", "1")]


def test_the_feed_is_private_and_refuses_links_and_shared_folders(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    log = EventLog(folder)
    log.append([make_record("server_up", "lab")])
    assert (log.path.stat().st_mode & 0o777, folder.stat().st_mode & 0o777) == (0o600, 0o700)
    if os.name != "posix":
        return
    target = tmp_path / "elsewhere"
    target.write_text("")
    log.path.unlink()
    log.path.symlink_to(target)
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        log.append([make_record("server_up", "lab")])
    assert target.read_text() == ""
    log.path.unlink()
    folder.chmod(0o777)  # our own folder left open: tightened before anything is written
    log.append([make_record("server_up", "lab")])
    assert folder.stat().st_mode & 0o777 == 0o700
    elsewhere = tmp_path / "planted"
    elsewhere.mkdir()
    linked = tmp_path / "linked"
    linked.symlink_to(elsewhere)
    with pytest.raises(UnsafeFileError, match="a symbolic link; refusing to keep the event feed there"):
        EventLog(linked).append([make_record("server_up", "lab")])
    assert list(elsewhere.iterdir()) == []


def test_the_feed_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_events, "MAX_FILE_BYTES", 2_000)
    log = EventLog(tmp_path / "events")
    for n in range(200):
        log.append([make_record("state", "lab", batchId=str(n), state="running")])
    sizes = [p.stat().st_size for p in (log.path, log.rotated)]
    assert all(size <= 2_000 + 200 for size in sizes)
    records, skipped = log.read_counted()
    assert skipped == 0 and records[-1]["batchId"] == "199"  # the newest kept, oldest first
    assert [int(r["batchId"]) for r in records] == sorted(int(r["batchId"]) for r in records)


def test_a_torn_last_line_stays_alone(tmp_path: Path) -> None:
    log = EventLog(tmp_path / "events")
    log.append([make_record("server_up", "lab")])
    with log.path.open("ab") as handle:
        handle.write(b'{"at": "2026-12-01T00:00:00.000Z", "ser')  # a kill -9 mid-write
    log.append([make_record("server_down", "lab", text="no answer")])
    records, skipped = log.read_counted()
    assert [r["kind"] for r in records] == ["server_up", "server_down"] and skipped == 1


@pytest.mark.parametrize(
    "line",
    [
        {"kind": "nonsense"},
        {"kind": "failed", "severity": "fatal"},
        {"kind": "failed", "at": "2026-12-01T00:00:00"},  # no zone
        {"kind": "failed", "server": ""},
        {"kind": "failed", "batchId": "12ab"},
        {"kind": "failed", "state": "exploded"},
        {"kind": "failed", "progress": 1e308},
        {"kind": "failed", "progress": True},
        {"kind": "failed", "text": "x" * 10_000},
        {"kind": "failed", "text": 42},
    ],
)
def test_a_foreign_record_is_skipped(line: dict[str, object]) -> None:
    good = make_record("failed", "lab", batchId="1", state="failed")
    assert valid_record(good)
    bad = {**good, **line}
    assert not valid_record(bad)
    raw = (json.dumps(good) + "\n" + json.dumps(bad) + "\nInfinity\n").encode()
    assert parse_records(raw) == ([good], 2)


def test_select_filters_and_drops_what_two_processes_both_saw() -> None:
    first = make_record("first_seen", "lab", at="2026-12-01T01:00:00.000Z", batchId="1", state="running")
    again = {**first, "at": "2026-12-01T01:00:00.500Z"}  # the dashboard and follow both recorded it
    down = make_record("server_down", "prod", at="2026-12-01T02:00:00.000Z", text="no answer")
    failed = make_record("failed", "lab", at="2026-12-01T03:12:00.000Z", batchId="1", state="failed")
    records = [failed, again, down, first]
    assert select(records) == [first, down, failed]
    assert select(records, server="lab") == [first, failed]
    assert select(records, severity="error") == [down, failed]
    assert select(records, since=datetime(2026, 12, 1, 2, 30, tzinfo=UTC)) == [failed]


def test_open_feed_writes_on_its_thread(tmp_path: Path) -> None:
    feed, writer = open_feed(tmp_path)
    assert isinstance(writer, EventWriter)
    feed.store_problem("lab", "another slv-tui process holds the lock")
    feed.commission_started("lab", "42", user="ops", controller="CTRL-1")
    writer.close()
    records, _ = EventLog(tmp_path / "events").read_counted()
    assert kinds(records) == [("store_problem", None), ("commission_started", "42")]
    assert records[1]["user"] == "ops" and records[1]["controller"] == "CTRL-1"
