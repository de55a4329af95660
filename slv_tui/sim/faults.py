"""Fault injection: every broken answer a real CMS, proxy or network can give to getBatchResult."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any, Literal, get_args

from aiohttp import web

from slv_tui.sim import wire

FaultKind = Literal[
    "html",
    "login_redirect",
    "unauthorized",
    "forbidden",
    "server_error",
    "unavailable",
    "slow",
    "truncated",
    "truncated_json",
    "reset",
    "huge",
    "deep",
    "bad_utf8",
    "nan",
    "wrong_types",
    "not_batch",
    "error_object",
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

# Faults picked at random by `fault_rate`: the ones a client should ride out by retrying or by
# parsing leniently.  Auth faults (login_redirect, unauthorized, forbidden) would end a client's
# run, and huge/deep/bad_utf8/not_batch/error_object are "server is broken" cases, so they are only
# available through set_fault().  `html` is included: a proxy's error page looks just like it.
TRANSIENT_FAULTS: tuple[str, ...] = (
    "html",
    "server_error",
    "unavailable",
    "truncated",
    "truncated_json",
    "reset",
    "slow",
    "nan",
    "wrong_types",
)
# A randomly chosen `slow` fault waits at most this long (a forced one waits slow_seconds).
RANDOM_SLOW_CAP = 2.0
_PAD = "@@SLV-SIM-PADDING@@"
_CHUNK = 1024 * 1024


def _close(request: web.Request, *, reset: bool) -> None:
    """Close the client connection: gracefully (FIN) or with a TCP reset (RST)."""
    transport = request.transport
    if transport is None:
        return
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()


async def _cut(request: web.Request, body: bytes, *, reset: bool) -> web.StreamResponse:
    """Announce the full Content-Length, send half of the body, then drop the connection."""
    resp = web.StreamResponse(headers={"Content-Type": wire.JSON_TYPE})
    resp.content_length = len(body)
    await resp.prepare(request)
    with contextlib.suppress(ConnectionError):
        await resp.write(body[: len(body) // 2])
    _close(request, reset=reset)
    raise asyncio.CancelledError  # stop aiohttp from finishing the response


async def _huge(request: web.Request, batch: dict[str, Any], size: int) -> web.StreamResponse:
    """Stream a valid batch whose progress message pads the body beyond `size` bytes (chunked)."""
    head, tail = wire.dumps({**batch, "batchProgressMessage": _PAD}).split(f'"{_PAD}"'.encode())
    remaining = max(0, size - len(head) - len(tail)) + 1024
    resp = web.StreamResponse(headers={"Content-Type": wire.JSON_TYPE})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    try:
        await resp.write(head + b'"')
        block = b"x" * _CHUNK
        while remaining > 0:
            await resp.write(block[: min(_CHUNK, remaining)])
            remaining -= _CHUNK
        await resp.write(b'"' + tail)
        await resp.write_eof()
    except ConnectionError:
        _close(request, reset=False)
    return resp


def _deep(batch_id: str, depth: int = 100_000) -> bytes:
    """Valid JSON nested `depth` levels (inside `value`)."""
    head = b'{"batchId":"' + batch_id.encode() + b'","value":'
    return head + b"[" * depth + b"]" * depth + b"}"


def _bad_utf8(batch: dict[str, Any]) -> bytes:
    """The batch with invalid UTF-8 bytes inside a string."""
    body = wire.dumps({**batch, "batchProgressMessage": _PAD})
    return body.replace(_PAD.encode(), b"Commissioning \xff\xfe\xc3( lamp \x80 step")


async def fault_response(
    kind: str,
    request: web.Request,
    batch: dict[str, Any],
    *,
    prefix: str,
    slow_seconds: float,
    huge_bytes: int,
) -> web.StreamResponse:
    """The broken answer for fault `kind`; `batch` is what a healthy server would have sent."""
    body = wire.dumps(batch)
    match kind:
        case "html":
            return wire.html_response(wire.login_page(prefix))
        case "login_redirect":
            return web.Response(status=302, headers={"Location": f"{prefix}/login.jsp"})
        case "unauthorized":
            return wire.unauthorized()
        case "forbidden":
            page = wire.error_page(403, "Forbidden", "Access to the requested resource is denied.")
            return wire.html_response(page, 403)
        case "server_error":
            page = wire.error_page(500, "Internal Server Error", "java.lang.NullPointerException")
            return wire.html_response(page, 500)
        case "unavailable":
            page = wire.error_page(503, "Service Unavailable", "The server is temporarily busy.")
            return wire.html_response(page, 503, **{"Retry-After": "1"})
        case "slow":
            await asyncio.sleep(slow_seconds)
            return wire.json_response(batch)
        case "truncated":
            return await _cut(request, body, reset=False)
        case "reset":
            return await _cut(request, body, reset=True)
        case "truncated_json":
            return web.Response(body=body[: len(body) // 2], headers={"Content-Type": wire.JSON_TYPE})
        case "huge":
            return await _huge(request, batch, huge_bytes)
        case "deep":
            return web.Response(
                body=_deep(str(batch.get("batchId", "0"))), headers={"Content-Type": wire.JSON_TYPE}
            )
        case "bad_utf8":
            return web.Response(body=_bad_utf8(batch), headers={"Content-Type": wire.JSON_TYPE})
        case "nan":
            return wire.json_response({**batch, "batchProgressValue": float("nan")})
        case "wrong_types":
            return wire.json_response(wire.wrong_types(batch))
        case "not_batch":
            return wire.json_response([1, 2, 3])
        case "error_object":
            return wire.json_response(wire.error_object("500", "Internal error", "Internal error"))
    raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(FAULT_KINDS)}")
