"""The webhooks' admin: endpoints staff disable and enable, their delivery log, redelivery.

Rows are written with the models. Enabling and redelivering publish a delivery task after
the commit: these tests run inside one transaction that never commits, and where the
publish matters they capture it (`django_capture_on_commit_callbacks(execute=False)`), so
nothing is ever sent.
"""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exchanges.partners.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from exchanges.partners.webhooks.models import DeliveryStatus, DisabledReason
from tests.factories import OrganisationFactory, UserFactory
from tests.helpers import count_queries, text_of

pytestmark = pytest.mark.django_db

ENDPOINTS = reverse("admin:partners_webhookendpoint_changelist")
DELIVERIES = reverse("admin:partners_webhookdelivery_changelist")
ROOT = "root@berlin-partner.example"
URL = "https://partner.example.com/hook?token=tok-hidden-4711"
SHOWN_URL = "https://partner.example.com/hook"
# 2026-03-05 13:00 UTC is 14:00 in Berlin (CET).
NOON = datetime.datetime(2026, 3, 5, 13, 0, tzinfo=datetime.UTC)
NO_CODE = "\N{EN DASH}"  # the log's status code of an attempt without an answer


@pytest.fixture
def root(client):
    client.force_login(UserFactory(email=ROOT, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Paris&Co")


def make_endpoint(organisation, **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        organisation=organisation,
        url=fields.pop("url", URL),
        events=fields.pop("events", ["application.submitted", "application.state_changed"]),
        **fields,
    )


def make_delivery(endpoint, status=DeliveryStatus.FAILED, *, at=NOON, **fields):
    event = WebhookEvent.objects.create(
        organisation=endpoint.organisation,
        type="application.submitted",
        body='{"data": {"name": "Secret Start-up"}}',
        created_at=at,
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=event,
        status=status,
        attempts=fields.pop("attempts", 8 if status == DeliveryStatus.FAILED else 0),
        next_attempt_at=at,
        give_up_at=at + datetime.timedelta(days=1),
        created_at=at,
        **fields,
    )


def make_attempts(delivery, count: int, *, start=NOON) -> list[WebhookAttempt]:
    return [
        WebhookAttempt.objects.create(
            delivery=delivery,
            endpoint=delivery.endpoint,
            number=number,
            at=start + datetime.timedelta(minutes=number),
            status_code=503,
            duration_ms=120 + number,
            response=f"<h1>Service unavailable {number}</h1>",
        )
        for number in range(1, count + 1)
    ]


def entries_of(endpoint) -> list[tuple]:
    """(action, person, changes) of the endpoint's audit entries after its creation."""
    return [
        (entry.get_action_display(), entry.actor.email if entry.actor else None, entry.changes)
        for entry in LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(WebhookEndpoint),
            object_pk=str(endpoint.pk),
        )
        .exclude(action=LogEntry.Action.CREATE)
        .order_by("timestamp", "pk")
    ]


def change_url(endpoint) -> str:
    return reverse("admin:partners_webhookendpoint_change", args=[endpoint.pk])


def act(client, url: str, action: str, objects, **data):
    return client.post(
        url,
        {"action": action, "_selected_action": [obj.pk for obj in objects], **data},
        follow=True,
    )


# The list and the page


def test_the_list_shows_each_endpoint_with_its_url_without_the_query(root, organisation):
    endpoint = make_endpoint(organisation)
    make_attempts(make_delivery(endpoint), 2)

    response = root.get(ENDPOINTS)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="{change_url(endpoint)}">{SHOWN_URL}</a>' in html
    # Organisation, URL, events, enabled (an icon), why disabled, failing since, last delivery
    # (Berlin time).
    assert (
        f"Paris&Co {SHOWN_URL} application.submitted, application.state_changed - - "
        "HTTP 503, 2026-03-05 14:02 Pagination"
    ) in text_of(response)
    assert 'alt="True"' in html
    assert endpoint.secret not in html


def test_the_change_page_shows_the_delivery_log_in_berlin_time_and_never_the_secret(
    root, organisation
):
    endpoint = make_endpoint(
        organisation, previous_secret="whsec_b2xkIHNlY3JldCBvZiB0aGUgcGFydG5lcg=="
    )
    failed = make_delivery(endpoint)
    make_attempts(failed, 2)
    WebhookAttempt.objects.create(
        delivery=failed,
        endpoint=endpoint,
        number=3,
        at=NOON + datetime.timedelta(hours=1),
        duration_ms=5000,
        error="timed out after 5 s",
    )
    make_delivery(endpoint, DeliveryStatus.PENDING)
    make_delivery(endpoint, DeliveryStatus.PENDING)
    make_delivery(endpoint, DeliveryStatus.DELIVERED)

    response = root.get(change_url(endpoint))

    html = response.content.decode()
    text = text_of(response)
    assert response.status_code == 200
    assert endpoint.secret not in html
    assert endpoint.previous_secret not in html
    assert 'name="secret"' not in html
    assert 'name="url"' not in html  # the partner's URL is not staff's to change
    assert 'name="description"' in html
    assert 'name="enabled"' in html
    assert f"URL: {SHOWN_URL} Description:" in text
    assert "2 waiting to be sent , 1 failed (given up) , all deliveries" in text
    assert "Delivery log: the latest 50 attempts" in text
    event_id = failed.event.public_id
    assert (
        f"2026-03-05 15:00:00 {event_id} application.submitted 3 {NO_CODE} 5000 timed out after 5 s"
        in text
    )
    assert (
        f"2026-03-05 14:02:00 {event_id} application.submitted 2 503 122 "
        "<h1>Service unavailable 2</h1>"
    ) in text
    assert "&lt;h1&gt;Service unavailable 1&lt;/h1&gt;" in html  # the answer is escaped
    assert "Secret Start-up" not in html  # the event's body is not shown


def test_the_change_page_reads_its_log_in_the_same_queries_for_1_or_20_attempts(root, organisation):
    endpoint = make_endpoint(organisation)
    delivery = make_delivery(endpoint)
    make_attempts(delivery, 1)

    root.get(change_url(endpoint))  # viewed before: the session and its user come from the cache
    with_one = count_queries(root, change_url(endpoint))
    make_attempts(make_delivery(endpoint), 19, start=NOON + datetime.timedelta(hours=1))
    with_twenty = count_queries(root, change_url(endpoint))

    # The endpoint, its latest attempts (with their events), the counts of its waiting and
    # of its failed deliveries.
    assert (with_one, with_twenty) == (4, 4)
    assert WebhookAttempt.objects.count() == 20


def test_the_endpoint_list_makes_the_same_queries_for_1_or_5_endpoints(root):
    make_attempts(make_delivery(make_endpoint(OrganisationFactory())), 1)

    root.get(ENDPOINTS)  # viewed before: the session and its user come from the cache
    with_one = count_queries(root, ENDPOINTS)
    for _ in range(4):
        make_attempts(make_delivery(make_endpoint(OrganisationFactory())), 2)
    with_five = count_queries(root, ENDPOINTS)

    # The organisations of the filter, Django's two counts of the (small) endpoint table, the
    # page with each endpoint's last attempt.
    assert (with_one, with_five) == (4, 4)


def test_the_endpoint_search_finds_the_shown_url_and_the_organisation_not_the_query(
    root, organisation
):
    endpoint = make_endpoint(organisation)
    make_endpoint(OrganisationFactory(name="Tel Aviv Hub"), url="https://hub.example.org/in")

    def found(term: str) -> list[int]:
        response = root.get(ENDPOINTS, {"q": term})
        assert response.status_code == 200
        return [row.pk for row in response.context["cl"].result_list]

    assert found("partner.example.com/ho") == [endpoint.pk]
    assert found("paris&co") == [endpoint.pk]
    assert found("tok-hidden") == []
    assert found("token=") == []
    assert found(".*") == []  # a term, never a pattern


# Disabling and enabling


def test_the_disable_action_disables_through_the_service_and_is_audited(root, organisation):
    endpoint = make_endpoint(organisation)

    response = act(root, ENDPOINTS, "disable_endpoints", [endpoint])

    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DisabledReason.STAFF)
    assert endpoint.disabled_at is not None
    assert "1 endpoint disabled: nothing is sent to it until it is enabled again." in text_of(
        response
    )
    [(action, person, changes)] = entries_of(endpoint)
    assert (action, person) == ("update", ROOT)
    assert set(changes) == {"enabled", "disabled_reason", "disabled_at"}
    assert (changes["enabled"], changes["disabled_reason"]) == (["True", "False"], ["", "staff"])


def test_disabling_a_disabled_endpoint_changes_and_logs_nothing(root, organisation):
    endpoint = make_endpoint(
        organisation, enabled=False, disabled_reason=DisabledReason.FAILING, disabled_at=NOON
    )

    response = act(root, ENDPOINTS, "disable_endpoints", [endpoint])

    endpoint.refresh_from_db()
    assert (endpoint.disabled_reason, endpoint.disabled_at) == (DisabledReason.FAILING, NOON)
    assert "The selected endpoints were disabled already." in text_of(response)
    assert entries_of(endpoint) == []


def test_the_enable_action_enables_queues_delivery_and_is_audited(
    root, organisation, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(
        organisation,
        enabled=False,
        disabled_reason=DisabledReason.FAILING,
        disabled_at=NOON,
        failing_since=NOON - datetime.timedelta(days=5),
    )

    with django_capture_on_commit_callbacks(execute=False) as published:
        response = act(root, ENDPOINTS, "enable_endpoints", [endpoint])

    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at) == (True, "", None)
    assert endpoint.failing_since is None
    assert [(batch.task.name, batch.ids) for batch in published] == [
        ("partners.deliver_endpoints", [endpoint.pk])
    ]
    assert "1 endpoint enabled: what waited for it is sent first, in order." in text_of(response)
    [(action, person, changes)] = entries_of(endpoint)
    assert (action, person) == ("update", ROOT)
    assert (changes["enabled"], changes["disabled_reason"]) == (["False", "True"], ["failing", ""])
    assert changes["disabled_at"][1] == "None"
    assert "failing_since" not in changes


def test_staff_do_not_enable_what_the_partner_disabled(
    root, organisation, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(
        organisation, enabled=False, disabled_reason=DisabledReason.PARTNER, disabled_at=NOON
    )

    with django_capture_on_commit_callbacks(execute=False) as published:
        response = act(root, ENDPOINTS, "enable_endpoints", [endpoint])
        page = root.post(change_url(endpoint), {"description": "", "enabled": "on"}, follow=True)

    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DisabledReason.PARTNER)
    assert published == []
    assert (
        "Not enabled, because the partner disabled it (the partner enables it again through "
        f"the API): Paris&Co: {SHOWN_URL}"
    ) in text_of(response)
    assert "The partner disabled it and enables it again through the API." in text_of(page)
    assert entries_of(endpoint) == []


def test_the_change_page_saves_the_description_and_disables_through_the_service(root, organisation):
    endpoint = make_endpoint(organisation, description="Their CRM")

    response = root.post(
        change_url(endpoint),
        {"description": "Their CRM, since March", "url": "https://elsewhere.example/"},
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.url) == ("Their CRM, since March", URL)
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DisabledReason.STAFF)
    description, disabled = entries_of(endpoint)
    assert description[:2] == ("update", ROOT)
    assert description[2]["description"] == ["Their CRM", "Their CRM, since March"]
    assert disabled[:2] == ("update", ROOT)
    assert disabled[2]["enabled"] == ["True", "False"]


# Redelivery


def test_redelivering_since_first_asks_for_the_time(root, organisation):
    endpoint = make_endpoint(organisation)
    failed = make_delivery(endpoint)

    response = act(root, ENDPOINTS, "redeliver_failed_since", [endpoint])

    text = text_of(response)
    assert response.status_code == 200
    assert "Redeliver failed events: 1 endpoint" in text
    assert f"Paris&Co: {SHOWN_URL}" in text
    assert 'name="since"' in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 8)


@pytest.mark.parametrize(
    ("since", "error"),
    [
        ("", "This field is required."),
        ("yesterday", "Enter a valid date/time."),
        ("2026-02-30T10:00", "Enter a valid date/time."),
        ("2999-01-01T00:00", "Choose a time that has passed."),
        ("1999-12-31T23:59", "Choose a time from the year 2000 on."),
    ],
)
def test_redelivering_since_refuses_a_bad_time_and_changes_nothing(
    root, organisation, since, error, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(organisation)
    failed = make_delivery(endpoint)

    with django_capture_on_commit_callbacks(execute=False) as published:
        response = act(
            root, ENDPOINTS, "redeliver_failed_since", [endpoint], post="yes", since=since
        )

    assert response.status_code == 200
    assert error in text_of(response)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 8)
    assert published == []
    assert entries_of(endpoint) == []


def test_redelivering_since_a_berlin_time_queues_the_failed_events_again_with_their_ids(
    root, organisation, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(organisation)
    minute = datetime.timedelta(minutes=1)
    before = make_delivery(endpoint, at=NOON - minute)
    at_the_time = make_delivery(endpoint, at=NOON, last_status=503, last_error="HTTP 503")
    later = make_delivery(endpoint, at=NOON + minute)
    delivered = make_delivery(endpoint, DeliveryStatus.DELIVERED, at=NOON + minute, attempts=1)
    queued = make_delivery(endpoint, DeliveryStatus.PENDING, at=NOON + minute, attempts=2)
    event_ids = {d.pk: d.event.public_id for d in (at_the_time, later)}
    started = timezone.now()

    with django_capture_on_commit_callbacks(execute=False) as published:
        response = root.post(
            ENDPOINTS,
            {
                "action": "redeliver_failed_since",
                "_selected_action": [endpoint.pk],
                "post": "yes",
                "since": "2026-03-05T14:00",  # Berlin time: 13:00 UTC
                "return_to_change": "1",
            },
            follow=True,
        )

    assert response.redirect_chain == [(change_url(endpoint), 302)]
    assert "2 deliveries are queued again, each with its webhook-id." in text_of(response)
    states = {
        d.pk: (d.status, d.attempts, d.event.public_id)
        for d in WebhookDelivery.objects.select_related("event")
    }
    assert states == {
        before.pk: (DeliveryStatus.FAILED, 8, before.event.public_id),
        at_the_time.pk: (DeliveryStatus.PENDING, 0, event_ids[at_the_time.pk]),
        later.pk: (DeliveryStatus.PENDING, 0, event_ids[later.pk]),
        delivered.pk: (DeliveryStatus.DELIVERED, 1, delivered.event.public_id),
        queued.pk: (DeliveryStatus.PENDING, 2, queued.event.public_id),
    }
    again = WebhookDelivery.objects.get(pk=at_the_time.pk)
    assert started <= again.next_attempt_at <= timezone.now()
    assert again.give_up_at > started + datetime.timedelta(hours=24)
    assert [(batch.task.name, batch.ids) for batch in published] == [
        ("partners.deliver_endpoints", [endpoint.pk])
    ]
    assert entries_of(endpoint) == [
        (
            "update",
            ROOT,
            {"redelivered": ["", "2 failed events queued since 2026-03-05 14:00 (Europe/Berlin)"]},
        )
    ]


def test_redelivering_since_for_a_disabled_endpoint_says_the_events_wait(root, organisation):
    endpoint = make_endpoint(
        organisation, enabled=False, disabled_reason=DisabledReason.STAFF, disabled_at=NOON
    )
    failed = make_delivery(endpoint)

    response = act(
        root,
        ENDPOINTS,
        "redeliver_failed_since",
        [endpoint],
        post="yes",
        since="2026-03-05T10:00",
    )

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.PENDING, 0)
    assert (
        "These endpoints are disabled, so their deliveries wait until they are enabled again: "
        f"Paris&Co: {SHOWN_URL}"
    ) in text_of(response)


def test_deliver_again_queues_the_chosen_deliveries_and_leaves_queued_ones(
    root, organisation, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(organisation)
    delivered = make_delivery(
        endpoint, DeliveryStatus.DELIVERED, attempts=1, delivered_at=NOON, last_status=200
    )
    queued = make_delivery(endpoint, DeliveryStatus.PENDING, attempts=3)
    untouched = make_delivery(endpoint)

    with django_capture_on_commit_callbacks(execute=False) as published:
        response = act(root, DELIVERIES, "deliver_again", [delivered, queued])

    text = text_of(response)
    assert "1 delivery is queued again, with its webhook-id." in text
    assert "1 delivery is still queued and was left as it is." in text
    delivered.refresh_from_db()
    queued.refresh_from_db()
    untouched.refresh_from_db()
    assert (delivered.status, delivered.attempts, delivered.delivered_at) == (
        DeliveryStatus.PENDING,
        0,
        None,
    )
    assert (queued.status, queued.attempts) == (DeliveryStatus.PENDING, 3)
    assert (untouched.status, untouched.attempts) == (DeliveryStatus.FAILED, 8)
    assert len(published) == 1
    assert entries_of(endpoint) == [
        ("update", ROOT, {"redelivered": ["", f"events {delivered.event.public_id}"]})
    ]


def test_the_delivery_page_offers_deliver_again(root, organisation):
    delivery = make_delivery(make_endpoint(organisation))

    response = root.get(reverse("admin:partners_webhookdelivery_change", args=[delivery.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="deliver_again">Deliver again</option>' in html
    assert delivery.event.public_id in html
    assert "Secret Start-up" not in html
    assert delivery.endpoint.secret not in html


# The list of deliveries


def test_the_delivery_list_filters_by_endpoint_status_and_event_id_and_never_counts(
    root, organisation
):
    endpoint = make_endpoint(organisation)
    other = make_endpoint(OrganisationFactory(name="Tel Aviv Hub"), url="https://hub.example/in")
    failed = make_delivery(endpoint)
    make_delivery(endpoint, DeliveryStatus.DELIVERED)
    make_delivery(other)

    def listed(**query) -> list[int]:
        with CaptureQueriesContext(connection) as queries:
            response = root.get(DELIVERIES, query)
        assert response.status_code == 200
        counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        assert [sql for sql in counting if "webhookdelivery" in sql] == []
        return [row.pk for row in response.context["cl"].result_list]

    assert listed(endpoint=endpoint.pk, status__exact="failed") == [failed.pk]
    assert listed(q=failed.event.public_id) == [failed.pk]
    assert listed(q=failed.event.public_id.upper()) == []  # ids are exact
    assert listed(endpoint="99999999999999999999") == []
    assert len(listed()) == 3


def test_the_delivery_list_shows_the_endpoint_without_its_query_and_not_the_body(
    root, organisation
):
    delivery = make_delivery(make_endpoint(organisation))

    response = root.get(DELIVERIES)

    html = response.content.decode()
    assert f"Paris&amp;Co: {SHOWN_URL}</a>" in html
    assert "tok-hidden-4711" not in html
    assert "Secret Start-up" not in html
    assert delivery.event.public_id in html


def test_the_delivery_list_makes_the_same_queries_for_1_or_10_deliveries(root, organisation):
    endpoint = make_endpoint(organisation)
    make_delivery(endpoint)

    root.get(DELIVERIES)  # viewed before: the session and its user come from the cache
    with_one = count_queries(root, DELIVERIES)
    for _ in range(9):
        make_delivery(make_endpoint(OrganisationFactory()))
    with_ten = count_queries(root, DELIVERIES)

    # The endpoints of the filter, the page (no count).
    assert (with_one, with_ten) == (2, 2)
