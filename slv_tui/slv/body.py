"""Reading an answer's body with a hard size bound, decompression included.

httpx decodes each received chunk through every content-encoding layer before anyone can count the
bytes, so a few KiB of gzip-of-gzip becomes gigabytes. Here the raw bytes are read and decompressed
with zlib's `max_length`: decoding stops at the cap whatever the compression ratio, and only one
content encoding is accepted (SLV never stacks them).
"""

from __future__ import annotations

import zlib

import httpx

from slv_tui.slv import errors
from slv_tui.slv.decode import mib

ACCEPT_ENCODING = "gzip, deflate"
"""What we ask for: only encodings decoded here with a running output limit."""
STEP = 1024 * 1024
"""Decompressed in pieces of at most this size."""
SMALL_BODY = 1024 * 1024
"""The cap for small answers (login pages, auth.json, getCurrentUser)."""
_IDENTITY = ("", "identity")


class _Inflater:
    """gzip or deflate (zlib-wrapped or raw, as browsers accept), never more than `room + 1` bytes out."""

    def __init__(self, encoding: str) -> None:
        self._raw_fallback = encoding == "deflate"
        self._obj = zlib.decompressobj(zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes, room: int) -> list[bytes]:
        """Decompress `data` in pieces of at most 1 MiB, stopping once more than `room` bytes came out
        (one more than allowed means too large): never a big buffer, whatever the ratio."""
        pieces: list[bytes] = []
        while True:
            limit = min(room + 1, STEP)
            piece = self._decompress(data, limit)
            pieces.append(piece)
            room -= len(piece)
            data = self._obj.unconsumed_tail
            if room < 0 or (not data and len(piece) < limit):
                return pieces

    def _decompress(self, data: bytes, limit: int) -> bytes:
        try:
            out = self._obj.decompress(data, limit)
        except zlib.error:
            if not (self._raw_fallback and not self._started):
                raise
            # "deflate" sent as a raw stream without the zlib header (a common server bug)
            self._raw_fallback = False
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._obj.decompress(data, limit)
        self._started = True
        return out

    def finish(self, room: int) -> bytes:
        """Whatever is left; a bounded flush (all input was consumed, so this is small)."""
        return self._obj.flush(room + 1)


def content_encoding(headers: httpx.Headers) -> str:
    """The one content encoding of an answer ("" for none); stacked or unknown ones are refused."""
    codings = [
        part.strip().lower()
        for value in headers.get_list("content-encoding")
        for part in value.split(",")
        if part.strip().lower() not in _IDENTITY
    ]
    if len(codings) > 1:
        shown = ", ".join(codings[:4]) + (", …" if len(codings) > 4 else "")
        raise errors.ProtocolError(f"the answer has stacked content encodings ({shown}); one at most")
    coding = codings[0] if codings else ""
    if coding in ("x-gzip",):
        coding = "gzip"
    if coding not in ("", "gzip", "deflate"):
        raise errors.ProtocolError(f"the answer's content encoding {coding[:40]!r} is not supported")
    return coding


async def read_body(response: httpx.Response, cap: int) -> bytes:
    """The decoded body of a streamed answer, at most `cap` bytes, raw and decoded alike.

    Raises `ProtocolError` when the answer is too large (by Content-Length, raw bytes or decoded
    bytes), has more than one content encoding, or its compressed data is invalid. Transport
    failures surface as httpx exceptions (wrap the call in `mapped_errors()`).
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise errors.ProtocolError(f"the answer is too large ({mib(int(declared))} > {mib(cap)})")
    coding = content_encoding(response.headers)
    if response.is_stream_consumed:  # an in-memory answer (httpx.MockTransport): already decoded
        if len(response.content) > cap:
            raise errors.ProtocolError(f"the answer is too large (over {mib(cap)})")
        return response.content
    inflater = _Inflater(coding) if coding else None

    def too_large() -> errors.ProtocolError:  # built only when raised: an error cleans and redacts its text
        return errors.ProtocolError(f"the answer is too large (over {mib(cap)})")

    pieces: list[bytes] = []  # joined once at the end: no doubling buffer while a bomb grows
    size = received = 0
    try:
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > cap:
                raise too_large()
            for piece in [chunk] if inflater is None else inflater.feed(chunk, cap - size):
                size += len(piece)
                if size > cap:
                    raise too_large()
                pieces.append(piece)
        if inflater is not None:
            pieces.append(inflater.finish(cap - size))
            if size + len(pieces[-1]) > cap:
                raise too_large()
    except zlib.error:
        raise errors.ProtocolError("the answer's content encoding is invalid") from None
    return b"".join(pieces)
