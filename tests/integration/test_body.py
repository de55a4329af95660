"""The capped body reader: one content encoding at most, decompression stopped at the cap.

Each answer comes from a raw asyncio server on 127.0.0.1 that sends exactly the bytes given.
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from support.sim import new_client
from support.spy import spy

from slv_tui.slv.body import SMALL_BODY, read_body
from slv_tui.slv.errors import ProtocolError

Serve = Callable[[bytes, dict[str, str]], Awaitable[str]]
BATCH = b'{"batchId": "1", "batchRunning": false, "status": "OK", "errorCode": "0"}'


def zeros_gzip(size: int) -> bytes:
    """gzip of `size` zero bytes, built in 1 MiB pieces (a decompression bomb)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [comp.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + comp.flush()


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start a server answering every request with one body and headers; returns its base URL."""
    servers: list[asyncio.Server] = []

    async def start(body: bytes, headers: dict[str, str]) -> str:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (int(line.split(b":")[1]) for line in head.split(b"\r\n")
                     if line.lower().startswith(b"content-length:")), 0,
                )  # fmt: skip
                await reader.readexactly(length)
                lines = [b"HTTP/1.1 200 OK", b"Connection: close", b"Content-Length: %d" % len(body)]
                lines += [f"{k}: {v}".encode() for k, v in headers.items()]
                writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + body)
                await writer.drain()
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/reports"

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def fetch(url: str, cap: int) -> bytes:
    async with httpx.AsyncClient() as http, http.stream("GET", url) as response:
        return await read_body(response, cap)


async def test_identity_and_single_encodings_are_decoded(serve: Serve) -> None:
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    cases = {
        "": BATCH,
        "identity": BATCH,
        "gzip": gzip.compress(BATCH),
        "x-gzip": gzip.compress(BATCH),
        "GZIP, identity": gzip.compress(BATCH),
        "deflate": zlib.compress(BATCH),
    }
    for coding, body in cases.items():
        url = await serve(body, {"Content-Encoding": coding} if coding else {})
        assert await fetch(url, 1024) == BATCH, coding
    url = await serve(raw_deflate.compress(BATCH) + raw_deflate.flush(), {"Content-Encoding": "deflate"})
    assert await fetch(url, 1024) == BATCH  # deflate without its zlib header, as some servers send it


async def test_exactly_the_cap_is_fine_one_more_byte_is_too_large(serve: Serve) -> None:
    body = b"x" * 1000
    url = await serve(gzip.compress(body), {"Content-Encoding": "gzip"})
    assert await fetch(url, 1000) == body
    with pytest.raises(ProtocolError, match=r"^protocol error: the answer is too large \(over 999 bytes\)$"):
        await fetch(url, 999)
    url = await serve(body, {})
    with pytest.raises(ProtocolError, match="too large"):
        await fetch(url, 999)


async def test_stacked_encodings_are_refused_in_one_line(serve: Serve) -> None:
    for header in ("gzip, gzip", "deflate, gzip", "gzip,identity,gzip"):
        url = await serve(gzip.compress(gzip.compress(BATCH)), {"Content-Encoding": header})
        with pytest.raises(ProtocolError) as info:
            await fetch(url, 1 << 20)
        assert "stacked content encodings" in str(info.value) and "\n" not in str(info.value)


async def test_unknown_and_invalid_encodings_are_protocol_errors(serve: Serve) -> None:
    url = await serve(b"\x8b\x00junk", {"Content-Encoding": "br"})
    with pytest.raises(ProtocolError, match="content encoding 'br' is not supported"):
        await fetch(url, 1 << 20)
    url = await serve(b"not gzip at all", {"Content-Encoding": "gzip"})
    with pytest.raises(ProtocolError, match="content encoding is invalid"):
        await fetch(url, 1 << 20)


async def test_a_bomb_stops_at_the_cap_whatever_the_ratio(serve: Serve) -> None:
    """64 MiB of zeros in 64 KiB of gzip: reading with a 1 MiB cap allocates about the cap, not 64 MiB."""
    url = await serve(zeros_gzip(64 << 20), {"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(ProtocolError, match=r"too large \(over 1 MiB\)"):
            await fetch(url, 1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"peak {peak / 2**20:.1f} MiB for a 1 MiB cap"


async def test_client_asks_only_for_what_it_can_bound(serve: Serve) -> None:
    """The batch request advertises gzip and deflate only; a bomb answer is a one-line protocol error."""
    url = await serve(zeros_gzip(8 << 20), {"Content-Encoding": "gzip", "Content-Type": "application/json"})
    client = new_client(url, max_body_bytes=1 << 20)
    assert client._http.headers["accept-encoding"] == "gzip, deflate"
    try:
        with pytest.raises(ProtocolError, match="too large"):
            await client.get_batch("1")
    finally:
        await client.aclose()


async def test_form_login_reads_auth_json_with_a_small_cap(serve: Serve) -> None:
    """auth.json is read through the same reader with a 1 MiB cap: a 16 MiB answer is refused."""
    url = await serve(zeros_gzip(16 << 20), {"Content-Encoding": "gzip", "Content-Type": "application/json"})
    client = new_client(url, mode="form")
    try:
        with pytest.raises(ProtocolError, match=rf"too large \(over {SMALL_BODY >> 20} MiB\)"):
            await client.get_batch("1")
    finally:
        await client.aclose()


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
async def test_big_answers_decode_exactly_in_pieces(serve: Serve, coding: str) -> None:
    """Several MiB decompressed in 1 MiB steps come out whole, up to exactly the cap."""
    body = b"".join(b'{"text": "Device Lamp-%07d configured"},' % i for i in range(150_000))
    packed = gzip.compress(body) if coding == "gzip" else zlib.compress(body)
    url = await serve(packed, {"Content-Encoding": coding})
    assert len(body) > 5 << 20
    assert await fetch(url, len(body)) == body
    with pytest.raises(ProtocolError, match="too large"):
        await fetch(url, len(body) - 1)


async def test_an_answer_read_whole_builds_no_error(serve: Serve, monkeypatch: pytest.MonkeyPatch) -> None:
    """Catches: the "too large" error built for every answer read (an error cleans and redacts its
    text: work paid per request on a busy console), not only for the answer that is too large."""
    from slv_tui.slv.errors import SlvError

    built = spy(monkeypatch, SlvError, "__init__", lambda _self, detail: detail)
    for coding, body in (("", BATCH), ("gzip", gzip.compress(BATCH))):
        url = await serve(body, {"Content-Encoding": coding} if coding else {})
        assert await fetch(url, 1024) == BATCH
    assert built == [], f"errors built for answers read whole: {built}"
    url = await serve(b"x" * 1000, {})
    with pytest.raises(ProtocolError, match="too large"):
        await fetch(url, 999)
    assert len(built) == 1  # the one raised
