"""Network stand-ins for services that are down: nothing listening, or a silent listener."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager


def closed_port() -> int:
    """Return a loopback port that nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def silent_port() -> Iterator[int]:
    """Yield a loopback port that accepts connections but never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)  # the kernel completes handshakes; nobody ever reads or writes
        yield sock.getsockname()[1]
