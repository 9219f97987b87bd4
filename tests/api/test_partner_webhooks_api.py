"""The webhook endpoints at the partner API: registered, changed, rotated, tested, redelivered,
and their delivery log, each organisation's own only; bad input is a 400 problem."""

import datetime
import json

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.audit.history import person_of
from exchanges.partners.webhooks import services
from exchanges.partners.webhooks.models import (
    DeliveryStatus,
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from tests.api.conftest import auth, make_endpoint

WEBHOOKS = "/api/v1/partner/webhooks/"
URL = "https://hooks.tel-aviv.example/start-alliance"
FIELDS = [
    "id",
    "url",
    "description",
    "events",
    "enabled",
    "disabled_reason",
    "disabled_at",
    "failing_since",
    "created_at",
    "updated_at",
]


def iso(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def shown(endpoint: WebhookEndpoint) -> dict:
    endpoint.refresh_from_db()
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason or None,
        "disabled_at": iso(endpoint.disabled_at),
        "failing_since": iso(endpoint.failing_since),
        "created_at": iso(endpoint.created_at),
        "updated_at": iso(endpoint.updated_at),
    }


def post(client, raw: str, path: str, body=None):
    return client.post(
        path, json.dumps(body) if body is not None else "", "application/json", **auth(raw)
    )


def patch(client, raw: str, path: str, body):
    return client.patch(path, json.dumps(body), "application/json", **auth(raw))


def field_errors(response) -> list[str]:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    return sorted({error["field"] or "" for error in response.json()["errors"]})


@pytest.fixture
def hooks(partners):
    """Tel Aviv's endpoint (every event) and Paris's."""
    partners.tlv_hook = make_endpoint(partners.tel_aviv, description="CRM")
    partners.paris_hook = make_endpoint(partners.paris, events=["application.submitted"])
    return partners


def logged(
    endpoint: WebhookEndpoint, *, at: datetime.datetime, status=DeliveryStatus.FAILED, tries=1
):
    """An event delivered to `endpoint` (one of its tests) with `tries` attempts, at `at`."""
    event = services.send_test(endpoint)
    WebhookEvent.objects.filter(pk=event.pk).update(created_at=at)
    delivery = WebhookDelivery.objects.get(event=event, endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, attempts=tries, created_at=at, last_status=500, last_error="HTTP 500"
    )
    for number in range(1, tries + 1):
        WebhookAttempt.objects.create(
            delivery=delivery,
            endpoint=endpoint,
            number=number,
            at=at + datetime.timedelta(minutes=number),
            status_code=500,
            duration_ms=12 * number,
            response="oops",
            error="HTTP 500",
        )
    return event


# Registering.


def test_registering_shows_the_secret_once(client, partners):
    response = post(
        client,
        partners.tlv_raw,
        WEBHOOKS,
        {"url": URL, "events": ["application.submitted", "recommendation.changed"]},
    )

    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.organisation, endpoint.url, endpoint.events, endpoint.description) == (
        partners.tel_aviv,
        URL,
        ["application.submitted", "recommendation.changed"],
        "",
    )
    assert response.json() == {**shown(endpoint), "secret": endpoint.secret}
    assert endpoint.secret.startswith("whsec_")
    listed = client.get(WEBHOOKS, **auth(partners.tlv_raw)).json()
    detail = client.get(f"{WEBHOOKS}{endpoint.pk}/", **auth(partners.tlv_raw)).json()
    assert listed == {"results": [shown(endpoint)]}
    assert detail == shown(endpoint)
    assert endpoint.secret not in json.dumps([listed, detail])


def test_every_write_is_audited_naming_the_key_never_the_secret(client, partners):
    response = post(
        client, partners.tlv_raw, WEBHOOKS, {"url": URL, "events": ["application.submitted"]}
    )
    path = f"{WEBHOOKS}{response.json()['id']}/"
    patch(client, partners.tlv_raw, path, {"description": "CRM"})
    rotated = post(client, partners.tlv_raw, f"{path}rotate-secret/").json()
    client.delete(path, **auth(partners.tlv_raw))

    found = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(WebhookEndpoint),
        object_pk=str(response.json()["id"]),
    ).order_by("pk")
    # The rotation changes only fields the audit leaves out (the secrets): its own entry.
    assert [entry.action for entry in found] == [
        LogEntry.Action.CREATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.UPDATE,
        LogEntry.Action.DELETE,
    ]
    assert found[2].changes == {"signing secret": ["", "rotated"]}
    assert {person_of(entry) for entry in found} == {"partner API key “tel-aviv-global key”"}
    assert {entry.actor for entry in found} == {None}
    assert [entry.additional_data for entry in found] == [
        {
            "partner_key": partners.tlv_key.pk,
            "partner_key_name": "tel-aviv-global key",
            "organisation": partners.tel_aviv.pk,
        }
    ] * 4
    written = json.dumps([entry.changes for entry in found])
    assert response.json()["secret"] not in written
    assert rotated["secret"] not in written


def test_the_same_event_twice_is_chosen_once(client, partners):
    response = post(
        client,
        partners.tlv_raw,
        WEBHOOKS,
        {"url": URL, "events": ["application.removed", "application.removed"], "description": "x"},
    )

    assert response.status_code == 201
    assert response.json()["events"] == ["application.removed"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"url": "ftp://hooks.example.com/", "events": ["application.submitted"]}, ["url"]),
        ({"url": "https://10.0.0.7/hook", "events": ["application.submitted"]}, ["url"]),
        ({"url": "https://169.254.169.254/latest", "events": ["application.submitted"]}, ["url"]),
        (
            {"url": "https://user:pw@hooks.example.com/", "events": ["application.submitted"]},
            ["url"],
        ),
        ({"url": "https://hooks.example.com/a b", "events": ["application.submitted"]}, ["url"]),
        ({"url": "https://hooks.example.com/\x00", "events": ["application.submitted"]}, ["url"]),
        ({"url": "https://x.example/" + "a" * 500, "events": ["application.submitted"]}, ["url"]),
        ({"url": "not a url", "events": ["application.submitted"]}, ["url"]),
        ({"url": 7, "events": ["application.submitted"]}, ["url"]),
        ({"url": URL, "events": []}, ["events"]),
        ({"url": URL, "events": ["application.eaten"]}, ["events.0"]),
        ({"url": URL, "events": ["webhook.test"]}, ["events.0"]),
        ({"url": URL, "events": "application.submitted"}, ["events"]),
        ({"url": URL, "events": ["application.submitted"] * 1000}, ["events"]),
        ({"url": URL, "events": ["application.submitted"], "description": "\x00"}, ["description"]),
        ({"url": URL, "events": ["application.submitted"], "description": 0}, ["description"]),
        ({"url": URL, "events": ["application.submitted"], "description": None}, ["description"]),
        (
            {"url": URL, "events": ["application.submitted"], "description": "d" * 201},
            ["description"],
        ),
        ({"events": ["application.submitted"]}, ["url"]),
        ({"url": URL}, ["events"]),
        ([URL], ["non_field_errors"]),
    ],
)
def test_a_bad_registration_is_a_400_with_field_errors(client, partners, body, fields):
    response = post(client, partners.tlv_raw, WEBHOOKS, body)

    assert field_errors(response) == fields
    assert response.json()["type"] == "urn:start-alliance:problem:invalid"
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/",  # even where the settings allow http (staff, in the admin)
        "https://127.0.0.1:8080/",
        "https://localhost/hook",
        "https://hooks.example.com/\n",
    ],
)
def test_the_api_takes_only_https_urls_of_host_names(client, partners, settings, url):
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_LOOPBACK = True

    response = post(
        client, partners.tlv_raw, WEBHOOKS, {"url": url, "events": ["application.submitted"]}
    )

    assert response.json()["errors"] == [
        {
            "field": "url",
            "detail": "An https:// URL of a host name (an optional port, path, query).",
        }
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com",
        "https://HOOKS.Example.COM:8443/a/b;c?token=x&y=%20",
        "https://a.b.c.example:65535/",
        "https://xn--bcher-kva.example/",
    ],
)
def test_urls_of_the_documented_form_are_taken(client, partners, url):
    response = post(
        client, partners.tlv_raw, WEBHOOKS, {"url": url, "events": ["application.submitted"]}
    )

    assert response.status_code == 201
    assert WebhookEndpoint.objects.get().url == url


@pytest.mark.parametrize("path", ["", "1/", "1/redeliver/"])
def test_options_is_a_405(client, partners, path):
    make_endpoint(partners.tel_aviv)

    response = client.options(f"{WEBHOOKS}{path}", **auth(partners.tlv_raw))

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_malformed_json_is_a_400_problem(client, partners):
    response = client.post(WEBHOOKS, "{", "application/json", **auth(partners.tlv_raw))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert not WebhookEndpoint.objects.exists()


def test_an_organisation_has_at_most_ten_endpoints_then_a_409(client, partners):
    for number in range(10):
        make_endpoint(partners.tel_aviv, url=f"https://hooks.example.com/{number}")
    make_endpoint(partners.paris)  # another organisation's count for nothing here

    response = post(
        client, partners.tlv_raw, WEBHOOKS, {"url": URL, "events": ["application.submitted"]}
    )

    assert response.status_code == 409
    assert response.json() == {
        "type": "urn:start-alliance:problem:too-many-endpoints",
        "title": "Conflict",
        "status": 409,
        "detail": "An organisation has at most 10 webhook endpoints: delete one first.",
    }
    assert WebhookEndpoint.objects.filter(organisation=partners.tel_aviv).count() == 10


def test_the_limit_is_a_setting(client, partners, settings):
    settings.WEBHOOK_MAX_ENDPOINTS = 1
    make_endpoint(partners.tel_aviv)

    response = post(
        client, partners.tlv_raw, WEBHOOKS, {"url": URL, "events": ["application.submitted"]}
    )

    assert response.status_code == 409


# Reading.


def test_the_list_is_the_organisations_own_in_order(client, hooks):
    second = make_endpoint(hooks.tel_aviv, url=URL)

    tel_aviv = client.get(WEBHOOKS, **auth(hooks.tlv_raw))
    paris = client.get(WEBHOOKS, **auth(hooks.paris_raw))
    warsaw = client.get(WEBHOOKS, **auth(hooks.warsaw_raw))

    assert tel_aviv.json() == {"results": [shown(hooks.tlv_hook), shown(second)]}
    assert paris.json() == {"results": [shown(hooks.paris_hook)]}
    assert warsaw.json() == {"results": []}
    assert tel_aviv["Cache-Control"] == "private, no-cache"


def queries(client, raw: str, path: str) -> int:
    """The queries of a GET of `path` (the key's use already noted by one before)."""
    assert client.get(path, **auth(raw)).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **auth(raw))
    assert response.status_code == 200
    return len(captured)


def test_the_lists_query_count_does_not_grow_with_rows(client, hooks):
    one = queries(client, hooks.tlv_raw, WEBHOOKS)
    for number in range(5):
        make_endpoint(hooks.tel_aviv, url=f"https://hooks.example.com/{number}")

    assert queries(client, hooks.tlv_raw, WEBHOOKS) == one


def test_another_organisations_endpoint_is_the_same_404_as_none(client, hooks):
    theirs = client.get(f"{WEBHOOKS}{hooks.paris_hook.pk}/", **auth(hooks.tlv_raw))
    missing = client.get(f"{WEBHOOKS}999999999/", **auth(hooks.tlv_raw))
    huge = client.get(f"{WEBHOOKS}{10**30}/", **auth(hooks.tlv_raw))

    assert theirs.status_code == missing.status_code == huge.status_code == 404
    assert theirs.json() == missing.json() == huge.json()


# Changing.


def test_a_change_changes_what_it_names(client, hooks):
    endpoint = hooks.tlv_hook
    new_url = "https://crm.tel-aviv.example/hooks"

    response = patch(
        client,
        hooks.tlv_raw,
        f"{WEBHOOKS}{endpoint.pk}/",
        {"url": new_url, "events": ["application.removed"]},
    )

    assert response.status_code == 200
    assert response.json() == shown(endpoint)
    assert (endpoint.url, endpoint.events, endpoint.description) == (
        new_url,
        ["application.removed"],
        "CRM",
    )


def test_disabling_and_enabling_by_key(client, hooks):
    endpoint = hooks.tlv_hook
    path = f"{WEBHOOKS}{endpoint.pk}/"

    disabled = patch(client, hooks.tlv_raw, path, {"enabled": False}).json()
    endpoint.refresh_from_db()
    assert (disabled["enabled"], disabled["disabled_reason"]) == (False, "partner")
    assert disabled["disabled_at"] == iso(endpoint.disabled_at)

    enabled = patch(client, hooks.tlv_raw, path, {"enabled": True}).json()
    assert (enabled["enabled"], enabled["disabled_reason"], enabled["disabled_at"]) == (
        True,
        None,
        None,
    )


def test_an_endpoint_disabled_by_staff_stays_disabled(client, hooks):
    endpoint = hooks.tlv_hook
    services.disable(endpoint, reason=DisabledReason.STAFF)

    response = patch(client, hooks.tlv_raw, f"{WEBHOOKS}{endpoint.pk}/", {"enabled": True})

    assert response.status_code == 409
    assert response.json()["type"] == "urn:start-alliance:problem:disabled-by-staff"
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DisabledReason.STAFF)


def test_only_staff_enable_an_endpoint_staff_disabled_whoever_asks(hooks):
    endpoint = hooks.tlv_hook
    services.disable(endpoint, reason=DisabledReason.STAFF)

    with pytest.raises(services.DisabledByStaffError):
        services.change(endpoint, enabled=True)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).enabled is False
    services.change(endpoint, enabled=True, by_staff=True)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).enabled is True


def test_the_limit_holds_in_the_services_too(partners, settings):
    settings.WEBHOOK_MAX_ENDPOINTS = 2
    services.register(partners.tel_aviv, url=URL, events=["application.submitted"])
    services.register(partners.tel_aviv, url=URL, events=["application.submitted"])

    with pytest.raises(services.TooManyEndpointsError):
        services.register(partners.tel_aviv, url=URL, events=["application.submitted"])
    assert WebhookEndpoint.objects.filter(organisation=partners.tel_aviv).count() == 2


def test_an_endpoint_that_kept_failing_is_enabled_again_by_key(client, hooks):
    endpoint = hooks.tlv_hook
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now())
    services.disable(endpoint, reason=DisabledReason.FAILING)

    response = patch(client, hooks.tlv_raw, f"{WEBHOOKS}{endpoint.pk}/", {"enabled": True})

    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["failing_since"]) == (True, None)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"url": "https://127.0.0.1.nip.io:99999/"}, ["url"]),
        ({"url": "https://192.168.1.1/"}, ["url"]),
        ({"events": []}, ["events"]),
        ({"events": ["everything"]}, ["events.0"]),
        ({"description": "\x00"}, ["description"]),
        ({"enabled": "perhaps"}, ["enabled"]),
        ({"enabled": 0}, ["enabled"]),
        ({"enabled": "true"}, ["enabled"]),
        ({"description": ["CRM"]}, ["description"]),
        ({"url": None}, ["url"]),
    ],
)
def test_a_bad_change_is_a_400_and_changes_nothing(client, hooks, body, fields):
    before = shown(hooks.tlv_hook)

    response = patch(client, hooks.tlv_raw, f"{WEBHOOKS}{hooks.tlv_hook.pk}/", body)

    assert field_errors(response) == fields
    assert shown(hooks.tlv_hook) == before


def test_an_empty_change_changes_nothing(client, hooks):
    before = shown(hooks.tlv_hook)

    response = patch(client, hooks.tlv_raw, f"{WEBHOOKS}{hooks.tlv_hook.pk}/", {})

    assert response.status_code == 200
    assert response.json() == before == shown(hooks.tlv_hook)


def test_another_organisations_endpoint_is_not_changed_nor_deleted(client, hooks):
    path = f"{WEBHOOKS}{hooks.paris_hook.pk}/"
    before = shown(hooks.paris_hook)

    changed = patch(client, hooks.tlv_raw, path, {"description": "mine now"})
    deleted = client.delete(path, **auth(hooks.tlv_raw))

    assert (changed.status_code, deleted.status_code) == (404, 404)
    assert shown(hooks.paris_hook) == before


def test_deleting_takes_the_log_with_it(client, hooks):
    endpoint = hooks.tlv_hook
    logged(endpoint, at=timezone.now())

    response = client.delete(f"{WEBHOOKS}{endpoint.pk}/", **auth(hooks.tlv_raw))

    assert (response.status_code, response.content) == (204, b"")
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert not WebhookAttempt.objects.filter(endpoint_id=endpoint.pk).exists()
    assert WebhookEndpoint.objects.filter(pk=hooks.paris_hook.pk).exists()


# The verbs.


def test_rotating_gives_a_new_secret_and_keeps_the_old_signing_for_a_while(client, hooks, settings):
    settings.WEBHOOK_ROTATION_OVERLAP_HOURS = 24
    endpoint = hooks.tlv_hook
    old = endpoint.secret

    response = post(client, hooks.tlv_raw, f"{WEBHOOKS}{endpoint.pk}/rotate-secret/")

    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert response.json() == {
        "secret": endpoint.secret,
        "previous_secret_until": iso(endpoint.previous_secret_until),
    }
    assert endpoint.secret != old
    assert endpoint.previous_secret == old
    left = endpoint.previous_secret_until - timezone.now()
    assert datetime.timedelta(hours=23, minutes=59) < left <= datetime.timedelta(hours=24)
    assert endpoint.signing_secrets() == [endpoint.secret, old]


def test_a_test_event_is_queued_for_the_endpoint(client, hooks):
    endpoint = hooks.paris_hook  # it chose only application.submitted

    response = post(client, hooks.paris_raw, f"{WEBHOOKS}{endpoint.pk}/test/")

    assert response.status_code == 202
    event = WebhookEvent.objects.get()
    assert response.json() == {"event_id": event.public_id, "type": "webhook.test"}
    assert (event.organisation, event.type, event.application_ref) == (
        hooks.paris,
        "webhook.test",
        None,
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.event, delivery.status) == (
        endpoint,
        event,
        DeliveryStatus.PENDING,
    )


def test_redelivering_one_event(client, hooks):
    endpoint = hooks.tlv_hook
    event = logged(endpoint, at=timezone.now() - datetime.timedelta(days=2), tries=8)

    response = post(
        client, hooks.tlv_raw, f"{WEBHOOKS}{endpoint.pk}/redeliver/", {"event_id": event.public_id}
    )

    assert (response.status_code, response.json()) == (202, {"count": 1})
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert delivery.give_up_at > timezone.now() + datetime.timedelta(hours=12)


def test_redelivering_an_event_still_queued_counts_none(client, hooks):
    event = services.send_test(hooks.tlv_hook)

    response = post(
        client,
        hooks.tlv_raw,
        f"{WEBHOOKS}{hooks.tlv_hook.pk}/redeliver/",
        {"event_id": event.public_id},
    )

    assert (response.status_code, response.json()) == (202, {"count": 0})


def test_redelivering_an_event_the_endpoint_never_had_is_a_404(client, hooks):
    theirs = logged(hooks.paris_hook, at=timezone.now())

    for event_id in (theirs.public_id, "msg_nothing"):
        response = post(
            client,
            hooks.tlv_raw,
            f"{WEBHOOKS}{hooks.tlv_hook.pk}/redeliver/",
            {"event_id": event_id},
        )
        assert response.status_code == 404
    assert WebhookDelivery.objects.get(event=theirs).status == DeliveryStatus.FAILED


def test_redelivering_every_failure_since(client, hooks):
    endpoint = hooks.tlv_hook
    now = timezone.now()
    old = logged(endpoint, at=now - datetime.timedelta(days=3))
    recent = [logged(endpoint, at=now - datetime.timedelta(hours=hours)) for hours in (1, 2)]
    delivered = logged(
        endpoint, at=now - datetime.timedelta(hours=1), status=DeliveryStatus.DELIVERED
    )
    since = (now - datetime.timedelta(days=1)).astimezone(datetime.UTC).replace(tzinfo=None)

    response = post(
        client, hooks.tlv_raw, f"{WEBHOOKS}{endpoint.pk}/redeliver/", {"since": since.isoformat()}
    )

    assert (response.status_code, response.json()) == (202, {"count": 2})
    status = dict(WebhookDelivery.objects.values_list("event__public_id", "status"))
    assert status == {
        old.public_id: DeliveryStatus.FAILED,
        recent[0].public_id: DeliveryStatus.PENDING,
        recent[1].public_id: DeliveryStatus.PENDING,
        delivered.public_id: DeliveryStatus.DELIVERED,
    }


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, [""]),
        ({"event_id": "msg_a", "since": "2026-01-01T00:00:00Z"}, [""]),
        ({"since": "yesterday"}, ["since"]),
        ({"since": "2026-13-01T00:00:00Z"}, ["since"]),
        ({"event_id": "msg_\x00"}, ["event_id"]),
        ({"event_id": "msg_" + "a" * 100}, ["event_id"]),
        ({"event_id": 17}, ["event_id"]),
        ([], [""]),
        ("msg_a", [""]),
    ],
)
def test_a_bad_redelivery_is_a_400(client, hooks, body, fields):
    response = post(client, hooks.tlv_raw, f"{WEBHOOKS}{hooks.tlv_hook.pk}/redeliver/", body)

    assert field_errors(response) == fields


# The logs.


def test_the_delivery_log_is_every_attempt_newest_first(client, hooks):
    endpoint = hooks.tlv_hook
    now = timezone.now()
    first = logged(endpoint, at=now - datetime.timedelta(hours=2), tries=2)
    second = logged(endpoint, at=now - datetime.timedelta(hours=1), status=DeliveryStatus.PENDING)
    logged(hooks.paris_hook, at=now)  # another endpoint's

    response = client.get(f"{WEBHOOKS}{endpoint.pk}/deliveries/", **auth(hooks.tlv_raw))

    assert response.status_code == 200
    attempts = WebhookAttempt.objects.filter(endpoint=endpoint).order_by("-at")
    assert response.json() == {
        "results": [
            {
                "at": iso(attempt.at),
                "event_id": event.public_id,
                "event_type": "webhook.test",
                "attempt": number,
                "status_code": 500,
                "duration_ms": 12 * number,
                "response": "oops",
                "error": "HTTP 500",
                "delivery_status": status,
            }
            for attempt, (event, number, status) in zip(
                attempts,
                [(second, 1, "pending"), (first, 2, "failed"), (first, 1, "failed")],
                strict=True,
            )
        ],
        "next": None,
    }


def test_the_delivery_log_is_paged_with_a_cursor(client, hooks):
    endpoint = hooks.tlv_hook
    now = timezone.now()
    for hours in range(5):
        logged(endpoint, at=now - datetime.timedelta(hours=hours))
    path = f"{WEBHOOKS}{endpoint.pk}/deliveries/?page_size=2"
    seen = []

    while path:
        page = client.get(path, **auth(hooks.tlv_raw)).json()
        seen.append(len(page["results"]))
        seen_at = [row["at"] for row in page["results"]]
        assert seen_at == sorted(seen_at, reverse=True)
        path = page["next"]

    assert seen == [2, 2, 1]


def test_attempts_at_the_same_moment_are_each_on_one_page(client, hooks):
    endpoint = hooks.tlv_hook
    at = timezone.now()
    for _ in range(3):
        logged(endpoint, at=at)
    path = f"{WEBHOOKS}{endpoint.pk}/events/?page_size=1"
    ids = []

    while path:
        page = client.get(path, **auth(hooks.tlv_raw)).json()
        ids += [row["event_id"] for row in page["results"]]
        path = page["next"]

    assert sorted(ids) == sorted(WebhookEvent.objects.values_list("public_id", flat=True))
    assert len(ids) == 3


def test_the_delivery_log_filters_by_state_and_event(client, hooks):
    endpoint = hooks.tlv_hook
    now = timezone.now()
    failed = logged(endpoint, at=now, tries=2)
    logged(endpoint, at=now, status=DeliveryStatus.DELIVERED)
    path = f"{WEBHOOKS}{endpoint.pk}/deliveries/"

    by_state = client.get(f"{path}?status=failed", **auth(hooks.tlv_raw)).json()
    by_event = client.get(f"{path}?event_id={failed.public_id}", **auth(hooks.tlv_raw)).json()
    none = client.get(f"{path}?event_id=msg_none", **auth(hooks.tlv_raw)).json()

    assert [row["event_id"] for row in by_state["results"]] == [failed.public_id] * 2
    assert [row["attempt"] for row in by_event["results"]] == [2, 1]
    assert none["results"] == []


def test_the_events_of_an_endpoint_with_their_state(client, hooks):
    endpoint = hooks.tlv_hook
    now = timezone.now()
    failed = logged(endpoint, at=now - datetime.timedelta(hours=1), tries=3)
    queued = services.send_test(endpoint)
    path = f"{WEBHOOKS}{endpoint.pk}/events/"

    everything = client.get(path, **auth(hooks.tlv_raw)).json()
    only_failed = client.get(f"{path}?status=failed", **auth(hooks.tlv_raw)).json()

    delivery = WebhookDelivery.objects.get(event=queued)
    assert everything == {
        "results": [
            {
                "event_id": queued.public_id,
                "type": "webhook.test",
                "created_at": iso(queued.created_at),
                "delivery_status": "pending",
                "attempts": 0,
                "last_status_code": None,
                "last_error": "",
                "delivered_at": None,
                "next_attempt_at": iso(delivery.next_attempt_at),
            },
            {
                "event_id": failed.public_id,
                "type": "webhook.test",
                "created_at": iso(now - datetime.timedelta(hours=1)),
                "delivery_status": "failed",
                "attempts": 3,
                "last_status_code": 500,
                "last_error": "HTTP 500",
                "delivered_at": None,
                "next_attempt_at": None,
            },
        ],
        "next": None,
    }
    assert [row["event_id"] for row in only_failed["results"]] == [failed.public_id]


@pytest.mark.parametrize("log", ["deliveries", "events"])
def test_the_logs_query_count_does_not_grow_with_rows(client, hooks, log):
    endpoint = hooks.tlv_hook
    path = f"{WEBHOOKS}{endpoint.pk}/{log}/"
    logged(endpoint, at=timezone.now())
    one = queries(client, hooks.tlv_raw, path)
    for hours in range(1, 6):
        logged(endpoint, at=timezone.now() - datetime.timedelta(hours=hours), tries=2)

    assert queries(client, hooks.tlv_raw, path) == one


@pytest.mark.parametrize("log", ["deliveries", "events"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=nonsense", "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page_size=x", "page_size"),
        ("status=lost", "status"),
    ],
)
def test_bad_log_parameters_are_a_400(client, hooks, log, query, field):
    response = client.get(f"{WEBHOOKS}{hooks.tlv_hook.pk}/{log}/?{query}", **auth(hooks.tlv_raw))

    assert field_errors(response) == [field]


@pytest.mark.parametrize("event_id", ["nonsense", "msg_" + "a" * 40, "msg_a%2Fb"])
def test_a_bad_event_filter_is_a_400(client, hooks, event_id):
    response = client.get(
        f"{WEBHOOKS}{hooks.tlv_hook.pk}/deliveries/?event_id={event_id}", **auth(hooks.tlv_raw)
    )

    assert field_errors(response) == ["event_id"]


@pytest.mark.parametrize("cursor", ["0" * 32, "7" + "f" * 15 + "7" + "f" * 15])
def test_any_cursor_of_the_pattern_is_a_position(client, hooks, cursor):
    logged(hooks.tlv_hook, at=timezone.now())
    path = f"{WEBHOOKS}{hooks.tlv_hook.pk}/deliveries/?cursor={cursor}"

    response = client.get(path, **auth(hooks.tlv_raw))

    assert response.status_code == 200
    assert len(response.json()["results"]) == (0 if cursor.startswith("0") else 1)
