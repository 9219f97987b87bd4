"""Announcing many decisions while the broker is silent: one publish, then the sweep delivers."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from alliance.mail.models import EmailMessage, EmailStatus
from alliance.mail.tasks import sweep_outbox
from exchanges import services
from exchanges.models import State, Verb
from tests.exchanges.conftest import make_application
from tests.factories import MembershipFactory
from tests.mail import Sink, smtp_server
from tests.processes import ROOT, run_python
from tests.workers import black_hole, celery_worker, running_database_url, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

DECISIONS = 30

ANNOUNCE_IN_ANOTHER_PROCESS = """
import sys, time, django
django.setup()
from alliance.accounts.models import User
from exchanges import services
from exchanges.models import ExchangeProgramme
programme = ExchangeProgramme.objects.get(pk=int(sys.argv[1]))
staff = User.objects.get(pk=int(sys.argv[2]))
started = time.monotonic()
services.announce_decisions(programme, by=staff)
print(round(time.monotonic() - started, 3))
"""


def test_announcing_many_decisions_with_a_silent_broker_waits_for_one_timeout(world, real_broker):
    for _ in range(DECISIONS):
        application = make_application(world, State.IN_REVIEW, startup=MembershipFactory().startup)
        services.stage_decision(application, verb=Verb.REJECT, by=world.staff)

    with black_hole() as broker:
        result = run_python(
            "-c",
            ANNOUNCE_IN_ANOTHER_PROCESS,
            str(world.programme.pk),
            str(world.staff.pk),
            env={
                "DJANGO_SETTINGS_MODULE": "tests.settings",
                "DATABASE_URL": running_database_url(),
                "REDIS_URL": f"redis://127.0.0.1:{broker.port}",
                "CELERY_TASK_ALWAYS_EAGER": "false",
                "PYTHONPATH": str(ROOT),
            },
            timeout=180,  # the bug took one timeout per email: 30 x 1.5 s
        )
        publishes_tried = broker.connections

    assert result.returncode == 0, result.stderr
    # Wide: one timeout plus the work itself, far below the 45 s of one timeout per email.
    assert float(result.stdout.strip()) < 3 * settings.REDIS_TIMEOUT + 10
    assert publishes_tried == 1
    assert EmailMessage.objects.count() == DECISIONS
    assert set(EmailMessage.objects.values_list("status", flat=True)) == {EmailStatus.QUEUED}

    sink = Sink()
    with (
        smtp_server(sink) as port,
        celery_worker(name="announce", env={"EMAIL_URL": f"smtp://127.0.0.1:{port}"}),
    ):
        past = timezone.now() - datetime.timedelta(minutes=5)
        EmailMessage.objects.update(created_at=past, next_attempt_at=past)
        sweep_outbox.delay()
        assert wait_for(lambda: len(sink.messages) == DECISIONS, timeout=60)

    assert set(EmailMessage.objects.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert len({m["To"] for m in sink.messages}) == DECISIONS
