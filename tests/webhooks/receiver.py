"""A real HTTP receiver of webhooks on a loopback port, as a partner's system would run one.

It records every request (headers, body, when) and answers as it is told: by default 204;
`script` holds answers for the next requests in turn (a status code, or ("sleep", seconds,
status) to answer late), `default` the answer after the script runs out. `together` (a
threading.Barrier) holds each answer until as many posts as it counts have come, so they
are answered at one instant; `on_post` is called with each request before it is answered.
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def verified(self, secret: str) -> dict:
        """The body, verified with the Standard Webhooks reference library (raises if not)."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    script: list = field(default_factory=list)
    default: object = 204
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    together: threading.Barrier | None = None
    on_post: Callable[["Received"], None] | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def answer(self):
        with self.lock:
            return self.script.pop(0) if self.script else self.default

    def ids(self) -> list[str]:
        return [request.webhook_id for request in self.received]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server

    def do_POST(self) -> None:
        receiver: Receiver = self.server.receiver
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        answer = receiver.answer()
        request = Received(
            self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic()
        )
        with receiver.lock:
            receiver.received.append(request)
        if receiver.on_post is not None:
            receiver.on_post(request)
        if receiver.together is not None:
            receiver.together.wait(timeout=30)
        status = answer
        if isinstance(answer, tuple):
            _sleep, seconds, status = answer
            time.sleep(seconds)
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        payload = b"" if status == 204 else b'{"ok": false}' if status >= 300 else b'{"ok": true}'
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def receiver(**options) -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    found = Receiver(server, **options)
    server.receiver = found
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
