"""The desktop notification body is markup to the notification server (`<a href>`, `<img src>`,
entities): server text fetched over a real socket reaches notify-send escaped, shown as itself."""

from __future__ import annotations

from collections.abc import Sequence

from support.sim import new_client

from slv_tui.watch.alerts import Alerts, alert_for
from slv_tui.watch.snapshot import Snapshot, Update

from .hostile import HostileServer, Reply, batch_body
from .hostilecases import NOTIFICATION_MARKUP, record

BATCH = "1481016600181"
MARKUP = '<a href="https://evil.example/reset">renew</a> <img src="file:///etc/shadow"/> <b>R&D</b> &amp;'


async def test_a_failure_notification_escapes_server_markup() -> None:
    running = batch_body(BATCH, batchRunning=True, batchProgressValue=40)
    failed = batch_body(BATCH, status="ERROR", statusError=True, errorCode="612", errorCodeLabel=MARKUP)
    with HostileServer(Reply(body=running)) as server:
        client = new_client(server.url, "admin", "basic")
        try:
            before = await client.get_batch(BATCH)
            server.reply = Reply(body=failed)
            after = await client.get_batch(BATCH)
        finally:
            await client.aclose()
    alert = alert_for(Update(Snapshot(BATCH, 0.0, batch=after, fetched_at=1.0), before))
    assert alert is not None and alert.event == "failed"
    commands: list[Sequence[str]] = []
    alerts = Alerts(
        {"failed": "desktop"}, run=commands.append, platform="linux", which=lambda n: f"/usr/bin/{n}"
    )
    delivery = alerts.delivery(alert)
    assert delivery is not None and delivery.command is not None
    *_, title, body = delivery.command
    assert delivery.command[:3] == ["/usr/bin/notify-send", "--app-name=slv-tui", "--"]
    assert title == "slv-tui: batch failed"
    assert "<" not in body and ">" not in body, body
    assert '&lt;img src="file:///etc/shadow"/&gt;' in body and "R&amp;D" in body and "&amp;amp;" in body
    tags, ampersands = MARKUP.count("<"), MARKUP.count("&")
    figure = f"notify-send body: {tags} tags and {ampersands} `&` from the server, all escaped"
    record(NOTIFICATION_MARKUP, figure)
