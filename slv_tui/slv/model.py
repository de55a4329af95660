"""Immutable batch, step and message records, and the one rule that derives a batch's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple


class Severity(StrEnum):
    """How serious a step message is."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class BatchState(StrEnum):
    """The one state vocabulary used by the UI, the JSON output, logs and tests."""

    CANCELLED = "cancelled"
    CANCELLING = "cancelling"
    RUNNING = "running"
    FAILED = "failed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"
    SUCCEEDED = "succeeded"

    @property
    def finished(self) -> bool:
        """True when the server will not change this batch any more."""
        return self not in (BatchState.RUNNING, BatchState.CANCELLING)

    @property
    def bad(self) -> bool:
        """True for the finished states that make `status`/`follow` exit with 1."""
        return self in (
            BatchState.CANCELLED,
            BatchState.FAILED,
            BatchState.COMPLETED_WITH_ERRORS,
        )


@dataclass(frozen=True, slots=True)
class Counts:
    """Numbers of info, warning and error messages."""

    info: int = 0
    warning: int = 0
    error: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.info + other.info, self.warning + other.warning, self.error + other.error)

    @property
    def total(self) -> int:
        """All messages together."""
        return self.info + self.warning + self.error

    def get(self, severity: Severity) -> int:
        """The count for one severity."""
        return int(getattr(self, severity.value))

    def as_dict(self) -> dict[str, int]:
        """The JSON form: {"info": n, "warning": n, "error": n}."""
        return {"info": self.info, "warning": self.warning, "error": self.error}


class StepMessage(NamedTuple):
    """One message a step reported (a named tuple: a batch can hold a million, built in C)."""

    severity: Severity
    text: str
    status: int | None = None
    status_text: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a commissioning run with its messages grouped by severity."""

    name: str
    label: str
    status: int | None
    infos: tuple[StepMessage, ...] = ()
    warnings: tuple[StepMessage, ...] = ()
    errors: tuple[StepMessage, ...] = ()
    counts: Counts = field(default_factory=Counts)
    ordered: tuple[StepMessage, ...] = ()

    @property
    def in_server_order(self) -> tuple[StepMessage, ...]:
        """Every message once, in the order of the server's combined `messages` list when it gave one."""
        return self.ordered or self.infos + self.warnings + self.errors

    def messages(self, severity: Severity) -> tuple[StepMessage, ...]:
        """The step's messages of one severity, in server order."""
        if severity is Severity.INFO:
            return self.infos
        if severity is Severity.WARNING:
            return self.warnings
        return self.errors

    @property
    def title(self) -> str:
        """The best human name the server gave the step."""
        return self.label or self.name or "(unnamed step)"


@dataclass(frozen=True, slots=True, weakref_slot=True)  # the client's answer cache holds it weakly
class Batch:
    """A batch as the server reported it at one moment; every documented attribute is kept."""

    batch_id: str
    progress: float | None = None
    progress_unreadable: bool = False
    """The server sent a progress that is no number (NaN, text, a bool): not a reading, unlike -1
    (unknown); the poller keeps the batch's last progress instead (else the row would flicker)."""
    progress_message: str | None = None
    running: bool = False
    cancel_requested: bool = False
    cancelled: bool = False
    error_code: str | None = None
    error_code_label: str | None = None
    message: str | None = None
    status: str | None = None
    status_error: bool = False
    status_ok: bool | None = None
    login: str | None = None
    value_status: int | None = None
    counts: Counts = field(default_factory=Counts)
    steps: tuple[Step, ...] = ()
    raw_value: Any = None
    """The server's `value` when it is not a commissioning result (kept for display), else None."""
    error_answer: bool = False
    """Kept for compatibility; always False: an SLV error object (no batch fields) is never parsed into
    a batch, `parse_batch` raises `ServerError` for it."""

    @property
    def state(self) -> BatchState:
        """The batch state, by the first matching rule of the state table."""
        return derive_state(self)

    @property
    def current_step(self) -> Step | None:
        """The last step the server has reported so far."""
        return self.steps[-1] if self.steps else None


def derive_state(batch: Batch) -> BatchState:
    """Apply the state table; first match wins."""
    if batch.cancelled:
        return BatchState.CANCELLED
    if batch.running and batch.cancel_requested:
        return BatchState.CANCELLING
    if batch.running:
        return BatchState.RUNNING
    if (
        batch.status_error
        or (batch.status or "").upper() == "ERROR"
        or (batch.error_code not in (None, "", "0"))
    ):
        return BatchState.FAILED
    if batch.counts.error > 0:
        return BatchState.COMPLETED_WITH_ERRORS
    return BatchState.SUCCEEDED
