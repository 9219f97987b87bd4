"""Schemathesis against the live API and its live schema: every check, no failure.

A real gunicorn serves the test database (the data committed by the `partners` fixture,
two organisations with programmes, applications and keys); the schemathesis CLI reads
/api/schema/ from it and tests every operation it lists: the public ones without a key,
the partner ones once with each of two organisations' keys. Throttling is set high, as
a fuzzer is not a client to throttle; examples per operation are bounded, so a run takes
seconds per operation.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.netutils import closed_port
from tests.workers import running_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
PARTNER_PATHS = "^/api/v1/partner/"
MAX_EXAMPLES = "25"


@contextmanager
def api_server() -> Iterator[str]:
    """Run gunicorn on a free port against the test database; yield its URL."""
    port = closed_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": running_database_url(),
        "API_PUBLIC_RATE": "100000/minute",
        "API_PARTNER_RATE": "100000/minute",
        "PYTHONPATH": str(ROOT),
    }
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "alliance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log.name)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen, log: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/schema/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(Path(log).read_text(errors="replace")[-3000:])
        time.sleep(0.2)


def live_schema(url: str) -> dict:
    request = urllib.request.Request(  # noqa: S310
        f"{url}/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


SEED = os.environ.get("SCHEMATHESIS_SEED", "20261202")


def schemathesis(url: str, *options: str, workdir: Path) -> subprocess.CompletedProcess:
    """`schemathesis run` with every check over the live schema (its state kept in `workdir`)."""
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{url}/api/schema/",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            MAX_EXAMPLES,
            "--workers",
            "2",
            "--request-timeout",
            "10",
            "--no-color",
            # One seed, so a CI run is reproducible; SCHEMATHESIS_SEED=random explores anew.
            *([] if SEED == "random" else ["--seed", SEED]),
            *options,
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_public_endpoints_hold_to_their_schema(partners, tmp_path):
    with api_server() as url:
        public = [path for path in live_schema(url)["paths"] if "/partner/" not in path]
        if not public:
            pytest.skip("/api/schema/ lists no public endpoints yet")
        result = schemathesis(url, "--exclude-path-regex", PARTNER_PATHS, workdir=tmp_path)

    assert result.returncode == 0, result.stdout[-20000:] + result.stderr


@pytest.mark.parametrize("organisation", ["tel_aviv", "paris"])
def test_partner_endpoints_hold_to_their_schema(partners, organisation, tmp_path):
    raw = {"tel_aviv": partners.tlv_raw, "paris": partners.paris_raw}[organisation]

    with api_server() as url:
        paths = [path for path in live_schema(url)["paths"] if "/partner/" in path]
        result = schemathesis(
            url,
            "--include-path-regex",
            PARTNER_PATHS,
            "--header",
            f"Authorization: Api-Key {raw}",
            workdir=tmp_path,
        )

    assert paths
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr
