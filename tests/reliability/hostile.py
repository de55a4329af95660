"""A tiny real HTTP(S) server on 127.0.0.1 answering every GET with one configured response.

For hostile answers the simulator does not produce (a number with 5000 digits, control bytes in a
Location header) and for a self-signed TLS endpoint.
"""

from __future__ import annotations

import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass
class Reply:
    """What the server answers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


def batch_body(batch_id: str = "1481016600181", **fields: Any) -> bytes:
    """A finished, successful batch as SLV sends it."""
    batch = {
        "batchId": batch_id,
        "batchProgressValue": 100,
        "batchProgressMessage": "Commissioning process finished.",
        "batchRunning": False,
        "cancelRequested": False,
        "cancelled": False,
        "errorCode": "0",
        "status": "OK",
        "statusError": False,
        "statusOk": True,
        "value": None,
    }
    batch.update(fields)
    return json.dumps(batch).encode()


class HostileServer:
    """`with HostileServer(Reply(...)) as srv: srv.url` — serves until the block ends."""

    def __init__(self, reply: Reply, *, tls: ssl.SSLContext | None = None) -> None:
        self.reply = reply
        self.declared_length: int | None = None
        """When set, the Content-Length announced instead of the real one (the body is not padded)."""
        self.requests = 0
        self.echo = False
        """When set, the request line and headers are put into the JSON body's `message` (a proxy's
        debug echo), as text and as a headers object."""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                r = outer.reply
                if outer.echo:
                    echoed = f"{self.requestline}\n{self.headers}"
                    r = Reply(r.status, batch_body(message=echoed, headers=dict(self.headers)), r.headers)
                self.send_response(r.status)
                for key, value in r.headers.items():
                    self.send_header(key, value)
                declared = outer.declared_length
                self.send_header("Content-Length", str(declared if declared else len(r.body)))
                self.end_headers()
                self.wfile.write(r.body)
                if declared:
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._httpd.server_address[1]}/reports"
        # shutdown() waits for the serving loop to look at its flag: every 20 ms, not the default 0.5 s
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
