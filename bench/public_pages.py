"""Benchmark: the home page and the programme list under gunicorn, against a trivial view.

    .venv/bin/python bench/public_pages.py          (or `make bench`)

Needs PostgreSQL and Redis (BENCH_DATABASE_SERVER, REDIS_URL; defaults: the local ones).
Drops and recreates the database BENCH_PUBLIC_DATABASE (default `bench_public_pages`),
migrates it, loads the network and makes 50 published programmes through the ORM (20 open,
5 of them closing soon, 10 upcoming, 20 closed; English and German texts), and flushes the
Redis databases REDIS_BROKER_DB and REDIS_CACHE_DB (default 14 and 15), which the run owns.

Each server is gunicorn with 2 sync workers in production mode (DJANGO_ENV=production,
the database pool, the Redis cache, collected static files with WhiteNoise's manifest),
serving this module's `application`: the portal's own WSGI application, with one more URL,
`/en/bench-trivial/`, a view that answers "ok" through the same middleware and language
prefix (the trivial view the pages are compared with; the portal itself has none, and
/healthz skips the middleware and pings the database and Redis). Requests come anonymous,
as over HTTPS behind the proxy (`X-Forwarded-Proto: https`), from BENCH_PUBLIC_CLIENTS
client processes (default 4), each on a fresh connection per request (sync workers close
it), for BENCH_PUBLIC_SECONDS a measurement (default 5).

Measured, side by side, in rounds that alternate (BENCH_PUBLIC_ROUNDS, default 3; medians
reported): the trivial view, /healthz, the home page (/en/), the programme list's first
page (/en/programmes/) and its German second page. Each answer is checked: 200, and the
page's own marks (the home's open calls, a full page of cards). Then, in the same run,
a second server as the pages were before (BENCH_PUBLIC_BEFORE=0 skips it): the list on
one page of 50 (PROGRAMME_PAGE_SIZE=50) and no fragment kept (FRAGMENT_CACHE_SECONDS=0).

Fails (exit 1) if the home page or the programme list answers below 0.25 times the
trivial view's requests per second.
"""

import datetime
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
DATABASE = os.environ.get("BENCH_PUBLIC_DATABASE", "bench_public_pages")
BROKER_DB = int(os.environ.get("REDIS_BROKER_DB", "14"))
CACHE_DB = int(os.environ.get("REDIS_CACHE_DB", "15"))
CLIENTS = int(os.environ.get("BENCH_PUBLIC_CLIENTS", "4"))
SECONDS = float(os.environ.get("BENCH_PUBLIC_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_PUBLIC_ROUNDS", "3"))
BEFORE = os.environ.get("BENCH_PUBLIC_BEFORE", "1") != "0"
PROGRAMMES = 50
TARGET_RATIO = 0.25  # a page's requests/s over the trivial view's, at least
TRIVIAL = "/en/bench-trivial/"
# (name, path, marks the answer must hold)
PAGES = [
    ("trivial view", TRIVIAL, [b"ok"]),
    ("/healthz", "/healthz", [b'"status": "ok"']),
    ("home", "/en/", [b'id="open-calls-heading"', b"badge--"]),
    ("programme list", "/en/programmes/", [b'class="card-list"', b"badge--open"]),
    ("list, page 2 (de)", "/de/programmes/?page=2", [b'class="card-list"']),
]


# The server side: gunicorn imports this module and calls `application`.

_django = None


def application(environ, start_response):
    """The portal's WSGI application with the trivial view added (built on first call)."""
    global _django  # noqa: PLW0603 - built once per worker, after gunicorn forked it
    if _django is None:
        from django.conf.urls.i18n import i18n_patterns
        from django.core.wsgi import get_wsgi_application
        from django.http import HttpResponse
        from django.urls import clear_url_caches, path

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
        _django = get_wsgi_application()
        from alliance import urls

        urls.urlpatterns += i18n_patterns(
            path("bench-trivial/", lambda request: HttpResponse("ok"), name="bench-trivial")
        )
        clear_url_caches()
    return _django(environ, start_response)


# The harness.


def main() -> None:
    import psycopg
    import redis

    url = f"{SERVER}/{DATABASE}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    for db in (BROKER_DB, CACHE_DB):
        redis.Redis.from_url(REDIS_URL, db=db).flushdb()
    static = Path(tempfile.mkdtemp(prefix="bench-public-static-"))
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "REDIS_BROKER_DB": str(BROKER_DB),
        "REDIS_CACHE_DB": str(CACHE_DB),
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "SITE_URL": "https://portal.example",
        "STATIC_ROOT": str(static),
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    began = time.perf_counter()
    seed(url)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(f"database {DATABASE} made in {time.perf_counter() - began:.1f} s", flush=True)
    servers = [("now", {})]
    if BEFORE:
        servers.append(
            ("before", {"PROGRAMME_PAGE_SIZE": str(PROGRAMMES), "FRAGMENT_CACHE_SECONDS": "0"})
        )
    figures = {}
    for name, extra in servers:
        redis.Redis.from_url(REDIS_URL, db=CACHE_DB).flushdb()
        figures[name] = serve_and_measure(name, {**env, **extra})
    sys.exit(0 if report(figures) else 1)


def seed(url: str) -> None:
    """Migrate, load the network, make the programmes (in this process, the test mode)."""
    os.environ.update(
        {
            "DJANGO_ENV": "test",
            "DJANGO_SETTINGS_MODULE": "alliance.settings",
            "DATABASE_URL": url,
            "REDIS_URL": "",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from cities.models import PartnerOrganisation
    from exchanges.models import ExchangeProgramme, ProgrammeFormat, ProgrammeStatus

    call_command("migrate", verbosity=0)
    call_command("load_network", verbosity=0)
    hosts = list(PartnerOrganisation.objects.select_related("city").order_by("slug"))
    now = timezone.now()
    day = datetime.timedelta(days=1)
    formats = list(ProgrammeFormat)
    for n in range(PROGRAMMES):
        host = hosts[n % len(hosts)]
        if n < 20:  # open, the first five closing within the fortnight
            opens, closes = now - 10 * day, now + (3 + n if n < 5 else 20 + n) * day
        elif n < 30:  # upcoming
            opens, closes = now + (n - 15) * day, now + (n + 20) * day
        else:  # closed
            opens, closes = now - (n + 60) * day, now - (n - 25) * day
        starts = (closes + 30 * day).date()
        ExchangeProgramme.objects.create(
            slug=f"bench-programme-{n:02d}",
            title_en=f"{host.city.name_en} exchange {n}",
            title_de=f"Austausch {host.city.name_de or host.city.name_en} {n}",
            summary_en=f"Two weeks in {host.city.name_en} with {host.name}: a desk, mentors "
            "and meetings with customers and investors.",
            summary_de=f"Zwei Wochen in {host.city.name_de or host.city.name_en} mit "
            f"{host.name}: ein Schreibtisch, Mentoren und Treffen mit Kunden und Investoren.",
            host_city=host.city,
            host_organisation=host,
            format=formats[n % len(formats)],
            starts_on=starts,
            ends_on=starts + 13 * day,
            applications_open_at=opens,
            applications_close_at=closes,
            seats=5 + n % 8,
            status=ProgrammeStatus.PUBLISHED,
        )
    connections.close_all()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_and_measure(name: str, env: dict[str, str]) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            f"--pythonpath={ROOT / 'bench'},{ROOT}",
            "--log-level=warning",
            "public_pages:application",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_up(port)
        pages = [
            # Before, the list was one page: its German first page stands for the second.
            (page, path if name == "now" else path.replace("?page=2", ""), marks)
            for page, path, marks in PAGES
        ]
        for _page, path, marks in pages:  # warm both workers, check every page
            for _ in range(6):
                check(port, path, marks)
        results = {page: [] for page, _path, _marks in PAGES}
        for number in range(ROUNDS):
            for page, path, _marks in pages:
                rate = load(port, path)
                results[page].append(rate)
            trivial = results["trivial view"][-1]
            print(
                f"{name}, round {number + 1}: "
                + ", ".join(f"{page} {rates[-1]:.0f}" for page, rates in results.items())
                + f" req/s (trivial {trivial:.0f})",
                flush=True,
            )
        return {page: statistics.median(rates) for page, rates in results.items()}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def request(port: int, path: str) -> tuple[int, bytes]:
    """One GET on a fresh connection, as over HTTPS behind the proxy; status and body."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "GET",
            path,
            headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "Accept-Language": "en"},
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def check(port: int, path: str, marks: list[bytes]) -> None:
    status, body = request(port, path)
    missing = [mark for mark in marks if mark not in body]
    if status != 200 or missing:
        sys.exit(f"{path}: status {status}, missing {missing}: {body[:300]!r}")


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if request(port, TRIVIAL)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer within 60 s")


def _client(port: int, path: str, until: float, counts) -> None:
    done = 0
    while time.monotonic() < until:
        status, _body = request(port, path)
        if status != 200:
            sys.exit(f"{path}: status {status}")
        done += 1
    counts.put(done)


def load(port: int, path: str) -> float:
    """Requests per second for `path` from CLIENTS processes for SECONDS."""
    counts = multiprocessing.Queue()
    began = time.monotonic()
    until = began + SECONDS
    clients = [
        multiprocessing.Process(target=_client, args=(port, path, until, counts))
        for _ in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    total = sum(counts.get() for _ in clients)
    for client in clients:
        client.join()
        if client.exitcode != 0:
            sys.exit(f"a client of {path} failed")
    return total / (time.monotonic() - began)


def report(figures: dict) -> bool:
    print()
    names = list(figures)
    print(f"{'page':<20}" + "".join(f"{n + ' req/s':>14}{n + ' x':>10}" for n in names))
    for page, _path, _marks in PAGES:
        row = f"{page:<20}"
        for name in names:
            rate = figures[name][page]
            row += f"{rate:>14.0f}{rate / figures[name]['trivial view']:>10.3f}"
        print(row)
    now = figures["now"]
    checks = [
        (
            f"{page}: {now[page] / now['trivial view']:.3f} x the trivial view >= {TARGET_RATIO}",
            now[page] / now["trivial view"] >= TARGET_RATIO,
        )
        for page in ("home", "programme list")
    ]
    print()
    for text, ok in checks:
        print(f"{'ok  ' if ok else 'MISS'} {text}")
    return all(ok for _, ok in checks)


if __name__ == "__main__":
    main()
