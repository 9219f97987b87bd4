"""The production connection pool lends only live connections, even after the database
killed the idle ones (a restart, an idle-session timeout)."""

import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.netutils import closed_port
from tests.workers import ROOT, running_database_url, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 - loopback
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def kill_the_portals_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_pooled_connections_killed_by_the_database_give_no_500():
    port = closed_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": running_database_url(),
        "DATABASE_POOL": "true",
        "DATABASE_POOL_MIN_SIZE": "3",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)  # the pool is what is tested; no cache or broker needed
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log")  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "alliance.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--threads",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    page = f"http://127.0.0.1:{port}/en/cities/"
    try:
        assert wait_for(lambda: status(page) == 200, timeout=30), Path(log.name).read_text()
        warm = [status(page) for _ in range(3)]

        killed = kill_the_portals_connections()
        after = [status(page) for _ in range(6)]
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()

    assert warm == [200, 200, 200]
    assert killed >= 1
    assert after == [200] * 6
