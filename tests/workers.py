"""Real Celery workers, started as processes against the test database and Redis."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def running_database_url() -> str:
    """The URL of the database the running tests use (pytest-django's test_… one)."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@contextmanager
def celery_worker(
    *,
    name: str,
    env: dict[str, str] | None = None,
    queues: str = "celery",
    pool: tuple[str, ...] = ("-P", "solo"),
    beat: bool = False,
) -> Iterator[subprocess.Popen]:
    """Start `celery worker` (solo pool, the default queue) and wait until it consumes; stop
    it afterwards. `beat` runs the periodic sweeps in it too (their schedule in a temporary
    file)."""
    schedule = tempfile.TemporaryDirectory(prefix=f"beat-{name}-")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": running_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    log = tempfile.NamedTemporaryFile(prefix=f"worker-{name}-", suffix=".log")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "alliance",
            "worker",
            *pool,
            "-Q",
            queues,
            *(["-B", "-s", f"{schedule.name}/schedule"] if beat else []),
            "-n",
            f"{name}@localhost",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while b" ready." not in Path(log.name).read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(Path(log.name).read_text(errors="replace")[-3000:])
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        schedule.cleanup()


def wait_for(condition, *, timeout: float = 20) -> bool:
    """Poll `condition()` until it is true or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


class BlackHole:
    """A loopback port that accepts connections and never answers; counts the connections.

    A broker stand-in that is there but silent: every call to it waits for its timeout.
    """

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def connections(self) -> int:
        return len(self.accepted)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _address = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted.append(client)  # held open, never read or written


@contextmanager
def black_hole() -> Iterator[BlackHole]:
    """Run a BlackHole for the duration."""
    hole = BlackHole()
    hole.thread.start()
    try:
        yield hole
    finally:
        hole.stopping.set()
        hole.thread.join()
        for client in hole.accepted:
            client.close()
        hole.sock.close()
