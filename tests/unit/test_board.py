"""The Board (one watch session per server) without a pilot: a real watchlist file, a fake fetch,
the fake clock; events are read from its one stream."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from support.clock import FakeClock

from slv_tui.slv.errors import ConnectionFailed, SlvError
from slv_tui.slv.model import Batch, BatchState
from slv_tui.store.watchlist import WatchEntry, Watchlist
from slv_tui.watch.board import (
    Board,
    BoardEvent,
    ListChanged,
    RoundApplied,
    ServerChanged,
    StateChanged,
    StoreProblem,
)
from slv_tui.watch.poller import Poller
from slv_tui.watch.snapshot import Snapshot

RUNNING = Batch("0", running=True, progress=10)
DONE = Batch("0", progress=100)


class FakeServer:
    def __init__(self) -> None:
        self.answers: dict[str, Batch | SlvError] = {}
        self.down: SlvError | None = None

    async def fetch(self, batch_id: str) -> Batch:
        answer = self.down or self.answers.get(batch_id, RUNNING)
        if isinstance(answer, SlvError):
            raise answer
        return answer


def make(
    tmp_path: Path, clock: FakeClock, server: FakeServer, ids: tuple[str, ...] = ()
) -> Board[WatchEntry]:
    store = Watchlist(tmp_path / "watchlist.json", clock=clock)
    store.load()
    if ids:
        store.add(ids)
    poller = Poller(server.fetch, clock=clock, rng=random.Random(7), interval=2.0)
    return Board("http://slv.test", poller, store)


@pytest.fixture
def events() -> list[BoardEvent]:
    return []


async def test_watches_what_the_store_holds_and_reports_rounds(
    tmp_path: Path, clock: FakeClock, events: list[BoardEvent]
) -> None:
    server = FakeServer()
    board = make(tmp_path, clock, server, ("1", "2"))
    board.subscribe(events.append)
    assert [s.batch_id for s in board.snapshots()] == ["1", "2"]
    await board.poller.poll_due()
    rounds = [e for e in events if isinstance(e, RoundApplied)]
    assert len(rounds) == 2 and rounds[-1].snapshots == board.snapshots()
    assert all(e.server == "http://slv.test" for e in events)
    changes = [(e.batch_id, e.previous, e.state) for e in events if isinstance(e, StateChanged)]
    assert changes == [("1", None, BatchState.RUNNING), ("2", None, BatchState.RUNNING)]
    assert [e.status.ok for e in events if isinstance(e, ServerChanged)] == [True]


async def test_state_change_and_server_condition_are_events(
    tmp_path: Path, clock: FakeClock, events: list[BoardEvent]
) -> None:
    server = FakeServer()
    board = make(tmp_path, clock, server, ("1",))
    await board.poller.poll_due()
    board.subscribe(events.append)
    server.answers["1"] = DONE
    clock.advance(2.0)
    await board.poller.poll_due()
    assert [(e.previous, e.state) for e in events if isinstance(e, StateChanged)] == [
        (BatchState.RUNNING, DONE.state)
    ]
    events.clear()
    server.down = ConnectionFailed("refused")
    board.refresh()
    await board.poller.poll_due()
    assert [e.status.ok for e in events if isinstance(e, ServerChanged)] == [False]
    assert not [e for e in events if isinstance(e, StateChanged)]  # the last good state is kept


async def test_add_label_archive_remove_restore(
    tmp_path: Path, clock: FakeClock, events: list[BoardEvent]
) -> None:
    server = FakeServer()
    board = make(tmp_path, clock, server)
    board.subscribe(events.append)
    assert await board.add(["7", "8"], "north") == ["7", "8"]
    assert await board.add(["7"]) == []
    assert [s.batch_id for s in board.snapshots()] == ["7", "8"]
    assert board.label_of("7") == "north" and board.label_of("nope") == ""
    await board.label("7", " south ")
    assert board.label_of("7") == "south"
    await board.archive(["8"])
    assert board.archived() == {"8"}
    clock.advance(60.0)
    removed = await board.remove(["7"])
    assert [e.batch_id for e in removed] == ["7"] and board.can_undo
    assert [s.batch_id for s in board.snapshots()] == ["8"]
    assert board.poller.snapshot("7") is None
    back = await board.restore()
    assert [e.batch_id for e in back] == ["7"] and not board.can_undo
    assert board.label_of("7") == "south"  # the label comes back
    snap = board.snapshot("7")
    assert snap is not None and snap.first_seen == pytest.approx(
        clock() - 60.0
    )  # and how long it was watched
    assert await board.restore() == []
    assert sum(isinstance(e, ListChanged) for e in events) == 6  # add, add, label, archive, remove, restore
    # the file holds it: a new Board over the same file sees the same list
    again = make(tmp_path, clock, server)
    assert again.labels() == {"8": "north", "7": "south"} and again.archived() == {"8"}


async def test_undo_is_deep_newest_first(tmp_path: Path, clock: FakeClock) -> None:
    board = make(tmp_path, clock, FakeServer(), ("1", "2", "3"))
    await board.remove(["1"])
    await board.remove(["2", "3"])
    assert sorted(e.batch_id for e in await board.restore()) == ["2", "3"]
    assert [e.batch_id for e in await board.restore()] == ["1"]


async def test_pause_resume_refresh(tmp_path: Path, clock: FakeClock) -> None:
    board = make(tmp_path, clock, FakeServer(), ("1",))
    board.pause()
    assert board.paused and await board.poller.poll_due() is None
    board.resume()
    assert not board.paused and await board.poller.poll_due() is not None
    assert await board.poller.poll_due() is None  # not due yet
    board.refresh(["1"])
    assert await board.poller.poll_due() is not None


async def test_store_problem_is_an_event(tmp_path: Path, clock: FakeClock, events: list[BoardEvent]) -> None:
    board = make(tmp_path, clock, FakeServer())
    board.subscribe(events.append)
    (tmp_path / "watchlist.json").unlink(missing_ok=True)
    (tmp_path / "watchlist.json").mkdir()  # the file cannot be written now
    await board.add(["5"])
    problems = [e for e in events if isinstance(e, StoreProblem)]
    assert len(problems) == 1 and problems[0].problem
    assert board.label_of("5") == ""  # kept in memory
    assert [s.batch_id for s in board.snapshots()] == ["5"]


async def test_a_failing_listener_does_not_stop_the_others(tmp_path: Path, clock: FakeClock) -> None:
    board = make(tmp_path, clock, FakeServer(), ("1",))
    seen: list[BoardEvent] = []

    def broken(event: BoardEvent) -> None:
        raise RuntimeError("boom")

    board.subscribe(broken)
    unsubscribe = board.subscribe(seen.append)
    await board.poller.poll_due()
    assert any(isinstance(e, RoundApplied) for e in seen)
    unsubscribe()
    seen.clear()
    board.refresh()
    await board.poller.poll_due()
    assert seen == []


async def test_a_round_of_one_fetch_reads_one_state_not_every_watched_one(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catches: the Board building every watched batch's state each round to find state changes
    (200 watched, ~25 rounds a second of one fetch each on a busy console: 5,000 state reads a second)."""
    server = FakeServer()
    ids = tuple(str(n) for n in range(1, 51))
    board = make(tmp_path, clock, server, ids)
    await board.poller.poll_due()
    events: list[BoardEvent] = []
    board.subscribe(events.append)
    reads = 0
    state = Snapshot.state

    def counting_state(self: Snapshot) -> BatchState | None:
        nonlocal reads
        reads += 1
        return state.fget(self)  # type: ignore[attr-defined, no-any-return]

    monkeypatch.setattr(Snapshot, "state", property(counting_state))
    server.answers["7"] = DONE
    clock.advance(0.5)
    board.refresh(["7"])
    await board.poller.poll_due()
    assert [(e.batch_id, e.state) for e in events if isinstance(e, StateChanged)] == [("7", DONE.state)]
    assert reads <= 5, f"{reads} snapshot states read for a round of one fetch among {len(ids)}"
