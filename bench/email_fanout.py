"""Benchmark: 1,000 emails through a real Celery worker vs a plain script, in one run.

Needs PostgreSQL and Redis (DATABASE_ADMIN_URL, REDIS_URL; defaults: the local ones).
Creates a scratch database, starts an SMTP sink (aiosmtpd) and a worker, queues 1,000
messages in one transaction, and times commit → all sent. The floor is a plain script
sending the same 1,000 rendered messages over one SMTP connection to the same sink.
Prints both times and their ratio.  Run: `make bench`.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
COUNT = int(os.environ.get("BENCH_EMAILS", "1000"))
ADMIN_URL = os.environ.get("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")


def main() -> None:
    from tests.mail import Sink, smtp_server

    database = f"alliance_bench_{os.getpid()}"
    base = ADMIN_URL.rsplit("/", 1)[0]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    sink = Sink()
    try:
        with smtp_server(sink) as port:
            env = {
                "DJANGO_ENV": "test",
                "DJANGO_SETTINGS_MODULE": "alliance.settings",
                "DATABASE_URL": f"{base}/{database}",
                "REDIS_URL": REDIS_URL,
                "REDIS_BROKER_DB": "12",
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            }
            os.environ.update(env)
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            plain = plain_script(sink, port)
            through_worker = worker_run(sink, env)
    finally:
        from django.db import connections

        connections.close_all()
        subprocess.run(
            ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--force", database], check=False
        )
    print(f"emails: {COUNT}")
    print(f"plain script, one SMTP connection: {plain:.2f} s")
    print(f"outbox + real worker, commit to all sent: {through_worker:.2f} s")
    print(f"ratio (worker / plain): {through_worker / plain:.2f}")


def recipients():
    from alliance.mail.outbox import Recipient

    return [Recipient(f"founder{n}@bench.example", "de" if n % 2 else "en") for n in range(COUNT)]


CONTEXT = {
    "startup": "Bench Robotics",
    "programme": "Tel Aviv Exchange",
    "host_city": "Tel Aviv",
    "application_url": "http://127.0.0.1:8000/en/applications/1/",
}
KEY = "exchanges/email/application_submitted"


def plain_script(sink, port: int) -> float:
    """The floor: render the same messages, send them over one connection, no database."""
    import smtplib
    from email.message import EmailMessage

    from alliance.mail.rendering import render

    messages = []
    for recipient in recipients():
        subject, text, html = render(KEY, recipient.language, CONTEXT)
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = (
            subject,
            "bench@example",
            recipient.email,
        )
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        messages.append(message)
    before = len(sink.messages)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for message in messages:
            smtp.send_message(message)
    elapsed = time.perf_counter() - started
    assert len(sink.messages) - before == COUNT
    return elapsed


def worker_run(sink, env: dict[str, str]) -> float:
    from django.db import transaction

    from alliance.celery_app import app
    from alliance.mail.models import EmailMessage, EmailStatus
    from alliance.mail.outbox import queue_email
    from tests.workers import celery_worker

    app.control.purge()
    with celery_worker(name="bench", env=env):
        before = len(sink.messages)
        with transaction.atomic():
            queue_email(KEY, to=recipients(), context=CONTEXT)
        started = time.perf_counter()  # the rendering happened in the transaction
        while EmailMessage.objects.filter(status=EmailStatus.SENT).count() < COUNT:
            if time.perf_counter() - started > 300:
                raise RuntimeError("the worker did not send everything within 5 minutes")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        assert len(sink.messages) - before == COUNT
        return elapsed


if __name__ == "__main__":
    main()
