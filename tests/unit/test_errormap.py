"""Every exception the HTTP stack can raise becomes one typed, one-line SlvError with no traceback chain."""

from __future__ import annotations

import errno
import ssl

import httpx
import pytest

from slv_tui.slv import errors
from slv_tui.slv.errormap import mapped_errors

REQUEST = httpx.Request("GET", "https://slv.example/reports/api/batch/getBatchResult")


def _caused(outer: BaseException, cause: BaseException) -> BaseException:
    outer.__cause__ = cause
    return outer


def _cert_error() -> ssl.SSLCertVerificationError:
    exc = ssl.SSLCertVerificationError(1, "certificate verify failed")
    exc.verify_message = "self-signed certificate"
    return exc


def _with_reason(exc: ssl.SSLError, reason: str) -> ssl.SSLError:
    exc.reason = reason
    return exc


CASES = [
    (httpx.ConnectTimeout("t", request=REQUEST), errors.RequestTimeout, "did not answer in time"),
    (httpx.ReadTimeout("t", request=REQUEST), errors.RequestTimeout, "did not answer in time"),
    (
        _caused(httpx.ConnectError("x", request=REQUEST), ConnectionRefusedError(errno.ECONNREFUSED, "no")),
        errors.ConnectionFailed,
        "refused the connection",
    ),
    (
        httpx.ConnectError("[Errno -2] Name or service not known", request=REQUEST),
        errors.ConnectionFailed,
        "could not be resolved",
    ),
    (
        httpx.ConnectError("[Errno 111] Connection refused", request=REQUEST),
        errors.ConnectionFailed,
        "refused",
    ),
    (httpx.ConnectError("something odd", request=REQUEST), errors.ConnectionFailed, "could not be reached"),
    (
        _caused(httpx.ConnectError("tls", request=REQUEST), _cert_error()),
        errors.TlsError,
        "certificate verification failed (self-signed certificate)",
    ),
    (httpx.RemoteProtocolError("peer closed", request=REQUEST), errors.ProtocolError, "cut off"),
    (httpx.ReadError("reset", request=REQUEST), errors.ConnectionFailed, "reset while reading"),
    (httpx.DecodingError("bad gzip", request=REQUEST), errors.ProtocolError, "content encoding"),
    (httpx.TooManyRedirects("loop", request=REQUEST), errors.ProtocolError, "TooManyRedirects"),
    (ssl.SSLError(1, "wrong version"), errors.TlsError, "handshake failed"),
    (_with_reason(ssl.SSLError(1, "x"), "WRONG_VERSION_NUMBER"), errors.TlsError, "does not speak TLS"),
    (_with_reason(ssl.SSLError(1, "x"), "TLSV1_ALERT_PROTOCOL_VERSION"), errors.TlsError, "(TLSV1_ALERT"),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), errors.ConnectionFailed, "Network is unreachable"),
]


@pytest.mark.parametrize(
    ("raised", "kind", "needle"), CASES, ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)]
)
def test_exception_maps_to_one_line_error(
    raised: BaseException, kind: type[errors.SlvError], needle: str
) -> None:
    with pytest.raises(errors.SlvError) as info, mapped_errors():
        raise raised
    exc = info.value
    assert type(exc) is kind
    assert needle in str(exc)
    assert str(exc) and "\n" not in str(exc)
    assert exc.__suppress_context__ and exc.__cause__ is None  # no chained traceback to print


def test_slv_errors_pass_through_unchanged() -> None:
    original = errors.AuthError("wrong user name or password")
    with pytest.raises(errors.AuthError) as info, mapped_errors():
        raise original
    assert info.value is original


def test_other_exceptions_are_not_swallowed() -> None:
    with pytest.raises(KeyError), mapped_errors():
        raise KeyError("a bug stays a bug")
