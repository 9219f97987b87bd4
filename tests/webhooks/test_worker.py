"""Webhooks through real Celery workers (the `webhooks` queue) to real HTTP receivers.

Faults on purpose: a receiver down, slow, failing or redirecting, a worker killed in the
middle of a post, Redis gone at the moment of the change. Schedules are shortened through
the workers' environment (WEBHOOK_RETRY_SCHEDULE, WEBHOOK_SWEEP_SECONDS, ...); the logic
that reads them is the production one.
"""

import itertools
import os
import signal

import pytest
from django.conf import settings
from django.db import transaction

from exchanges.partners import feed
from exchanges.partners.webhooks import services
from exchanges.partners.webhooks.models import DeliveryStatus, EventType, WebhookAttempt
from exchanges.partners.webhooks.tasks import sweep_webhooks
from exchanges.services import start_review
from tests.exchanges.conftest import staff_user
from tests.netutils import closed_port, silent_port
from tests.processes import ROOT, run_python
from tests.webhooks.receiver import receiver
from tests.workers import celery_worker, running_database_url, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ALL = [event.value for event in EventType]
FAST = {
    "WEBHOOK_ALLOW_LOOPBACK": "true",
    "WEBHOOK_REQUIRE_HTTPS": "false",
    "WEBHOOK_SWEEP_SECONDS": "0.5",
    "WEBHOOK_RETRY_SCHEDULE": "1,1,1",
}


def worker(name: str, env: dict | None = None, threads: int = 4):
    return celery_worker(
        name=name,
        env={**FAST, **(env or {})},
        queues="webhooks",
        pool=("-P", "threads", "-c", str(threads)),
        beat=True,
    )


def delivered(endpoint) -> int:
    return endpoint.deliveries.filter(status=DeliveryStatus.DELIVERED).count()


@pytest.mark.usefixtures("webhooks_broker")
def test_an_event_arrives_signed_within_seconds(partners):
    with receiver() as tlv, worker("signed"):
        hook = services.register(partners.tel_aviv, url=tlv.url, events=ALL)
        start_review(partners.tlv_apps[0], by=staff_user())
        assert wait_for(lambda: len(tlv.received) == 1, timeout=30)
    event = tlv.received[0].verified(hook.secret)
    assert event["type"] == "application.state_changed"
    assert event["data"]["application"]["id"] == partners.tlv_apps[0].pk


@pytest.mark.usefixtures("webhooks_broker")
def test_failures_are_retried_in_order_then_given_up_with_the_log(partners):
    with receiver(script=[500, 429, 503]) as tlv, worker("retries"):
        hook = services.register(partners.tel_aviv, url=tlv.url, events=ALL)
        start_review(partners.tlv_apps[0], by=staff_user())
        start_review(partners.tlv_apps[1], by=staff_user())
        assert wait_for(lambda: delivered(hook) == 2, timeout=60)
        first = tlv.received[0].webhook_id
        assert tlv.ids()[:4] == [first] * 4  # 500, 429, 503, then 204: the second waited
        second = tlv.received[4].webhook_id
        assert second != first
    steps = [r.at - tlv.received[0].at for r in tlv.received[:4]]
    assert all(later - earlier >= 0.9 for earlier, later in itertools.pairwise(steps))
    log = list(
        WebhookAttempt.objects.filter(endpoint=hook)
        .order_by("at", "pk")
        .values_list("number", "status_code")
    )
    assert log == [(1, 500), (2, 429), (3, 503), (4, 204), (1, 204)]

    with receiver(default=500) as down, worker("give-up"):
        services.change(hook, url=down.url)
        start_review(partners.tlv_apps[2], by=staff_user())
        last = hook.deliveries.order_by("-pk").first()
        assert wait_for(
            lambda: hook.deliveries.get(pk=last.pk).status == DeliveryStatus.FAILED, timeout=60
        )
    assert len(down.received) == 4  # one attempt and three retries
    assert hook.deliveries.get(pk=last.pk).attempts == 4


@pytest.mark.usefixtures("webhooks_broker")
def test_a_redirect_is_never_followed(partners):
    with receiver(default=307) as tlv, worker("redirect", {"WEBHOOK_RETRY_SCHEDULE": "0.5"}):
        hook = services.register(partners.tel_aviv, url=tlv.url, events=ALL)
        start_review(partners.tlv_apps[0], by=staff_user())
        assert wait_for(
            lambda: hook.deliveries.filter(status=DeliveryStatus.FAILED).exists(), timeout=30
        )
    assert [r.path for r in tlv.received] == ["/hook", "/hook"]


@pytest.mark.usefixtures("webhooks_broker")
def test_a_slow_endpoint_does_not_hold_up_another(partners):
    with (
        receiver(default=("sleep", 4, 204)) as slow,
        receiver() as fast,
        worker("isolation", {"WEBHOOK_READ_TIMEOUT": "10"}),
    ):
        services.register(partners.tel_aviv, url=slow.url, events=ALL)
        quick = services.register(partners.paris, url=fast.url, events=ALL)
        for application in partners.tlv_apps + partners.paris_apps:
            start_review(application, by=staff_user())
        assert wait_for(lambda: delivered(quick) == 2, timeout=20)
        assert len(slow.received) <= 2  # still at its first or second of three
        assert wait_for(lambda: len(slow.received) == 3, timeout=30)


@pytest.mark.usefixtures("webhooks_broker")
def test_a_worker_killed_mid_post_repeats_that_event_once_with_its_id(partners):
    env = {"WEBHOOK_LEASE_SECONDS": "3", "WEBHOOK_READ_TIMEOUT": "30"}
    with receiver(script=[("sleep", 20, 204)]) as tlv:
        with worker("doomed", env) as doomed:
            hook = services.register(partners.tel_aviv, url=tlv.url, events=ALL)
            start_review(partners.tlv_apps[0], by=staff_user())
            start_review(partners.tlv_apps[1], by=staff_user())
            assert wait_for(lambda: len(tlv.received) == 1, timeout=30)  # and it hangs there
            os.kill(doomed.pid, signal.SIGKILL)
            doomed.wait()
        with worker("heir", env):
            assert wait_for(lambda: delivered(hook) == 2, timeout=40)
            wait_for(lambda: False, timeout=2)  # nothing more comes
    ids = tlv.ids()
    assert len(ids) == 3
    assert ids[0] == ids[1] != ids[2]  # the one in flight again, the next once


CHANGE_IN_ANOTHER_PROCESS = """
import sys, time, django
django.setup()
from alliance.accounts.models import User
from exchanges.models import Application
from exchanges.services import start_review
application = Application.objects.get(pk=int(sys.argv[1]))
staff = User.objects.get(pk=int(sys.argv[2]))
started = time.monotonic()
start_review(application, by=staff)
print(round(time.monotonic() - started, 3))
"""


@pytest.mark.parametrize("outage", ["refusing", "silent"])
@pytest.mark.usefixtures("webhooks_broker")
def test_redis_down_at_the_change_loses_no_event(partners, outage):
    with receiver() as tlv:
        hook = services.register(partners.tel_aviv, url=tlv.url, events=ALL)
        application = partners.tlv_apps[0]
        with silent_port() as silent:
            dead = silent if outage == "silent" else closed_port()
            result = run_python(
                "-c",
                CHANGE_IN_ANOTHER_PROCESS,
                str(application.pk),
                str(staff_user().pk),
                env={
                    "DJANGO_SETTINGS_MODULE": "tests.settings",
                    "DATABASE_URL": running_database_url(),
                    "REDIS_URL": f"redis://127.0.0.1:{dead}",
                    "CELERY_TASK_ALWAYS_EAGER": "false",
                    "PYTHONPATH": str(ROOT),
                },
            )
        assert result.returncode == 0, result.stderr
        assert float(result.stdout.strip()) < 5 * settings.REDIS_TIMEOUT  # wide: catches hangs
        assert hook.deliveries.get().status == DeliveryStatus.PENDING
        with worker(f"back-{outage}"):
            assert wait_for(lambda: delivered(hook) == 1, timeout=30)
    assert len(tlv.received) == 1
    assert tlv.received[0].verified(hook.secret)["data"]["to_state"] == "in_review"


@pytest.mark.usefixtures("webhooks_broker")
def test_the_sweep_hands_out_what_no_publish_announced(partners):
    with receiver() as tlv:
        hook = services.register(partners.tel_aviv, url=tlv.url, events=ALL)
        with transaction.atomic():
            feed.stop_sharing(partners.tlv_apps[0])
            transaction.get_connection().run_on_commit.clear()  # as if the publish were lost
        with worker("swept"):
            sweep_webhooks.delay()
            assert wait_for(lambda: delivered(hook) == 1, timeout=30)
    assert tlv.received[0].verified(hook.secret)["type"] == "application.removed"
