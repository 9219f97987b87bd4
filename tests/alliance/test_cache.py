"""A cache outage (Redis refused or silent) never locks users out or breaks a page."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.cache import cache, caches
from django.db import transaction

from alliance import cache as fail_open
from tests.factories import UserFactory
from tests.netutils import closed_port

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
TIMEOUT = 1.0


@contextmanager
def counting_silent_port() -> Iterator[tuple[int, list]]:
    """A port that accepts connections, counts them, and never answers."""
    accepted: list[socket.socket] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        server.close()


@pytest.fixture
def redis_cache_at(settings):
    """Point the cache at a Redis on `port` with a short timeout."""
    fail_open._paused_until.clear()

    def point(port: int) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "alliance.cache.FailOpenRedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
                "OPTIONS": {"socket_timeout": TIMEOUT, "socket_connect_timeout": TIMEOUT},
            }
        }

    yield point
    fail_open._paused_until.clear()


def log_in(client, password: str):
    return client.post(
        "/en/accounts/login/", {"login": "founder@example.com", "password": password}
    )


def test_with_redis_refused_logins_sign_ups_and_pages_work(client, redis_cache_at, caplog):
    redis_cache_at(closed_port())
    UserFactory(email="founder@example.com", password=PASSWORD)

    wrong = log_in(client, "guess-guess-guess")
    right = log_in(client, PASSWORD)
    client.logout()
    with transaction.atomic():
        signed_up = client.post(
            "/en/accounts/signup/",
            {
                "name": "Ada Founder",
                "email": "new@example.com",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    home = client.get("/en/")

    assert wrong.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        wrong.content.decode()
    )
    assert (right.status_code, right["Location"]) == (302, "/en/")
    assert (signed_up.status_code, signed_up["Location"]) == (302, "/en/accounts/confirm-email/")
    assert home.status_code == 200
    assert [r.getMessage() for r in caplog.records if r.name == "alliance.cache"] == [
        (
            "The cache is unavailable (ConnectionError); for 10 s this process's memory stands "
            "in for it, except for sessions, which are read from the database."
        )
    ]


def test_with_redis_refused_sessions_are_read_from_the_database_not_from_memory(
    client, redis_cache_at
):
    # A process's memory never stands in for the sessions' cache: a session ended in one
    # process would live on in another's.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    redis_cache_at(closed_port())
    UserFactory(email="founder@example.com", password=PASSWORD)
    log_in(client, PASSWORD)
    client.get("/en/accounts/profile/")

    with CaptureQueriesContext(connection) as captured:
        again = client.get("/en/accounts/profile/")
    queries = list(captured)  # the next request empties the connection's log
    client.post("/en/accounts/logout/")
    after = client.get("/en/accounts/profile/")

    assert again.status_code == 200
    assert sum('"django_session"' in query["sql"] for query in queries) == 1
    assert after.status_code == 302


def test_with_redis_refused_failed_logins_are_still_limited_in_memory(client, redis_cache_at):
    redis_cache_at(closed_port())
    UserFactory(email="founder@example.com", password=PASSWORD)
    for _ in range(10):
        log_in(client, "guess-guess-guess")

    blocked = log_in(client, PASSWORD)

    assert "Too many failed login attempts. Try again later." in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_with_redis_silent_a_login_costs_one_timeout_once(client, redis_cache_at):
    UserFactory(email="founder@example.com", password=PASSWORD)
    with counting_silent_port() as (port, accepted):
        redis_cache_at(port)
        started = time.monotonic()
        wrong = log_in(client, "guess-guess-guess")
        right = log_in(client, PASSWORD)
        elapsed = time.monotonic() - started

    assert wrong.status_code == 200
    assert (right.status_code, right["Location"]) == (302, "/en/")
    # One call waited for Redis; every later one in the pause asked nobody.
    assert len(accepted) == 1
    assert elapsed < 5 * TIMEOUT  # a hang, not slowness: each call would wait otherwise


@pytest.mark.redis
def test_with_redis_up_the_cache_keeps_values():
    cache.set("test-fail-open", "kept", 5)

    assert isinstance(caches["default"], fail_open.FailOpenRedisCache)
    assert cache.get("test-fail-open") == "kept"
    assert cache.add("test-fail-open", "other") is False
    cache.delete("test-fail-open")
