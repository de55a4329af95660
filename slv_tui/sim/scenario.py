"""Scenario files: load JSON data into immutable batch specs and templates."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

SEVERITIES = {"info": 0, "warning": 1, "error": 2}
OUTCOMES = ("ok", "warnings", "errors", "failed")
_BATCH_KEYS = {"id", "start", "at", "template", "params", "note", "state"}


class ScenarioError(ValueError):
    """A scenario file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class MessageSpec:
    """One message of a step: when it appears, its severity (0/1/2) and its text."""

    at: float
    severity: int
    text: str


@dataclass(frozen=True)
class StepSpec:
    """One step of a batch: when it appears and its messages sorted by time."""

    name: str
    label: str
    at: float
    messages: tuple[MessageSpec, ...]
    times: tuple[float, ...]


@dataclass(frozen=True)
class BatchSpec:
    """The whole timeline of one batch, relative to its creation time."""

    login: str
    duration: float | None
    steps: tuple[StepSpec, ...]
    unknown_until: float
    points: tuple[tuple[float, float], ...]
    progress_messages: tuple[tuple[float, str], ...]
    cancel_requested_at: float | None
    cancelled_at: float | None
    outcome: str
    error_code: str
    error_code_label: str | None
    final_message: str | None
    final_progress_message: str | None
    loop: float | None
    value_null: bool
    error_value: str | None = None
    """When failed: `value` is this plain string (the error message), as real servers answer."""
    numeric_ids: bool = False
    """`batchId` and `errorCode` as JSON numbers (real servers send either shape)."""


@dataclass(frozen=True)
class ScenarioBatch:
    """A batch listed by a scenario: its id, start offset, optional frozen time and spec."""

    id: str
    start: float
    at: float | None
    spec: BatchSpec


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: its batches and the raw templates used to start new ones."""

    name: str
    frozen: bool
    batches: tuple[ScenarioBatch, ...]
    templates: dict[str, dict[str, Any]]


class _Params(dict[str, Any]):
    """Placeholder values for str.format_map that leave unknown placeholders untouched."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fmt(text: str, params: dict[str, Any]) -> str:
    """Fill {placeholders} of a scenario text from params."""
    try:
        return text.format_map(_Params(params))
    except (ValueError, IndexError, KeyError):
        return text


def _opt_float(raw: dict[str, Any], key: str) -> float | None:
    """Read an optional number field."""
    value = raw.get(key)
    return None if value is None else float(value)


def _generated(gen: dict[str, Any], params: dict[str, Any]) -> list[MessageSpec]:
    """Expand a deterministic message generator into messages spread over its time window."""
    devices: list[str] = [str(d) for d in params.get("devices", [])]
    count = int(gen.get("count", len(devices)))
    start, end = float(gen.get("from", 0)), float(gen.get("to", 0))
    pattern = str(gen.get("device", "Lamp-{n:04d}"))
    warn_every, err_every = int(gen.get("warning_every", 0)), int(gen.get("error_every", 0))
    out: list[MessageSpec] = []
    for i in range(count):
        n = i + 1
        device = devices[i] if i < len(devices) else pattern.format(n=n)
        values = {**params, "device": device, "n": n}
        severity, key = 0, "text"
        if err_every and n % err_every == 0:
            severity, key = 2, "error_text"
        elif warn_every and n % warn_every == 0:
            severity, key = 1, "warning_text"
        at = start + (end - start) * i / max(count, 1)
        out.append(MessageSpec(at, severity, _fmt(str(gen.get(key, gen["text"])), values)))
    return out


def _step(raw: dict[str, Any], params: dict[str, Any]) -> StepSpec:
    """Build one step spec, expanding placeholders and generators."""
    at = float(raw.get("at", 0))
    messages = [
        MessageSpec(
            max(at, float(m.get("at", at))),
            SEVERITIES[m.get("severity", "info")],
            _fmt(str(m["text"]), params),
        )
        for m in raw.get("messages", [])
    ]
    if "generate" in raw:
        messages.extend(_generated(raw["generate"], params))
    messages.sort(key=lambda m: m.at)
    label = _fmt(str(raw.get("label", raw["name"])), params)
    return StepSpec(str(raw["name"]), label, at, tuple(messages), tuple(m.at for m in messages))


def build_spec(raw: dict[str, Any], params: dict[str, Any] | None = None) -> BatchSpec:
    """Turn a raw timeline (template plus overrides) into a BatchSpec for the given params."""
    params = {**raw.get("defaults", {}), **(params or {})}
    devices = params.get("devices", [])
    params.setdefault("device_count", len(devices))
    params.setdefault("devices_text", ", ".join(str(d) for d in devices))
    flags = params.get("flags")
    steps = tuple(
        _step(s, params)
        for s in raw.get("steps", [])
        if flags is None or "flag" not in s or int(flags) & int(s["flag"])
    )
    duration = _opt_float(raw, "duration")
    progress: dict[str, Any] = raw.get("progress", {})
    unknown = progress.get("unknown_until", 0)
    unknown_until = math.inf if progress.get("unknown") or unknown is None else float(unknown)
    points = tuple((float(t), float(v)) for t, v in progress.get("points", []))
    if not points and duration is not None and math.isfinite(unknown_until):
        points = ((unknown_until, 0.0), (duration, 100.0))
    outcome = str(raw.get("outcome", "ok"))
    if outcome not in OUTCOMES:
        raise ScenarioError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    final_pm = raw.get("final_progress_message")
    final_msg = raw.get("final_message")
    return BatchSpec(
        login=_fmt(str(params.get("login", raw.get("login", "admin"))), params),
        duration=duration,
        steps=steps,
        unknown_until=unknown_until,
        points=points,
        progress_messages=tuple(
            (float(t), _fmt(str(text), params)) for t, text in raw.get("progress_messages", [])
        ),
        cancel_requested_at=_opt_float(raw, "cancel_requested_at"),
        cancelled_at=_opt_float(raw, "cancelled_at"),
        outcome=outcome,
        error_code=str(raw.get("error_code", "0" if outcome != "failed" else "500")),
        error_code_label=raw.get("error_code_label"),
        final_message=None if final_msg is None else _fmt(str(final_msg), params),
        final_progress_message=None if final_pm is None else _fmt(str(final_pm), params),
        loop=_opt_float(raw, "loop"),
        value_null=bool(raw.get("value_null", False)),
        error_value=None if raw.get("error_value") is None else _fmt(str(raw["error_value"]), params),
        numeric_ids=bool(raw.get("numeric_ids", False)),
    )


def _read(scenario: str | Path) -> tuple[str, dict[str, Any]]:
    """Read a scenario by package name or filesystem path."""
    path = Path(scenario)
    try:
        if path.suffix == ".json" or path.exists():
            text, name = path.read_text(encoding="utf-8"), path.stem
        else:
            name = str(scenario)
            res = resources.files("slv_tui.sim").joinpath("scenarios", f"{name}.json")
            text = res.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot load scenario {str(scenario)!r}: {exc}") from exc
    if not isinstance(data, dict):
        raise ScenarioError(f"scenario {str(scenario)!r} is not a JSON object")
    return name, data


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    folder = resources.files("slv_tui.sim").joinpath("scenarios")
    names = (p.name for p in folder.iterdir())
    return sorted(n[:-5] for n in names if n.endswith(".json") and not n.startswith("_"))


def load_scenario(scenario: str | Path) -> Scenario:
    """Load a scenario (package name like "demo", or a path to a JSON file)."""
    name, data = _read(scenario)
    templates: dict[str, dict[str, Any]] = {}
    for include in data.get("include", []):
        templates.update(_read(include)[1].get("templates", {}))
    templates.update(data.get("templates", {}))
    batches: list[ScenarioBatch] = []
    try:
        for entry in data.get("batches", []):
            raw = dict(templates[entry["template"]]) if "template" in entry else {}
            raw.update({k: v for k, v in entry.items() if k not in _BATCH_KEYS})
            batch_id = str(entry["id"])
            if not batch_id.isdigit():
                raise ScenarioError(f"batch id {batch_id!r} is not a string of digits")
            spec = build_spec(raw, entry.get("params"))
            batches.append(
                ScenarioBatch(batch_id, float(entry.get("start", 0)), _opt_float(entry, "at"), spec)
            )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ScenarioError):
            raise
        raise ScenarioError(f"scenario {name!r} is malformed: {exc!r}") from exc
    return Scenario(name, bool(data.get("frozen", False)), tuple(batches), templates)
