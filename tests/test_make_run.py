"""`make run`: what it prints, and where links in emails point (issue 15, points 13 and 17).

The commands are the Makefile's own (`make -n run`), run on a fresh SQLite database in a
temporary directory, in development mode, as a developer's shell would.
"""

import os
import re
import shlex
import sqlite3
import subprocess
import sys
import time
import urllib.request
from io import StringIO

import pytest

from alliance.devserver.management.commands.runserver import Command, served_site_url
from alliance.links import absolute_url
from tests.processes import ROOT

PORT = "8114"


def development_env(tmp_path, **extra: str) -> dict[str, str]:
    """A developer's environment: nothing set but the database and files in `tmp_path`."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        **extra,
    }


def make_run_commands() -> list[str]:
    """The shell lines `make run PORT=8114` runs, in order (the prerequisite taken as made)."""
    dry_run = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run", f"PORT={PORT}", f"PY={sys.executable}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    )
    return [line for line in dry_run.stdout.splitlines() if "manage.py" in line]


@pytest.fixture(scope="module")
def set_up(tmp_path_factory) -> tuple[str, object]:
    """Everything `make run` does before serving, and what it printed."""
    tmp_path = tmp_path_factory.mktemp("make-run")
    output = []
    password_file = shlex.quote(str(tmp_path / "admin-password"))
    for line in make_run_commands():
        if " runserver " in line:
            continue
        # The one change: the password is not written to the checkout's file.
        command = f"{line} --password-file {password_file}" if "ensure_dev_admin" in line else line
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=ROOT,
            env=development_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        output.append(done.stdout + done.stderr)
    return "".join(output), tmp_path


def test_make_run_runs_the_set_up_then_serves_at_the_port():
    commands = [re.sub(r"^.*manage\.py ", "", line) for line in make_run_commands()]

    assert commands == [
        'migrate --noinput -v0 && echo "Database: migrated."',
        "load_network",
        "demo_data",
        "ensure_dev_admin",
        f"runserver 127.0.0.1:{PORT}",
    ]
    assert all(
        line.startswith(f"SITE_URL='http://127.0.0.1:{PORT}' ") for line in make_run_commands()
    )


def test_make_run_speaks_briefly_and_ends_with_the_address_and_the_staff_login(set_up):
    output, tmp_path = set_up
    lines = output.splitlines()
    password = (tmp_path / "admin-password").read_text().strip()

    assert len(lines) < 30, output
    assert lines[0] == "Database: migrated."
    assert [line for line in lines if line.startswith("Demo data:")] == [
        (
            "Demo data: 3 programmes, 10 start-ups, 14 applications (all fictitious); "
            f"{count_emails(tmp_path)} emails kept in the outbox."
        )
    ]
    assert lines[-4:] == [
        f"Portal: http://127.0.0.1:{PORT}/",
        f"Staff login: http://127.0.0.1:{PORT}/admin/",
        "  email:    admin@startalliance.localhost",
        f"  password: {password}  (kept in admin-password)",
    ]
    assert "Content-Type:" not in output  # no email printed


def count_emails(tmp_path) -> int:
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        return db.execute("SELECT count(*) FROM mail_emailmessage").fetchone()[0]


def test_make_run_keeps_the_demo_emails_in_the_outbox_linking_to_the_port(set_up):
    _output, tmp_path = set_up
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        rows = db.execute("SELECT status, body_text FROM mail_emailmessage").fetchall()

    hosts = {host for _status, body in rows for host in re.findall(r"https?://([^/\s]+)", body)}
    assert len(rows) > 10
    assert {status for status, _body in rows} == {"queued"}
    assert hosts == {f"127.0.0.1:{PORT}"}


def test_runserver_without_site_url_links_emails_to_the_address_it_serves(set_up):
    _output, tmp_path = set_up
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "127.0.0.1:0", "--noreload", "--skip-checks"],
        cwd=ROOT,
        env={**development_env(tmp_path), "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        said = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("Links in emails" in s for s in said):
            said.append(server.stdout.readline())
        served = re.search(r"server at (http://127\.0\.0\.1:\d+)/", "".join(said)).group(1)
        health = urllib.request.urlopen(f"{served}/healthz", timeout=10)  # noqa: S310
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert f"Links in emails point at {served}/\n" in said
    assert health.status == 200


def test_runserver_sets_site_url_to_the_bound_port(settings):
    settings.SITE_URL_FROM_SERVER = True
    command = Command(stdout=StringIO())
    command.addr, command.use_ipv6, command._raw_ipv6 = "0.0.0.0", False, False  # noqa: S104

    command.on_bind(8114)

    assert settings.SITE_URL == "http://127.0.0.1:8114"
    assert absolute_url("home", "de") == "http://127.0.0.1:8114/de/"


def test_runserver_keeps_a_site_url_set_in_the_environment(settings):
    settings.SITE_URL_FROM_SERVER = False
    settings.SITE_URL = "https://portal.example"
    command = Command(stdout=StringIO())
    command.addr, command.use_ipv6, command._raw_ipv6 = "127.0.0.1", False, False

    command.on_bind(8114)

    assert settings.SITE_URL == "https://portal.example"
    assert "Links in emails" not in command.stdout.getvalue()


@pytest.mark.parametrize(
    ("addr", "ipv6", "url"),
    [
        ("127.0.0.1", False, "http://127.0.0.1:8114"),
        ("0.0.0.0", False, "http://127.0.0.1:8114"),  # noqa: S104
        ("localhost", False, "http://localhost:8114"),
        ("::1", True, "http://[::1]:8114"),
        ("::", True, "http://[::1]:8114"),
    ],
)
def test_served_site_url_is_what_a_browser_here_opens(addr, ipv6, url):
    assert served_site_url(addr, "8114", ipv6=ipv6) == url


@pytest.mark.parametrize(
    ("env", "derived"),
    [
        ({"DJANGO_ENV": "development"}, True),
        ({"DJANGO_ENV": "development", "SITE_URL": "http://127.0.0.1:9000"}, False),
        ({"DJANGO_ENV": "test"}, False),
    ],
)
def test_only_development_without_site_url_derives_it(tmp_path, env, derived):
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import django; django.setup(); from django.conf import settings as s;"
                "print(s.SITE_URL_FROM_SERVER)"
            ),
        ],
        cwd=ROOT,
        env=development_env(tmp_path, **env),
        capture_output=True,
        text=True,
        check=True,
    )

    assert shown.stdout.strip() == str(derived)
