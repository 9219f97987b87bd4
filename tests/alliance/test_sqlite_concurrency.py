"""Development's SQLite: two requests writing at once take turns instead of one failing.

Two real connections to one SQLite file, opened with the options the settings give
development's database, each in a thread: both read, then both write, in a transaction
each (as two submits of the same form do). With SQLite's default (deferred) transactions
the second write fails at once with "database is locked"; with the settings' options the
second waits for the first.
"""

import contextlib
import functools
import json
import os
import subprocess
import sys
import threading

import pytest
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from tests.helpers import at_once
from tests.processes import ROOT

# What the settings make of development's database (no DATABASE_URL), read in a process
# of their own: the options as they are applied, not as they are named.
SHOW_OPTIONS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "default = settings.DATABASES['default']; "
    "print(json.dumps([default['ENGINE'], default.get('OPTIONS', {})]))"
)


@functools.cache
def development_options() -> dict:
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "alliance.settings", "DJANGO_ENV": "development"}
    shown = subprocess.run(
        [sys.executable, "-c", SHOW_OPTIONS],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    engine, options = json.loads(shown.stdout.strip().splitlines()[-1])
    assert engine == "django.db.backends.sqlite3"
    return options


def wrapper(path) -> DatabaseWrapper:
    return DatabaseWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": dict(development_options()),
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
        },
        alias="sqlite-concurrency",
    )


@pytest.fixture(autouse=True)
def sqlite_files(django_db_blocker):
    """Connections of this test's own, to its own files (not the test database)."""
    with django_db_blocker.unblock():
        yield


def test_two_writers_at_once_take_turns(tmp_path):
    path = tmp_path / "db.sqlite3"
    setup = wrapper(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (value INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    both_read = threading.Barrier(2, timeout=5)
    errors: list[Exception] = []

    def increment() -> None:
        connection = wrapper(path)
        connections[connection.alias] = connection  # this thread's, as a request's own
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute("SELECT value FROM counter")
                (value,) = cursor.fetchone()
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_read.wait(timeout=1)  # with immediate transactions only one gets here
                cursor.execute("UPDATE counter SET value = %s", [value + 1])
        except Exception as error:  # noqa: BLE001 - what the request would have raised
            errors.append(error)
        finally:
            connection.close()

    at_once(increment, [()] * 2, timeout=60)

    check = wrapper(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT value FROM counter")
        assert cursor.fetchone() == (2,)
    check.close()
    assert errors == []
