"""Benchmark: partner webhooks, 1,000 events fanned out to 10 endpoints, against a plain script.

    .venv/bin/python bench/webhooks.py          (or `make bench`)

Needs PostgreSQL and Redis (BENCH_DATABASE_SERVER, REDIS_URL; defaults: the local ones).
Drops and recreates the database `bench_webhooks`, migrates it, loads the network and the
demo data, and flushes Redis databases 14 (the broker) and 15 (the cache), which the run
owns. Ten receivers listen on loopback, each in its own process (http.server's
ThreadingHTTPServer, HTTP/1.1 keep-alive, 204 at once, nothing checked): the same ten for
both sides. One partner organisation registers an endpoint at each, for every event type.

The portal, a round: 1,000 `application.state_changed` events are written with
events.write(...), one transaction each as one change writes one, their data a real
application as the partner API shows it (pages.Page, every content language, with its
answers and history; the largest of the demo data's); with CELERY_TASK_ALWAYS_EAGER off
the writes only publish, and those publishes are dropped. Then a real worker is started,
`celery -A alliance worker -Q webhooks -P threads -c 10` (the settings' test mode with the
database pool on, as in production), and `partners.deliver_endpoints` is published with the
ten ids, as after a commit. Timed from that publish to the last delivery's `delivered_at`:
10,000 posts, every one of which must be delivered.

The floor, a round: a plain script in a process of its own (no Django, no database) posts
the same 1,000 stored bodies to each endpoint with the same Standard Webhooks headers,
signed per post with the standardwebhooks package, over one kept-alive http.client
connection per endpoint, in 10 threads (one per endpoint: the worker's concurrency). Timed
from the first post to the last answer.

Rounds alternate (floor, portal, floor, portal: BENCH_WEBHOOK_ROUNDS of each) and the
medians are reported in posts/s, with their ratio. Also reported, per post: the CPU time of
the sending process (the worker, the floor), of the worker's PostgreSQL backends and of the
receivers (Linux's /proc); the database's work per delivery (pg_stat_database:
transactions, rows written and read); and one endpoint's deliveries made in this process in
one thread (statements, wall and CPU time each). After each round every receiver must have
counted 1,000 more posts, and the last one must verify with its endpoint's secret.

Fails (exit 1) if the portal's posts/s is below 0.5 times the floor's.
"""

import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
DATABASE = "bench_webhooks"
BROKER_DB, CACHE_DB = 14, 15
ENDPOINTS = 10
EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "1000"))
POSTS = EVENTS * ENDPOINTS
ROUNDS = int(os.environ.get("BENCH_WEBHOOK_ROUNDS", "2"))
THREADS = ENDPOINTS  # the worker's pool and the floor's threads
SINGLE = 200  # deliveries of the one-thread measure in this process
TIMEOUT = 120  # seconds a portal round may take before the run gives up
TARGET_RATIO = 0.5  # the portal's posts/s over the floor's, at least
EVENT_TYPE = "application.state_changed"


# The receivers: a process each, counting posts and keeping the last.


class _Receive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        with server.lock:
            server.count += 1
            server.last = {"headers": dict(self.headers.items()), "body": body.decode()}
        self.send_response(204)
        self.end_headers()

    def do_GET(self) -> None:  # the harness asks for the count (/count) and the last post
        with self.server.lock:
            answer = {"count": self.server.count}
            if self.path != "/count":
                answer["last"] = self.server.last
            payload = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


def receive() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receive)
    server.daemon_threads = True
    server.lock, server.count, server.last = threading.Lock(), 0, None
    print(server.server_address[1], flush=True)
    server.serve_forever()


class Receivers:
    """The ten receiver processes, and the posts each had counted at the last check."""

    def __init__(self) -> None:
        self.processes = [
            subprocess.Popen(
                [sys.executable, __file__, "--receive"], stdout=subprocess.PIPE, text=True
            )
            for _ in range(ENDPOINTS)
        ]
        self.ports = [int(process.stdout.readline()) for process in self.processes]
        self.checked = [0] * ENDPOINTS

    def ask(self, port: int, path: str = "/") -> dict:
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path)
        answer = json.loads(connection.getresponse().read())
        connection.close()
        return answer

    def total(self) -> int:
        return sum(self.ask(port, "/count")["count"] for port in self.ports)

    def cpu(self) -> float:
        return sum(cpu_seconds(process.pid) for process in self.processes)

    def check(self, secrets: list[str], side: str) -> None:
        """Each got one post per event since the last check; the last one verifies."""
        from standardwebhooks import Webhook

        for n, (port, secret) in enumerate(zip(self.ports, secrets, strict=True)):
            answer = self.ask(port)
            if answer["count"] - self.checked[n] != EVENTS:
                raise RuntimeError(f"{side}: {answer['count'] - self.checked[n]} posts at {port}")
            self.checked[n] = answer["count"]
            last = answer["last"]
            headers = {name.lower(): value for name, value in last["headers"].items()}
            Webhook(secret).verify(last["body"], headers)

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
            process.wait()


def cpu_seconds(pid: int) -> float:
    """User and system time of a process and all its threads so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The floor: no Django, no database.


def floor(path: str) -> None:
    """Post every body to every endpoint, one thread and one connection per endpoint."""
    import http.client
    from urllib.parse import urlsplit

    from standardwebhooks import Webhook

    job = json.loads(Path(path).read_text())
    events = [(event["id"], event["body"], event["body"].encode()) for event in job["events"]]
    ready = threading.Barrier(len(job["endpoints"]) + 1)
    failures = []

    def post_all(url: str, secret: str) -> None:
        target = urlsplit(url)
        signer = Webhook(secret)
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        ready.wait()
        for event_id, body, data in events:
            at = int(time.time())
            moment = datetime.datetime.fromtimestamp(at, tz=datetime.UTC)
            headers = {
                "webhook-id": event_id,
                "webhook-timestamp": str(at),
                "webhook-signature": signer.sign(msg_id=event_id, timestamp=moment, data=body),
                "Content-Type": "application/json",
                "User-Agent": "StartAlliance-Webhooks/1",
            }
            connection.request("POST", target.path, body=data, headers=headers)
            answer = connection.getresponse()
            answer.read()
            if not 200 <= answer.status < 300:
                failures.append(answer.status)
        connection.close()

    threads = [
        threading.Thread(target=post_all, args=(endpoint["url"], endpoint["secret"]))
        for endpoint in job["endpoints"]
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "failures": len(failures)}))


def floor_round(job: Path, receivers: Receivers) -> dict:
    before = receivers.cpu()
    child = subprocess.run(
        [sys.executable, __file__, "--floor", str(job)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    result = json.loads(child.stdout.splitlines()[-1])
    if result["failures"]:
        raise RuntimeError(f"the floor got {result['failures']} answers other than 2xx")
    return {
        "posts/s": POSTS / result["seconds"],
        "sender": result["cpu"] / POSTS,
        "receivers": (receivers.cpu() - before) / POSTS,
    }


# The portal: this process sets up, writes the events, starts the worker and times it.


def main() -> None:
    import psycopg
    import redis

    url = f"{SERVER}/{DATABASE}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    for db in (BROKER_DB, CACHE_DB):
        redis.Redis.from_url(REDIS_URL, db=db).flushdb()
    env = {
        "DJANGO_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "REDIS_BROKER_DB": str(BROKER_DB),
        "REDIS_CACHE_DB": str(CACHE_DB),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEBHOOK_ALLOW_LOOPBACK": "true",
        "WEBHOOK_REQUIRE_HTTPS": "false",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_network", verbosity=0)
    call_command("demo_data", verbosity=0)
    print(f"database {DATABASE} made in {time.perf_counter() - began:.1f} s", flush=True)
    receivers = Receivers()
    try:
        figures = run(url, env, receivers)
    finally:
        receivers.stop()
        from django.db import connections

        connections.close_all()
    sys.exit(0 if report(figures) else 1)


def run(url: str, env: dict[str, str], receivers: Receivers) -> dict:
    from exchanges.partners.webhooks import services
    from exchanges.partners.webhooks.models import EventType

    share, data = application()
    endpoints = [
        services.register(
            share.organisation,
            url=f"http://127.0.0.1:{port}/hooks/{n}",
            events=[event.value for event in EventType],
        )
        for n, port in enumerate(receivers.ports)
    ]
    secrets = [endpoint.secret for endpoint in endpoints]
    figures = {"floor": [], "portal": [], "writes": []}
    job = Path(tempfile.mkstemp(prefix="bench-webhooks-", suffix=".json")[1])
    watch = Watch(url)
    try:
        for number in range(ROUNDS):
            written, seconds = write_events(share, data, endpoints)
            figures["writes"].append(seconds)
            if number == 0:
                figures["body"] = len(written[0].body.encode())
                print(f"body: {figures['body']:,} bytes", flush=True)
                job.write_text(
                    json.dumps(
                        {
                            "endpoints": [{"url": e.url, "secret": e.secret} for e in endpoints],
                            "events": [{"id": e.public_id, "body": e.body} for e in written],
                        }
                    )
                )
            for side in ("floor", "portal"):
                if side == "floor":
                    result = floor_round(job, receivers)
                else:
                    result = portal_round(watch, env, endpoints, receivers)
                receivers.check(secrets, side)
                figures[side].append(result)
                print(f"round {number + 1}: {side} {result['posts/s']:.0f} posts/s", flush=True)
        figures["single"] = single_thread(share, data, endpoints[0])
    finally:
        watch.connection.close()
        job.unlink()
    return figures


def application():
    """The live share with the most answers, and the data of an event about it."""
    from django.conf import settings
    from django.db.models import Count
    from django.utils import timezone

    from exchanges.partners import pitch_decks
    from exchanges.partners.api import pages
    from exchanges.partners.models import ApplicationShare

    share = (
        ApplicationShare.objects.live()
        .select_related("organisation")
        .annotate(answers=Count("application__answers"))
        .order_by("-answers", "pk")
        .first()
    )
    row = pages.rows(ApplicationShare.objects.filter(pk=share.pk))[0]
    page = pages.Page(
        organisation_id=share.organisation_id,
        absolute=lambda path: f"{settings.SITE_URL.rstrip('/')}{path}",
        language=None,
        deck_expiry=pitch_decks.expiry(timezone.now() + datetime.timedelta(days=2)),
    )
    shown = page.build([row])[0]
    return share, {"application": shown, "from_state": "submitted", "to_state": "in_review"}


def write_events(share, data: dict, endpoints, count: int = EVENTS):
    """Write `count` events, one transaction each; drop what they published."""
    import redis
    from django.db import connections, transaction
    from django.utils import timezone

    from exchanges.partners.webhooks import events

    written = []
    began = time.perf_counter()
    for _ in range(count):
        with transaction.atomic():
            written += events.write(
                EVENT_TYPE,
                {share.organisation_id: data},
                at=timezone.now(),
                application_ref=share.application_ref,
                endpoints={share.organisation_id: endpoints},
            )
    seconds = time.perf_counter() - began
    broker = redis.Redis.from_url(REDIS_URL, db=BROKER_DB)
    broker.delete("webhooks")
    broker.close()
    connections.close_all()  # its statistics are flushed before the portal's are read
    return written, seconds


class Watch:
    """The harness's own connection, counting its transactions (they are in the statistics)."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)
        self.statements = 0

    def one(self, sql: str, params=None) -> tuple:
        self.statements += 1
        return self.connection.execute(sql, params).fetchone()

    def stats(self) -> tuple:
        return self.one(
            "SELECT xact_commit, tup_inserted, tup_updated, tup_fetched "
            "FROM pg_stat_database WHERE datname = %s",
            [DATABASE],
        )

    def backends(self) -> list[int]:
        self.statements += 1
        found = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [DATABASE],
        )
        return [pid for (pid,) in found]


PENDING = "SELECT count(*) FROM partners_webhookdelivery WHERE status = 'pending'"


def portal_round(watch: Watch, env: dict[str, str], endpoints, receivers: Receivers) -> dict:
    """Start a worker, publish the fan-out, wait for every delivery: posts/s and costs."""
    from exchanges.partners.webhooks.tasks import deliver_endpoints
    from tests.workers import celery_worker

    worker_env = {**env, "DATABASE_POOL": "true", "DATABASE_POOL_MAX_SIZE": str(THREADS)}
    with celery_worker(
        name="bench-webhooks",
        env=worker_env,
        queues="webhooks",
        pool=("-P", "threads", "-c", str(THREADS)),
    ) as worker:
        target = receivers.total() + POSTS
        before, worker_cpu, receivers_cpu = watch.stats(), cpu_seconds(worker.pid), receivers.cpu()
        own = watch.statements
        started = time.time()
        deliver_endpoints.apply_async(kwargs={"ids": [e.pk for e in endpoints]}, retry=False)
        # The receivers are asked, not the database: its rows are the worker's to write.
        while receivers.total() < target or watch.one(PENDING)[0]:
            if time.time() - started > TIMEOUT:
                raise RuntimeError(f"the worker did not deliver everything in {TIMEOUT} s")
            time.sleep(0.2)  # the time is the last `delivered_at`, not this poll's
        worker_cpu = cpu_seconds(worker.pid) - worker_cpu
        receivers_cpu = receivers.cpu() - receivers_cpu
        # Its backends' time since they connected (the pool's, for the round's length).
        postgres_cpu = sum(cpu_seconds(pid) for pid in watch.backends())
    gone = time.monotonic() + 10  # a backend's statistics are flushed when it ends
    while watch.backends() and time.monotonic() < gone:
        time.sleep(0.05)
    own = watch.statements - own + 1  # the harness's transactions since `before`
    after = watch.stats()
    undelivered, last = watch.one(
        "SELECT count(*) FILTER (WHERE status <> 'delivered'), max(delivered_at) "
        "FROM partners_webhookdelivery"
    )
    if undelivered:
        raise RuntimeError(f"{undelivered} deliveries are not delivered")
    return {
        "posts/s": POSTS / (last.timestamp() - started),
        "sender": worker_cpu / POSTS,
        "postgres": postgres_cpu / POSTS,
        "receivers": receivers_cpu / POSTS,
        "transactions": (after[0] - before[0] - own) / POSTS,
        "inserted": (after[1] - before[1]) / POSTS,
        "updated": (after[2] - before[2]) / POSTS,
        "fetched": (after[3] - before[3]) / POSTS,
    }


def single_thread(share, data: dict, endpoint) -> dict:
    """Deliver SINGLE events to one endpoint in this process: statements and time each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from exchanges.partners.webhooks import delivery

    write_events(share, data, [endpoint], count=SINGLE)
    with CaptureQueriesContext(connection) as captured:
        began, cpu = time.perf_counter(), time.process_time()
        outcome = delivery.deliver(endpoint.pk)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    if outcome != "done":
        raise RuntimeError(f"the one-thread delivery ended {outcome!r}")
    return {
        "statements": len(captured.captured_queries) / SINGLE,
        "ms": seconds * 1000 / SINGLE,
        "cpu ms": cpu * 1000 / SINGLE,
    }


def median(rounds: list[dict], key: str) -> float:
    return statistics.median(round_[key] for round_ in rounds)


def report(figures: dict) -> bool:
    floor_pps, portal_pps = (
        median(figures["floor"], "posts/s"),
        median(figures["portal"], "posts/s"),
    )
    ratio = portal_pps / floor_pps
    print()
    print(f"{POSTS:,} posts ({EVENTS:,} events x {ENDPOINTS} endpoints), {ROUNDS} rounds each")
    print(f"{'':<30} {'posts/s':>8} {'rounds':>12} {'sender':>8} {'postgres':>8} {'receivers':>9}")
    for name, key in [
        ("floor (plain, 10 threads)", "floor"),
        ("portal (worker, 10 threads)", "portal"),
    ]:
        rounds = figures[key]
        each = ", ".join(f"{r['posts/s']:.0f}" for r in rounds)
        postgres = f"{median(rounds, 'postgres') * 1000:>8.2f}" if key == "portal" else f"{'-':>8}"
        print(
            f"{name:<30} {median(rounds, 'posts/s'):>8.0f} {each:>12} "
            f"{median(rounds, 'sender') * 1000:>8.2f} {postgres} "
            f"{median(rounds, 'receivers') * 1000:>9.2f}"
        )
    print(f"{'ratio (portal / floor)':<30} {ratio:>8.2f}")
    print(
        "(sender, postgres, receivers: CPU ms a post of the worker or the floor's process, of\n"
        " the worker's database backends and of the ten receivers)"
    )
    print()
    writes = statistics.median(figures["writes"])
    print(
        f"writing {EVENTS:,} events, one transaction each: {writes:.2f} s "
        f"({writes * 1000 / EVENTS:.2f} ms an event); body {figures['body']:,} bytes"
    )
    portal = figures["portal"]
    print(
        "the database, a delivery (worker): "
        + ", ".join(
            f"{median(portal, key):.2f} {key}"
            for key in ("transactions", "inserted", "updated", "fetched")
        )
    )
    single = figures["single"]
    print(
        f"one endpoint, one thread, in process: {single['statements']:.2f} statements, "
        f"{single['ms']:.2f} ms ({single['cpu ms']:.2f} ms CPU) a delivery: "
        f"{1000 / single['ms']:.0f} posts/s"
    )
    ok = ratio >= TARGET_RATIO
    print()
    print(f"{'ok  ' if ok else 'MISS'} portal/floor {ratio:.2f} >= {TARGET_RATIO}")
    return ok


if __name__ == "__main__":
    if sys.argv[1:2] == ["--receive"]:
        receive()
    elif sys.argv[1:2] == ["--floor"]:
        floor(sys.argv[2])
    else:
        main()
