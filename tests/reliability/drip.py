"""A real HTTP server on 127.0.0.1 that drips its answer for chosen batch IDs, one byte at a time.

Every other batch ID gets a finished batch at once. `dripping` counts answers still being dripped,
so a test can tell that a fast answer arrived while a slow one was still on its way.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .hostile import batch_body

DRIP_BYTES = 200
"""Bytes dripped per answer: at one byte per `every` seconds, far longer than any test's deadline."""


class DripServer:
    """`with DripServer({"1": "body"}, every=0.5) as srv: srv.url`.

    `slow` maps a batch ID to where the drip happens: "headers" (the status line and headers, byte
    by byte) or "body" (headers at once, then the body byte by byte).
    """

    def __init__(self, slow: dict[str, str], *, every: float = 0.5) -> None:
        self.slow = slow
        self.every = every
        self.dripping = 0
        self.served: list[str] = []
        self._stop = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                batch_id = parse_qs(urlsplit(self.path).query).get("batchId", [""])[0]
                body = batch_body(batch_id)
                where = outer.slow.get(batch_id)
                if where is None:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    outer.served.append(batch_id)
                    return
                outer.dripping += 1
                try:
                    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    if where == "headers":
                        outer._drip(self.connection, head + b"X-Pad: " + b"a" * DRIP_BYTES)
                    else:
                        length = len(body) + DRIP_BYTES
                        self.connection.sendall(head + f"Content-Length: {length}\r\n\r\n".encode())
                        outer._drip(self.connection, b" " * DRIP_BYTES)
                except OSError:
                    pass  # the client gave up: what a deadline is for
                finally:
                    outer.dripping -= 1
                self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/reports"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _drip(self, conn: socket.socket, data: bytes) -> None:
        for i in range(len(data)):
            if self._stop.wait(self.every):
                return
            conn.sendall(data[i : i + 1])

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def wait_until(condition: Any, timeout: float = 30.0) -> None:
    """Poll a condition (another thread's progress) until it holds; fails loudly after `timeout`."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)
