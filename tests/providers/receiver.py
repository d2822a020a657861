"""A real HTTP receiver on 127.0.0.1 for webhook tests (a threading ``http.server``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


class Receiver:
    """Records every request; answers with ``statuses`` in turn, then 200."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.statuses: list[int] = []
        #: Runs (in the receiver's thread) before each answer: an auto-responder...
        self.on_request: Callable[[Received], None] | None = None
        #: Echo a ``Validation-Token`` request header, as a RingCentral webhook must.
        self.echo_validation_token = True
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                received = Received(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query, keep_blank_values=True)),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                if receiver.on_request is not None:
                    receiver.on_request(received)
                with receiver._lock:
                    receiver.requests.append(received)
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                token = received.headers.get("validation-token")
                if token is not None and receiver.echo_validation_token:
                    self.send_header("Validation-Token", token)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(
        self, count: int = 1, *, timeout: float = 10.0, where: Callable[[Received], bool] = bool
    ) -> list[Received]:
        """Poll (real time, with a deadline) until ``count`` matching requests arrived."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [r for r in self.requests if where(r)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.01)  # real-time ok
