"""Pure helpers of the dashboard: the ETA from recent progress, and which table columns fit."""

from __future__ import annotations

import pytest

from slv_tui.ui.format import ETA_WINDOW, STATE_LABELS, ProgressTrend, age, ago, duration, next_change, since
from slv_tui.ui.widgets.columns import fit_columns


def test_eta_waits_for_movement_then_uses_the_recent_rate() -> None:
    trend = ProgressTrend()
    trend.add(0.0, 30.0)
    trend.add(50.0, 30.0)
    trend.add(60.0, 31.0)  # first change: how long it sat at 30 % is unknown, so this is the anchor
    assert trend.eta() is None
    trend.add(70.0, 41.0)  # 10 % in 10 s
    assert trend.eta() == 59.0
    trend.add(70.0 + ETA_WINDOW + 100, 50.0)  # then it slowed right down
    trend.add(70.0 + ETA_WINDOW + 200, 51.0)
    eta = trend.eta()
    assert eta is not None and eta > 1000  # the old fast stretch has left the window


def test_eta_grows_while_stalled_and_restarts_with_the_batch() -> None:
    trend = ProgressTrend()
    for t, p in ((0, 10), (10, 20), (20, 30)):
        trend.add(float(t), float(p))
    before = trend.eta()
    trend.add(200.0, 30.0)  # no movement for three minutes
    after = trend.eta()
    assert before is not None and after is not None and after > before
    trend.add(210.0, 5.0)  # lower than before: the batch started over
    assert trend.eta() is None


def test_columns_fit_narrow_and_grow_wide() -> None:
    narrow = dict(fit_columns(98, id_width=13, labelled=False))
    assert {"id", "state", "progress", "warn", "err", "message", "fetch"} <= narrow.keys()
    assert "label" not in narrow and "updated" not in narrow
    assert sum(w + 2 for w in narrow.values()) <= 98
    wide = dict(fit_columns(218, id_width=13, labelled=False))
    assert len(wide) == 13
    assert wide["message"] > 40 and wide["label"] == 12  # an empty Label column does not grow
    labelled = dict(fit_columns(218, id_width=13, labelled=True))
    assert labelled["label"] > 12
    assert "label" in dict(fit_columns(120, id_width=13, labelled=True))
    assert "label" not in dict(fit_columns(120, id_width=13, labelled=False))


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "—"),
        (float("nan"), "—"),
        (0.4, "now"),
        (1.0, "1s ago"),
        (59.9, "59s ago"),
        (60.0, "1m ago"),
        (185.0, "3m ago"),
        (3599.0, "59m ago"),
        (3600.0, "1h 00m ago"),
        (2 * 86400 + 7200.0, "2d 2h ago"),
    ],
)
def test_age_is_whole_minutes_from_one_minute_on(seconds: float | None, shown: str) -> None:
    assert age(seconds) == shown


@pytest.mark.parametrize("width", [58, 78, 158])
def test_label_state_progress_and_staleness_stay_longest(width: int) -> None:
    """At 60, 80 and 160 columns (less the scrollbar) state, progress and fetch are always there,
    and the error and warning counts outrank a label: at 80 they stay whether labels exist or not."""
    shown = dict(fit_columns(width, id_width=13, labelled=True))
    assert {"id", "state", "progress", "fetch"} <= shown.keys()
    assert sum(w + 2 for w in shown.values()) <= width
    if width >= 78:
        assert {"warn", "err"} <= shown.keys()
    if width >= 158:
        assert {"message", "elapsed", "warn", "err"} <= shown.keys()


def test_the_sort_column_never_gives_way_and_has_room_for_its_arrow() -> None:
    """A remembered "label ↓" sort shows the label column first when there is room for one more."""
    assert "label" not in dict(fit_columns(78, id_width=13, labelled=True))
    shown = dict(fit_columns(78, id_width=13, labelled=True, keep="label"))
    assert "label" in shown and sum(w + 2 for w in shown.values()) <= 78
    assert dict(fit_columns(158, id_width=13, labelled=True, keep="warn"))["warn"] >= len("Warn ↓")


def test_ages_of_old_batches_change_once_a_minute() -> None:
    """The 1-second tick redraws nothing for a batch last updated minutes ago, until the minute turns."""
    assert len({age(s) for s in range(600, 660)}) == 1
    assert len({age(s) for s in range(0, 60)}) == 60


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "—"),
        (0.0, "<1m"),
        (59.9, "<1m"),
        (60.0, "1m"),
        (3599.0, "59m"),
        (3660.0, "1h 01m"),
        (90000, "1d 1h"),
    ],
)
def test_table_times_are_whole_minutes(seconds: float | None, shown: str) -> None:
    assert since(seconds) == shown
    assert ago(seconds) == (shown if seconds is None else f"{shown} ago")


def test_next_change_is_when_the_shown_text_changes() -> None:
    """Just before the predicted moment the text is the same; at it, it differs (hours and days too)."""
    for seconds in (0.0, 12.5, 59.0, 60.0, 61.3, 3599.5, 7322.0, 86399.0, 90000.0, 200000.7):
        later = seconds + next_change(seconds)
        assert since(later - 0.01) == since(seconds)
        assert since(later) != since(seconds)


def test_duration_keeps_seconds_below_an_hour() -> None:
    assert [duration(s) for s in (5, 65, 3599, 3660, 90000)] == ["5s", "1m 05s", "59m 59s", "1h 01m", "1d 1h"]


def test_help_state_legend_comes_from_the_state_table_and_names_stalled() -> None:
    from slv_tui.ui.screens.help import state_legend

    legend = state_legend()
    assert legend.startswith("States: ")
    for state, (symbol, word) in STATE_LABELS.items():
        assert f"{symbol} {word}" in legend, state
    assert legend.count(" · ") == len(STATE_LABELS)  # and the stalled condition, last
    assert legend.endswith(" · ⧖ STALLED (running, no change for stall_after)")
