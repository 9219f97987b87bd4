"""Events are written with the change that causes them, and arrive signed, in order, retried.

These call the delivery itself (`delivery.deliver`, what the worker's task runs) against a
real HTTP receiver on a loopback port; tests/webhooks/test_worker.py does the same through
real Celery workers.
"""

import datetime
import json

import pytest
from django.db import transaction
from django.utils import timezone

from alliance.mail.models import EmailMessage
from exchanges.models import State
from exchanges.partners import feed
from exchanges.partners.webhooks import delivery, services
from exchanges.partners.webhooks.models import (
    DeliveryStatus,
    DisabledReason,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from exchanges.services import start_review
from tests.api.conftest import auth, submitted
from tests.exchanges.conftest import staff_user
from tests.factories import ContactFactory
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.django_db

ALL = [event.value for event in EventType]


def endpoint_for(organisation, url, events=ALL) -> WebhookEndpoint:
    return services.register(organisation, url=url, events=events)


def test_a_submit_reaches_host_and_co_organiser_signed_as_the_api_shows_it(
    partners, loopback, client
):
    with receiver() as tlv, receiver() as warsaw:
        tlv_hook = endpoint_for(partners.tel_aviv, tlv.url)
        warsaw_hook = endpoint_for(partners.warsaw, warsaw.url)
        paris = endpoint_for(partners.paris, tlv.url)  # another organisation: not told
        application = submitted(partners.tlv_programme, name="Hummus Labs")

        assert delivery.deliver(tlv_hook.pk) == "done"
        assert delivery.deliver(warsaw_hook.pk) == "done"
        assert delivery.deliver(paris.pk) == "busy" or not paris.deliveries.exists()

        (request,) = tlv.received
        event = request.verified(tlv_hook.secret)  # the reference library's verification
        assert event["type"] == "application.submitted"
        assert event["id"] == request.webhook_id
        assert event["version"] == 1
        shown = client.get(
            f"/api/v1/partner/applications/{application.pk}/", **auth(partners.tlv_raw)
        ).json()
        assert event["data"]["application"] == shown
        assert event["data"]["to_state"] == "submitted"
        (other,) = warsaw.received
        assert other.verified(warsaw_hook.secret)["data"]["application"]["id"] == application.pk
        assert other.webhook_id != request.webhook_id  # one event per organisation


def test_each_state_change_and_the_tombstone_come_in_the_order_they_happened(partners, loopback):
    with receiver() as tlv:
        hook = endpoint_for(partners.tel_aviv, tlv.url)
        application = partners.tlv_apps[0]
        start_review(application, by=staff_user())
        feed.stop_sharing(application)
        assert delivery.deliver(hook.pk) == "done"

    events = [request.verified(hook.secret) for request in tlv.received]
    assert [event["type"] for event in events] == [
        "application.state_changed",
        "application.removed",
    ]
    assert events[0]["data"]["from_state"] == State.SUBMITTED
    assert events[0]["data"]["to_state"] == State.IN_REVIEW
    assert events[1]["data"] == {
        "application": {"id": application.pk, "removed": True, "at": events[1]["timestamp"]}
    }


def test_an_endpoint_is_told_only_what_it_chose(partners, loopback):
    hook = endpoint_for(partners.tel_aviv, "http://127.0.0.1:9/hook", ["application.removed"])
    start_review(partners.tlv_apps[0], by=staff_user())
    assert not hook.deliveries.exists()
    feed.stop_sharing(partners.tlv_apps[0])
    assert list(hook.deliveries.values_list("event__type", flat=True)) == ["application.removed"]


def test_a_change_that_rolls_back_takes_its_event_with_it(partners, loopback):
    endpoint_for(partners.tel_aviv, "http://127.0.0.1:9/hook")
    before = WebhookEvent.objects.count()
    written = []

    def review_then_fail():
        with transaction.atomic():
            start_review(partners.tlv_apps[0], by=staff_user())
            written.append(WebhookEvent.objects.count())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        review_then_fail()
    assert written == [before + 1]
    assert WebhookEvent.objects.count() == before


def test_a_failure_holds_back_later_events_until_its_retry_succeeds(partners, loopback, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0, 0]
    with receiver(script=[503, 429]) as tlv:
        hook = endpoint_for(partners.tel_aviv, tlv.url)
        start_review(partners.tlv_apps[0], by=staff_user())
        feed.stop_sharing(partners.tlv_apps[1])

        assert delivery.deliver(hook.pk) == "waiting"  # 503: the removal waits behind it
        assert delivery.deliver(hook.pk) == "waiting"  # 429
        assert delivery.deliver(hook.pk) == "done"

    types = [json.loads(request.body)["type"] for request in tlv.received]
    assert types == [
        "application.state_changed",
        "application.state_changed",
        "application.state_changed",
        "application.removed",
    ]
    first = tlv.received[0].webhook_id
    assert tlv.ids()[:3] == [first] * 3  # the same webhook-id on every retry
    log = list(
        WebhookAttempt.objects.filter(endpoint=hook)
        .order_by("at", "pk")
        .values_list("number", "status_code")
    )
    assert log == [(1, 503), (2, 429), (3, 204), (1, 204)]


def test_the_retry_waits_on_its_row_for_its_time(partners, loopback, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [3600]
    with receiver(script=[500]) as tlv:
        hook = endpoint_for(partners.tel_aviv, tlv.url)
        start_review(partners.tlv_apps[0], by=staff_user())
        before = timezone.now()
        assert delivery.deliver(hook.pk) == "waiting"
        assert delivery.deliver(hook.pk) == "waiting"  # not due: nothing sent
        assert len(tlv.received) == 1
    row = hook.deliveries.get()
    assert row.status == DeliveryStatus.PENDING
    assert row.next_attempt_at >= before + datetime.timedelta(seconds=3590)
    assert delivery.due_endpoints() == []
    assert delivery.due_endpoints(now=row.next_attempt_at) == [hook.pk]


def test_a_refusal_is_final_and_the_next_event_goes(partners, loopback):
    with receiver(script=[400]) as tlv:
        hook = endpoint_for(partners.tel_aviv, tlv.url)
        start_review(partners.tlv_apps[0], by=staff_user())
        start_review(partners.tlv_apps[1], by=staff_user())
        assert delivery.deliver(hook.pk) == "done"
    assert len(tlv.received) == 2
    statuses = list(hook.deliveries.order_by("pk").values_list("status", "last_status"))
    assert statuses == [(DeliveryStatus.FAILED, 400), (DeliveryStatus.DELIVERED, 204)]


def test_a_redirect_is_not_followed_and_is_retried_then_given_up(partners, loopback, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [0]
    with receiver(default=302) as tlv:
        hook = endpoint_for(partners.tel_aviv, tlv.url)
        start_review(partners.tlv_apps[0], by=staff_user())
        assert delivery.deliver(hook.pk) == "waiting"
        assert delivery.deliver(hook.pk) == "done"
    assert len(tlv.received) == 2  # and nothing went to the Location
    row = hook.deliveries.get()
    assert (row.status, row.attempts, row.last_status) == (DeliveryStatus.FAILED, 2, 302)
    assert "redirect" in row.last_error


def test_during_a_rotation_both_secrets_sign(partners, loopback):
    with receiver() as tlv:
        hook = endpoint_for(partners.tel_aviv, tlv.url)
        old = hook.secret
        hook = services.rotate_secret(hook)
        start_review(partners.tlv_apps[0], by=staff_user())
        delivery.deliver(hook.pk)
    (request,) = tlv.received
    assert request.headers["webhook-signature"].count("v1,") == 2
    request.verified(old)
    request.verified(hook.secret)


def test_an_endpoint_failing_for_days_is_disabled_and_its_people_told(partners, loopback, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [0]
    ContactFactory(organisation=partners.tel_aviv, email="ops@tel-aviv.example", language="en")
    with receiver(default=503) as tlv:
        hook = endpoint_for(partners.tel_aviv, tlv.url)
        WebhookEndpoint.objects.filter(pk=hook.pk).update(
            failing_since=timezone.now() - datetime.timedelta(days=5, minutes=1)
        )
        start_review(partners.tlv_apps[0], by=staff_user())
        assert delivery.deliver(hook.pk) == "waiting"
    hook.refresh_from_db()
    assert (hook.enabled, hook.disabled_reason) == (False, DisabledReason.FAILING)
    assert WebhookDelivery.objects.filter(endpoint=hook, status=DeliveryStatus.PENDING).exists()
    told = set(
        EmailMessage.objects.filter(template_key="exchanges/email/webhook_disabled").values_list(
            "recipient", flat=True
        )
    )
    assert "ops@tel-aviv.example" in told
    assert set(settings.STAFF_INBOX) <= told
    assert delivery.deliver(hook.pk) == "busy"  # disabled: nothing more is sent


def test_redelivery_sends_the_same_event_again(partners, loopback):
    with receiver() as tlv:
        hook = endpoint_for(partners.tel_aviv, tlv.url)
        start_review(partners.tlv_apps[0], by=staff_user())
        delivery.deliver(hook.pk)
        event_id = tlv.received[0].webhook_id
        assert services.redeliver_event(hook, event_id) == 1
        delivery.deliver(hook.pk)
    assert tlv.ids() == [event_id, event_id]
    assert tlv.received[0].body == tlv.received[1].body
