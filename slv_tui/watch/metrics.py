"""Prometheus metrics from plain snapshots: a collector built fresh at each scrape (prometheus_client
is imported only here, and this module only when `--metrics-listen` is given)."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from slv_tui.common.sanitize import clean
from slv_tui.slv.model import BatchState

LABEL_MAX = 64
"""Label values are cleaned server text of at most this many characters."""
STATES = (*(s.value for s in BatchState), "not_found", "unknown")
"""Every value of the `state` label of slv_batch_state (a state set: one is 1, the others 0)."""
BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
OUTCOMES = ("ok", "not_found", "error")


def label(text: object) -> str:
    """A label value: cleaned, one line, bounded."""
    return clean(text, max_length=LABEL_MAX)


@dataclass(frozen=True, slots=True)
class BatchView:
    """What the metrics say about one watched batch (plain data, from the poller or a Board)."""

    batch_id: str
    label: str = ""
    state: str = "unknown"
    """A BatchState value, "not_found" or "unknown" (never fetched)."""
    progress: float | None = None
    """0 to 100, None when indeterminate or unknown."""
    counts: tuple[int, int, int] | None = None
    last_change: float | None = None
    """Wall-clock seconds of the last change seen."""
    finished_at: float | None = None
    stalled: bool = False


@dataclass(frozen=True, slots=True)
class ServerView:
    """One server (profile) and its batches."""

    server: str
    up: bool | None
    batches: tuple[BatchView, ...] = ()


@dataclass
class RequestStats:
    """Counts and durations of requests, per server and outcome (thread-safe: scrapes run in a thread)."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    buckets: dict[str, list[int]] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def observe(self, server: str, outcome: str, seconds: float) -> None:
        """Record one request."""
        with self._lock:
            key = (server, outcome)
            self.counts[key] = self.counts.get(key, 0) + 1
            row = self.buckets.setdefault(server, [0] * (len(BUCKETS) + 1))
            row[bisect.bisect_left(BUCKETS, seconds)] += 1
            self.sums[server] = self.sums.get(server, 0.0) + seconds

    def copy(self) -> tuple[dict[tuple[str, str], int], dict[str, list[int]], dict[str, float]]:
        """A consistent copy for one scrape."""
        with self._lock:
            return dict(self.counts), {k: list(v) for k, v in self.buckets.items()}, dict(self.sums)


class SlvCollector(Collector):
    """Builds every slv_* metric from `views()` at each scrape: a removed batch's series are gone."""

    def __init__(self, views: Callable[[], Sequence[ServerView]], stats: RequestStats) -> None:
        self.views = views
        self.stats = stats

    def describe(self) -> list[Any]:
        """Nothing up front (the series are only known at scrape time)."""
        return []

    def collect(self) -> Iterator[Any]:
        """The metric families of this moment."""
        b = ["server", "batch"]
        up = GaugeMetricFamily(
            "slv_up", "1 when the SLV server answers, 0 when it is down", labels=["server"]
        )
        info = GaugeMetricFamily("slv_batch_info", "a watched batch and its label", labels=[*b, "label"])
        state = GaugeMetricFamily(
            "slv_batch_state", "the batch state (a state set: 1 for the current one)", labels=[*b, "state"]
        )
        progress = GaugeMetricFamily(
            "slv_batch_progress_ratio", "progress 0-1 (absent when indeterminate)", labels=b
        )
        messages = GaugeMetricFamily(
            "slv_batch_messages", "messages the batch reported, per severity", labels=[*b, "severity"]
        )
        changed = GaugeMetricFamily(
            "slv_batch_last_change_timestamp_seconds", "when the batch last changed (Unix time)", labels=b
        )
        finished = GaugeMetricFamily(
            "slv_batch_finished_timestamp_seconds", "when the batch was seen finished (Unix time)", labels=b
        )
        stalled = GaugeMetricFamily(
            "slv_batch_stalled", "1 when a running batch has not moved for stall_after", labels=b
        )
        for view in self.views():
            server = label(view.server)
            if view.up is not None:
                up.add_metric([server], 1.0 if view.up else 0.0)
            for batch in view.batches:
                key = [server, batch.batch_id]
                info.add_metric([*key, label(batch.label)], 1.0)
                for name in STATES:
                    state.add_metric([*key, name], 1.0 if name == batch.state else 0.0)
                if batch.progress is not None:
                    progress.add_metric(key, max(0.0, min(1.0, batch.progress / 100.0)))
                if batch.counts is not None:
                    for severity, count in zip(("info", "warning", "error"), batch.counts, strict=True):
                        messages.add_metric([*key, severity], float(count))
                if batch.last_change is not None:
                    changed.add_metric(key, batch.last_change)
                if batch.finished_at is not None:
                    finished.add_metric(key, batch.finished_at)
                if batch.state in ("running", "cancelling"):
                    stalled.add_metric(key, 1.0 if batch.stalled else 0.0)
        yield from (up, info, state, progress, messages, changed, finished, stalled)
        yield from self._requests()

    def _requests(self) -> Iterator[Any]:
        counts, buckets, sums = self.stats.copy()
        total = CounterMetricFamily(
            "slv_requests", "batch requests, per outcome", labels=["server", "outcome"]
        )
        for (server, outcome), count in sorted(counts.items()):
            total.add_metric([label(server), outcome], float(count))
        duration = HistogramMetricFamily(
            "slv_request_duration_seconds", "how long batch requests took", labels=["server"]
        )
        for server, row in sorted(buckets.items()):
            cumulative, acc = [], 0
            for bound, count in zip([*map(str, BUCKETS), "+Inf"], row, strict=True):
                acc += count
                cumulative.append((bound, float(acc)))
            duration.add_metric([label(server)], cumulative, sum_value=sums.get(server, 0.0))
        yield total
        yield duration


def serve(host: str, port: int, views: Callable[[], Sequence[ServerView]], stats: RequestStats) -> Any:
    """Serve /metrics on host:port in a thread of its own; returns the server (call `.shutdown()`)."""
    from prometheus_client import start_http_server
    from prometheus_client.registry import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(SlvCollector(views, stats))
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
