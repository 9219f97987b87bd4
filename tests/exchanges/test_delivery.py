"""Delivery through a real Celery worker and a real SMTP server, with faults on purpose."""

import datetime
import os
import signal

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alliance.mail.models import EmailMessage, EmailStatus
from alliance.mail.outbox import Recipient, queue_email
from alliance.mail.tasks import send_emails, sweep_outbox
from exchanges import services
from exchanges.models import State
from tests.exchanges.conftest import make_application
from tests.mail import Sink, smtp_server
from tests.netutils import closed_port, silent_port
from tests.processes import ROOT, run_python
from tests.workers import celery_worker, running_database_url, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("real_broker"),
]

KEY = "exchanges/email/application_submitted"
CONTEXT = {"startup": "Orbit", "programme": "TLV", "host_city": "Tel Aviv", "application_url": "-"}


def one_message(address: str = "founder@orbit.example") -> EmailMessage:
    with transaction.atomic():
        (message,) = queue_email(KEY, to=[Recipient(address, "en")], context=CONTEXT)
    return message


def status_of(message: EmailMessage) -> tuple[str, int]:
    message.refresh_from_db()
    return message.status, message.attempts


def make_due(message: EmailMessage) -> None:
    """Let the message's retry come due now, as time passing would."""
    past = timezone.now() - datetime.timedelta(minutes=5)
    EmailMessage.objects.filter(pk=message.pk).update(next_attempt_at=past, created_at=past)


def test_a_submission_is_delivered_by_a_worker(world):
    sink = Sink()
    with (
        smtp_server(sink) as port,
        celery_worker(name="e2e", env={"EMAIL_URL": f"smtp://127.0.0.1:{port}"}),
    ):
        application = make_application(world)
        services.submit_application(application, by=world.owner, consent=True)

        assert wait_for(lambda: len(sink.messages) == 2)

    assert sorted(m["To"] for m in sink.messages) == [
        "member@startup.example",
        "owner@startup.example",
    ]
    assert set(EmailMessage.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    ids = {m["Message-ID"] for m in sink.messages}
    assert ids == set(EmailMessage.objects.values_list("message_id", flat=True))


def test_smtp_421_twice_then_accepted_delivers_once(world):
    sink = Sink(plan=["421 4.3.2 try again later", "421 4.3.2 try again later"])
    with (
        smtp_server(sink) as port,
        celery_worker(name="busy", env={"EMAIL_URL": f"smtp://127.0.0.1:{port}"}),
    ):
        message = one_message()
        assert wait_for(lambda: status_of(message) == (EmailStatus.QUEUED, 1))
        assert message.last_error.startswith("SMTPDataError: (421")  # kept while it waits
        for attempt in (2, 3):
            make_due(message)
            sweep_outbox.delay()
            expected = EmailStatus.SENT if attempt == 3 else EmailStatus.QUEUED
            assert wait_for(lambda a=attempt, e=expected: status_of(message) == (e, a))

    assert len(sink.messages) == 1
    assert sink.attempts == 3


def test_smtp_550_fails_at_once_and_stays_visible(world):
    sink = Sink(plan=["550 5.1.1 no such user"])
    with (
        smtp_server(sink) as port,
        celery_worker(name="refused", env={"EMAIL_URL": f"smtp://127.0.0.1:{port}"}),
    ):
        message = one_message()
        assert wait_for(lambda: status_of(message) == (EmailStatus.FAILED, 1))
        make_due(message)
        sweep_outbox.delay()
        assert not wait_for(lambda: status_of(message)[1] > 1, timeout=3)

    assert sink.messages == []
    message.refresh_from_db()
    assert "550" in message.last_error


def test_smtp_that_never_answers_times_out_and_the_worker_goes_on(world):
    with (
        silent_port() as port,
        celery_worker(
            name="stuck",
            env={"EMAIL_URL": f"smtp://127.0.0.1:{port}", "EMAIL_TIMEOUT": "1"},
        ),
    ):
        message = one_message()
        assert wait_for(lambda: status_of(message) == (EmailStatus.QUEUED, 1))
        make_due(message)
        sweep_outbox.delay()
        # The worker is free again: it takes the retry and times out once more.
        assert wait_for(lambda: status_of(message) == (EmailStatus.QUEUED, 2))

    message.refresh_from_db()
    assert "timed out" in message.last_error.lower() or "Timeout" in message.last_error


def test_two_workers_given_the_same_message_deliver_it_once(world):
    sink = Sink(delay=1)
    env = lambda port: {"EMAIL_URL": f"smtp://127.0.0.1:{port}"}  # noqa: E731
    with (
        smtp_server(sink) as port,
        celery_worker(name="one", env=env(port)),
        celery_worker(name="two", env=env(port)),
    ):
        message = one_message()
        send_emails.delay(ids=[message.pk])
        send_emails.delay(ids=[message.pk])
        assert wait_for(lambda: status_of(message)[0] == EmailStatus.SENT)
        wait_for(lambda: False, timeout=2)  # give a second delivery every chance to happen

    assert len(sink.messages) == 1
    assert status_of(message) == (EmailStatus.SENT, 1)


def test_a_worker_killed_while_sending_is_replaced_and_the_message_goes_once(world):
    sink = Sink(delay=4)
    env = {"EMAIL_URL": "smtp://127.0.0.1:0", "EMAIL_LEASE_SECONDS": "2"}
    with smtp_server(sink) as port:
        env["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
        with celery_worker(name="doomed", env=env) as worker:
            message = one_message()
            assert wait_for(lambda: status_of(message) == (EmailStatus.SENDING, 1))
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
        assert sink.messages == []
        with celery_worker(name="heir", env=env):
            wait_for(lambda: False, timeout=2.5)  # the dead worker's lease runs out
            EmailMessage.objects.filter(pk=message.pk).update(
                created_at=timezone.now() - datetime.timedelta(minutes=5)
            )
            sweep_outbox.delay()
            assert wait_for(lambda: status_of(message) == (EmailStatus.SENT, 2), timeout=30)

    assert len(sink.messages) == 1


SUBMIT_IN_ANOTHER_PROCESS = """
import sys, time, django
django.setup()
from alliance.accounts.models import User
from exchanges import services
from exchanges.models import Application
application = Application.objects.get(pk=int(sys.argv[1]))
owner = User.objects.get(pk=int(sys.argv[2]))
started = time.monotonic()
services.submit_application(application, by=owner, consent=True)
print(round(time.monotonic() - started, 3))
"""


@pytest.mark.parametrize("outage", ["refusing", "silent"])
def test_a_submit_while_redis_is_down_answers_fast_and_the_mail_goes_once_later(world, outage):
    application = make_application(world)
    with silent_port() as silent:
        dead = silent if outage == "silent" else closed_port()
        result = run_python(
            "-c",
            SUBMIT_IN_ANOTHER_PROCESS,
            str(application.pk),
            str(world.owner.pk),
            env={
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DATABASE_URL": running_database_url(),
                "REDIS_URL": f"redis://127.0.0.1:{dead}",
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "PYTHONPATH": str(ROOT),
            },
        )
    assert result.returncode == 0, result.stderr
    # Wide: the bug is a 40 s hang, and a loaded machine once took 2.07 s here.
    assert float(result.stdout.strip()) < 5 * settings.REDIS_TIMEOUT
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert set(EmailMessage.objects.values_list("status", flat=True)) == {EmailStatus.QUEUED}

    sink = Sink()
    with (
        smtp_server(sink) as port,
        celery_worker(name=f"back-{outage}", env={"EMAIL_URL": f"smtp://127.0.0.1:{port}"}),
    ):
        for message in EmailMessage.objects.all():
            make_due(message)
        sweep_outbox.delay()
        assert wait_for(lambda: len(sink.messages) == 2)
        sweep_outbox.delay()
        wait_for(lambda: False, timeout=2)

    assert sorted(m["To"] for m in sink.messages) == [
        "member@startup.example",
        "owner@startup.example",
    ]
    assert set(EmailMessage.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
