"""The error taxonomy: every failure to get a batch is one of these, each with a one-line message."""

from __future__ import annotations

from typing import ClassVar

from slv_tui.common.sanitize import clean

MAX_DETAIL = 300


class SlvError(Exception):
    """A failure to fetch or read a batch; `str()` is the one line a user sees."""

    title: ClassVar[str] = "error"
    transient: ClassVar[bool] = True
    """Whether retrying later may help (auth and usage problems do not fix themselves)."""

    def __init__(self, detail: str) -> None:
        detail = clean(detail, max_length=MAX_DETAIL)  # parts may come from the server (Location, reason)
        super().__init__(detail)
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.title}: {self.detail}"


class ConnectionFailed(SlvError):
    """The server could not be reached: refused, DNS, reset, network down."""

    title = "connection failed"


class RequestTimeout(SlvError):
    """The server did not answer within the timeout."""

    title = "timeout"


class TlsError(SlvError):
    """The TLS handshake or certificate check failed."""

    title = "TLS error"
    transient = False


class AuthError(SlvError):
    """The server refused our credentials or answered with a login page."""

    title = "authentication failed"
    transient = False

    def __init__(self, detail: str, *, probable: bool = False) -> None:
        super().__init__(detail)
        self.probable = probable
        """Only an HTML page where JSON was expected: probably a login page, not a definite refusal."""


class HttpStatusError(SlvError):
    """The server answered with an unexpected HTTP status."""

    title = "HTTP error"

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code


class ProtocolError(SlvError):
    """The answer was not a readable batch: not JSON, truncated, too large, too deep, bad encoding."""

    title = "protocol error"


class UnconfirmedPost(ProtocolError):
    """A POST that starts a run was answered with no batch and no definite refusal (an HTML page, a
    redirect): the server may have started the run, so it is never sent again."""

    title = "unconfirmed"
    transient = False


NOT_FOUND_CODE = "605"
"""SLV's errorCode for "Batch not found"."""


class ServerError(SlvError):
    """The server answered with an SLV error object where a batch was expected (e.g. `605 Batch not
    found`): the batch is unknown, which is a fetch problem and never a batch state.

    Transient: a batch may appear a moment after it was started, so pollers keep probing it slowly.
    """

    title = "server"

    def __init__(self, code: str | None, label: str | None) -> None:
        super().__init__(" ".join(part for part in (code, label) if part) or "an error object with no code")
        self.code = code
        self.label = label

    def with_reason(self, answer: object) -> ServerError:
        """The same refusal, with the error object's `message` (or plain-string `value`) added when it
        says more than the label: a refused start tells why (e.g. which CSV field is unknown)."""
        found = answer.get("message") if isinstance(answer, dict) else None
        if not isinstance(found, str) or not found.strip():
            found = answer.get("value") if isinstance(answer, dict) else None
        reason = found.strip()[:300] if isinstance(found, str) else ""
        if not reason or reason.lower() in (self.label or "").lower():
            return self
        return ServerError(self.code, f"{self.label}: {reason}" if self.label else reason)

    @property
    def not_found(self) -> bool:
        """The server does not know the batch (`605 Batch not found`), rather than failing to answer."""
        return self.code == NOT_FOUND_CODE or "not found" in (self.label or "").lower()
