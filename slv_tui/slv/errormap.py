"""Turn httpx and OS exceptions into the `SlvError` taxonomy, with no traceback for users."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from slv_tui.slv import errors


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn httpx and OS exceptions into the `SlvError` taxonomy, with no traceback for users."""
    try:
        yield
    except errors.SlvError:
        raise
    except httpx.TimeoutException:
        raise errors.RequestTimeout("the server did not answer in time") from None
    except httpx.ConnectError as exc:
        if _is_tls(exc):
            raise errors.TlsError(_tls_reason(exc)) from None
        raise errors.ConnectionFailed(_connect_reason(exc)) from None
    except httpx.RemoteProtocolError:
        raise errors.ProtocolError("the answer was cut off before it was complete") from None
    except (httpx.ReadError, httpx.WriteError, httpx.NetworkError):
        raise errors.ConnectionFailed("the connection was reset while reading the answer") from None
    except httpx.DecodingError:
        raise errors.ProtocolError("the answer's content encoding is invalid") from None
    except httpx.HTTPError as exc:
        raise errors.ProtocolError(f"the HTTP exchange failed ({type(exc).__name__})") from None
    except ssl.SSLError as exc:
        raise errors.TlsError(_ssl_reason(exc)) from None
    except UnicodeEncodeError:  # a header value httpx cannot encode (checked earlier where known)
        raise errors.ProtocolError(
            "a request header holds characters HTTP cannot carry (not ASCII)"
        ) from None
    except OSError as exc:
        raise errors.ConnectionFailed(exc.strerror or type(exc).__name__) from None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_tls(exc: BaseException) -> bool:
    return any(isinstance(e, ssl.SSLError) for e in _chain(exc))


def _tls_reason(exc: BaseException) -> str:
    for e in _chain(exc):
        if isinstance(e, ssl.SSLCertVerificationError):
            return f"certificate verification failed ({e.verify_message})"
        if isinstance(e, ssl.SSLError):
            return _ssl_reason(e)
    return "handshake failed"


def _ssl_reason(exc: ssl.SSLError) -> str:
    """OpenSSL's short reason (e.g. WRONG_VERSION_NUMBER); not every SSLError carries one."""
    reason = getattr(exc, "reason", None)
    if reason == "WRONG_VERSION_NUMBER":
        return "handshake failed: the server does not speak TLS on this port (http:// instead of https://?)"
    return f"handshake failed ({reason})" if reason else "handshake failed"


def _connect_reason(exc: BaseException) -> str:
    for e in _chain(exc):
        if isinstance(e, ConnectionRefusedError):
            return "the server refused the connection (is it running? right port?)"
        if isinstance(e, OSError) and "Name or service not known" in str(e):
            return "the host name could not be resolved"
    text = str(exc).lower()
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text:
        return "the host name could not be resolved"
    if "refused" in text:
        return "the server refused the connection (is it running? right port?)"
    return "the server could not be reached"
