"""Desktop alerts: which event, which command or escape, and never raw server text."""

from __future__ import annotations

from pathlib import Path

import pytest

from slv_tui.settings.config import ConfigError, Overrides, resolve
from slv_tui.slv.model import Batch, Counts
from slv_tui.watch.alerts import Alert, Alerts, alert_for, desktop_command, osc_text, terminal_flavour
from slv_tui.watch.snapshot import Snapshot, Update

HOSTILE = "Depot\x1b]0;owned\x07\x1b[31m\u202e"


def update(previous: Batch | None, batch: Batch) -> Update:
    return Update(Snapshot(batch.batch_id, 0.0, batch=batch, fetched_at=1.0), previous)


RUNNING = Batch("42", progress=50, running=True)


def test_events() -> None:
    done = alert_for(update(RUNNING, Batch("42", progress=100, status="OK")))
    assert done is not None and done.event == "finished" and done.title == "slv-tui: batch succeeded"
    failed = alert_for(
        update(RUNNING, Batch("42", status="ERROR", error_code="605", error_code_label=HOSTILE))
    )
    assert failed is not None and failed.event == "failed"
    assert "\x1b" not in failed.body and "\x07" not in failed.body and "Depot" in failed.body
    errors = alert_for(update(RUNNING, Batch("42", progress=100, status="OK", counts=Counts(0, 0, 3))))
    assert errors is not None and errors.event == "failed" and "3 errors" in errors.body
    cancel = alert_for(
        update(RUNNING, Batch("42", progress=50, running=True, cancel_requested=True)), HOSTILE
    )
    assert cancel is not None and cancel.event == "cancel_requested"
    assert "\x1b" not in cancel.body and "\u202e" not in cancel.body
    assert alert_for(update(None, Batch("42", progress=100))) is None  # already finished when added
    assert alert_for(update(RUNNING, RUNNING)) is None


ALERT = Alert("failed", "slv-tui: batch failed", 'x "quoted" \\ -rf')


def test_desktop_command_per_platform() -> None:
    def which(name: str) -> str:
        return f"/usr/bin/{name}"

    assert desktop_command(ALERT, platform="linux", which=which) == [
        "/usr/bin/notify-send", "--app-name=slv-tui", "--", "slv-tui: batch failed", 'x "quoted" \\ -rf',
    ]  # fmt: skip
    mac = desktop_command(ALERT, platform="darwin", which=which)
    assert mac == [
        "/usr/bin/osascript", "-e",
        'display notification "x \\"quoted\\" \\\\ -rf" with title "slv-tui: batch failed"',
    ]  # fmt: skip
    assert desktop_command(ALERT, platform="linux", which=lambda _name: None) is None
    assert desktop_command(ALERT, platform="win32", which=which) is None


def test_osc_text_is_clean() -> None:
    hostile = Alert("failed", "a;b\x07", "body\x1b]9;fake\x07 end")
    assert osc_text(hostile, "osc9") == "\x1b]9;a;b: body end\x07"
    assert osc_text(hostile, "osc777") == "\x1b]777;notify;a,b;body end\x07"


def test_terminal_flavour() -> None:
    assert terminal_flavour({"TERM_PROGRAM": "iTerm.app"}) == "osc9"
    assert terminal_flavour({"WT_SESSION": "x"}) == "osc9"
    assert terminal_flavour({"TERM": "foot"}) == "osc777"
    assert terminal_flavour({"TERM": "xterm-256color"}) is None


def test_delivery_falls_back_desktop_terminal_bell() -> None:
    channels = {"failed": "desktop", "finished": "terminal", "cancel_requested": "off"}
    nothing = Alerts(channels, platform="linux", which=lambda _n: None, env={"TERM": "dumb"})  # type: ignore[arg-type]
    assert nothing.delivery(ALERT) is not None and nothing.delivery(ALERT).channel == "bell"  # type: ignore[union-attr]
    wez = Alerts(channels, platform="linux", which=lambda _n: None, env={"TERM_PROGRAM": "WezTerm"})  # type: ignore[arg-type]
    assert wez.delivery(ALERT).escape == osc_text(ALERT, "osc9")  # type: ignore[union-attr]
    desk = Alerts(channels, platform="linux", which=lambda n: "/bin/" + n, env={})  # type: ignore[arg-type]
    assert desk.delivery(ALERT).command[0] == "/bin/notify-send"  # type: ignore[union-attr,index]
    assert desk.delivery(Alert("cancel_requested", "t", "b")) is None
    assert not Alerts({}).enabled


def test_config_channels(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[ui]\nnotify_failed = "desktop"\n')
    settings = resolve(Overrides(), path, env={})
    assert dict(settings.notify) == {"finished": "off", "failed": "desktop", "cancel_requested": "off"}
    path.write_text('[ui]\nnotify_finished = "loud"\n')
    with pytest.raises(ConfigError, match=r"ui\.notify_finished: expected one of 'off'"):
        resolve(Overrides(), path, env={})


def test_the_channel_of_watcher_events_says_what_alert_for_says() -> None:
    """The notifier channel (watcher event dicts + the Board's batch) gives the very alerts, with the
    very text, that `alert_for` gives on the poll update behind each event."""
    from slv_tui.watch.alerts import alert_for_event

    cases = [
        ("finished", Batch("42", progress=100, status="OK")),
        ("finished", Batch("42", status="ERROR", error_code="605", error_code_label=HOSTILE)),
        ("finished", Batch("42", progress=100, status="OK", counts=Counts(0, 0, 3))),
        ("state", Batch("42", progress=50, running=True, cancel_requested=True)),
    ]
    for kind, batch in cases:
        event = {"event": kind, "batchId": "42", "previous": "running", "state": batch.state.value}
        assert alert_for_event(event, batch, HOSTILE) == alert_for(update(RUNNING, batch), HOSTILE), kind
    done = Batch("42", progress=100)
    for previous in (None, "not_found"):  # first seen already finished: no alert, as alert_for
        assert alert_for_event({"event": "finished", "batchId": "42", "previous": previous}, done) is None
    assert alert_for_event({"event": "state", "batchId": "42", "previous": "running"}, RUNNING) is None
    assert alert_for_event({"event": "finished", "batchId": "42", "previous": "running"}, None) is None


def test_the_alert_channel_hands_on_deliveries_and_skips_server_events() -> None:
    from slv_tui.watch.alerts import AlertChannel, Delivery

    alerts = Alerts({"failed": "bell", "finished": "off"}, env={})
    got: list[Delivery] = []
    failed = Batch("42", status="ERROR", error_code="605", error_code_label="CTRL-7")
    channel = AlertChannel(alerts, got.append, lambda batch_id: failed, lambda batch_id: "")
    channel.offer({"event": "server_down", "reason": "no answer"})
    channel.offer({"event": "failed", "batchId": "42", "previous": "running"})  # the state event
    assert got == []
    channel.offer({"event": "finished", "batchId": "42", "previous": "running"})
    assert got == [Delivery("bell")]
    channel.close()
