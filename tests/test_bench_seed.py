"""The benchmarks' seeding script still fills a database the current models describe."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
NAME = "bench_suite_seed"


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="COPY")
def test_seeding_a_small_database_works_and_is_reused():
    server = settings.DATABASES["default"]
    url = f"postgres://{server['USER']}@{server['HOST']}:{server['PORT']}"
    environment = {**os.environ, "BENCH_DATABASE_SERVER": url}
    environment.pop("DATABASE_URL", None)
    try:
        first = subprocess.run(
            [sys.executable, "bench/seed.py", NAME, "200"],
            check=False, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert first.returncode == 0, first.stderr[-2000:]
        assert f"{NAME}: 200 applications, seeded in" in first.stdout
        again = subprocess.run(
            [sys.executable, "bench/seed.py", NAME, "200"],
            check=False, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert f"{NAME}: 200 applications, reused" in again.stdout, again.stderr[-2000:]
        with psycopg.connect(f"{url}/{NAME}") as connection:
            counts = [
                connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("exchanges_application", "mail_emailmessage")
            ]
        assert counts == [200, 200]
    finally:
        with psycopg.connect(f"{url}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
