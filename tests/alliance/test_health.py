import time

import pytest

from tests.netutils import closed_port, silent_port
from tests.processes import run_python

pytestmark = pytest.mark.django_db

CALL_HEALTHZ = (
    "import django; django.setup(); from django.test.utils import setup_test_environment;"
    "setup_test_environment(); from django.test import Client;"
    "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
)


def test_healthz_ok_with_database_up(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.redis
def test_healthz_ok_with_database_and_redis_up(client, settings):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_healthz_503_when_redis_refuses_connections(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable"},
    }


def test_healthz_503_not_a_hang_when_redis_never_answers(client, settings):
    settings.REDIS_TIMEOUT = 0.5
    with silent_port() as port:
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
        started = time.monotonic()

        response = client.get("/healthz")

        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"
    assert elapsed < 10 * settings.REDIS_TIMEOUT  # the bug is a 40 s hang, not slowness


def test_healthz_503_when_database_is_down():
    port = closed_port()
    env = {
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/alliance",
        "PGCONNECT_TIMEOUT": "2",
    }

    result = run_python("-c", CALL_HEALTHZ, env=env)

    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip()
        == '503 {"status": "unavailable", "checks": {"database": "unavailable"}}'
    )


def test_healthz_answers_probes_with_any_host_and_plain_http(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""

    response = client.get("/healthz", headers={"host": "127.0.0.1:8000"})
    page = client.get("/en/", headers={"host": "127.0.0.1:8000"})

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert page.status_code == 400  # every other path still validates the host


def test_healthz_refuses_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405
