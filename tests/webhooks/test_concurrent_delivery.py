"""Deliveries by threads at once, outside a transaction, as the worker's threads make them.

In this process, against PostgreSQL, each thread with its own connection: every
endpoint's outcome and its line in the log are written whole, whatever the others do at
the same instant; and an endpoint its partner deletes while a post is on its way ends its
delivery quietly (its deliveries went with it; nothing is left to write the outcome to).
"""

import threading

import pytest
from django.db import connection

from exchanges.partners.webhooks import delivery, services
from exchanges.partners.webhooks.models import (
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from exchanges.services import start_review
from tests.exchanges.conftest import staff_user
from tests.helpers import at_once
from tests.webhooks.receiver import receiver

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("webhooks_broker"),  # no delivery in the change's own thread
]

ENDPOINTS = 6
ALL = [event.value for event in EventType]


def deliver_at_once(hooks: list[WebhookEndpoint]) -> dict[int, str]:
    """Each endpoint delivered by a thread of its own (with its own connection), together."""
    outcomes: dict[int, str] = {}

    def run(hook: WebhookEndpoint) -> None:
        try:
            outcomes[hook.pk] = delivery.deliver(hook.pk)
        finally:
            connection.close()

    at_once(run, [(hook,) for hook in hooks], timeout=60)
    return outcomes


def test_outcomes_answered_at_one_instant_are_each_written_whole(partners, loopback):
    with receiver(together=threading.Barrier(ENDPOINTS)) as partner:
        hooks = [
            services.register(partners.tel_aviv, url=f"{partner.url}/{n}", events=ALL)
            for n in range(ENDPOINTS)
        ]
        start_review(partners.tlv_apps[0], by=staff_user())  # one event, a delivery each

        assert deliver_at_once(hooks) == dict.fromkeys((hook.pk for hook in hooks), "done")

    assert len(partner.received) == ENDPOINTS
    for hook in hooks:
        (sent,) = WebhookDelivery.objects.filter(endpoint=hook)
        assert sent.status == DeliveryStatus.DELIVERED
        assert sent.attempts == 1
        assert sent.last_status == 204
        assert sent.last_error == ""
        assert sent.delivered_at is not None
        assert sent.give_up_at > sent.created_at
        (attempt,) = WebhookAttempt.objects.filter(delivery=sent)
        assert (attempt.endpoint_id, attempt.number, attempt.status_code) == (hook.pk, 1, 204)
        assert attempt.response == ""
        assert attempt.error == ""


def test_an_endpoint_deleted_while_its_post_was_on_its_way_ends_the_delivery_quietly(
    partners, loopback
):

    def delete_the_endpoint(_request) -> None:
        try:
            WebhookEndpoint.objects.filter(pk=hook.pk).delete()
        finally:
            connection.close()  # the receiver's thread's own connection

    with receiver() as partner:
        hook = services.register(partners.tel_aviv, url=partner.url, events=ALL)
        start_review(partners.tlv_apps[0], by=staff_user())
        partner.on_post = delete_the_endpoint

        assert deliver_at_once([hook]) == {hook.pk: "busy"}

    assert len(partner.received) == 1
    assert not WebhookEndpoint.objects.filter(pk=hook.pk).exists()
    assert not WebhookAttempt.objects.filter(endpoint_id=hook.pk).exists()
