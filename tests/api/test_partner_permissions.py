"""Who sees what at the partner API: every partner endpoint against organisations' keys.

The world is `partners` (tests/api/conftest.py) with one more step: the applicant of
"Shalom 2" no longer shares it (`feed.stop_sharing`), so it is a tombstone in the feed and a
404 on its page. Another organisation's application is a 404 like one that does not exist,
never a 403; a 403 means only a missing scope, whatever the object.
"""

import datetime
import json

import pytest
from django.utils import timezone

from cities.models import AgreementStatus, CooperationAgreement
from exchanges.models import Recommendation
from exchanges.partners import feed
from exchanges.partners.webhooks.models import WebhookEndpoint, WebhookEvent
from tests.api.conftest import auth, make_endpoint, make_key

FEED = "/api/v1/partner/applications/"
NOWHERE = 999_999_999


@pytest.fixture
def world(partners):
    feed.stop_sharing(partners.tlv_apps[2])
    return partners


# Keys: each a function of the world that returns the key to send (None: no header).
KEYS = {
    "tel aviv": lambda w: w.tlv_raw,
    "warsaw (co-organiser)": lambda w: w.warsaw_raw,
    "paris": lambda w: w.paris_raw,
    "berlin (hub, hosts nothing)": lambda w: make_key(w.hub)[1],
    "tel aviv, second key": lambda w: make_key(w.tel_aviv, name="rotation")[1],
    "tel aviv, recommend only": lambda w: make_key(w.tel_aviv, scopes=["recommend"])[1],
    "tel aviv, webhooks only": lambda w: make_key(w.tel_aviv, scopes=["webhooks"])[1],
    "tel aviv, revoked": lambda w: make_key(w.tel_aviv, revoked=True)[1],
    "tel aviv, expired": lambda w: make_key(
        w.tel_aviv, expiry_date=timezone.now() - datetime.timedelta(seconds=1)
    )[1],
    "tel aviv, expires tomorrow": lambda w: make_key(
        w.tel_aviv, expiry_date=timezone.now() + datetime.timedelta(days=1)
    )[1],
    "warsaw, agreement terminated": lambda w: _with_agreement(
        w.warsaw, w.warsaw_raw, status=AgreementStatus.TERMINATED
    ),
    "warsaw, agreement lapsed": lambda w: _with_agreement(
        w.warsaw, w.warsaw_raw, valid_until=timezone.localdate() - datetime.timedelta(days=1)
    ),
    "paris, agreement not yet valid": lambda w: _with_agreement(
        w.paris, w.paris_raw, valid_from=timezone.localdate() + datetime.timedelta(days=1)
    ),
    "no key": lambda w: None,
}

# Applications: each a function of the world that returns the id to ask for.
APPLICATIONS = {
    "tel aviv's": lambda w: w.tlv_apps[0].pk,
    "tel aviv's, no longer shared": lambda w: w.tlv_apps[2].pk,
    "tel aviv's draft": lambda w: w.tlv_draft.pk,
    "paris's": lambda w: w.paris_apps[0].pk,
    "paris's draft": lambda w: w.paris_draft.pk,
    "none": lambda w: NOWHERE,
}


def _with_agreement(organisation, raw: str, **fields) -> str:
    """`raw`, the organisation's key, after its agreement was changed by `fields`."""
    CooperationAgreement.objects.filter(partner_organisation=organisation).update(**fields)
    return raw


def request(client, world, key: str, path: str):
    raw = KEYS[key](world)
    return client.get(path, **(auth(raw) if raw else {}))


def shown(world, response) -> list[str]:
    """The feed's rows by start-up name; a tombstone as "gone: <name>"."""
    by_id = {app.pk: app.startup.name for app in world.tlv_apps + world.paris_apps}
    return [
        f"gone: {by_id[item['id']]}" if item["removed"] else item["startup"]["name"]
        for item in response.json()["results"]
    ]


TLV_FEED = ["Shalom 0", "Shalom 1", "gone: Shalom 2"]
PARIS_FEED = ["Bonjour 0", "Bonjour 1"]


@pytest.mark.parametrize(
    ("key", "status", "rows"),
    [
        ("tel aviv", 200, TLV_FEED),
        ("tel aviv, second key", 200, TLV_FEED),
        ("tel aviv, expires tomorrow", 200, TLV_FEED),
        ("warsaw (co-organiser)", 200, TLV_FEED),
        ("paris", 200, PARIS_FEED),
        ("berlin (hub, hosts nothing)", 200, []),
        ("tel aviv, recommend only", 403, None),
        ("tel aviv, webhooks only", 403, None),
        ("tel aviv, revoked", 401, None),
        ("tel aviv, expired", 401, None),
        ("warsaw, agreement terminated", 401, None),
        ("warsaw, agreement lapsed", 401, None),
        ("paris, agreement not yet valid", 401, None),
        ("no key", 401, None),
    ],
)
def test_the_list(client, world, key, status, rows):
    response = request(client, world, key, FEED)

    assert response.status_code == status
    if rows is None:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == status
    else:
        assert sorted(shown(world, response)) == sorted(rows)


@pytest.mark.parametrize(
    ("key", "application", "status"),
    [
        ("tel aviv", "tel aviv's", 200),
        ("tel aviv", "tel aviv's, no longer shared", 404),
        ("tel aviv", "tel aviv's draft", 404),
        ("tel aviv", "paris's", 404),
        ("tel aviv", "paris's draft", 404),
        ("tel aviv", "none", 404),
        ("tel aviv, second key", "tel aviv's", 200),
        ("warsaw (co-organiser)", "tel aviv's", 200),
        ("warsaw (co-organiser)", "tel aviv's, no longer shared", 404),
        ("warsaw (co-organiser)", "tel aviv's draft", 404),
        ("warsaw (co-organiser)", "paris's", 404),
        ("paris", "paris's", 200),
        ("paris", "paris's draft", 404),
        ("paris", "tel aviv's", 404),
        ("paris", "tel aviv's, no longer shared", 404),
        ("berlin (hub, hosts nothing)", "tel aviv's", 404),
        ("berlin (hub, hosts nothing)", "paris's", 404),
        ("tel aviv, recommend only", "tel aviv's", 403),
        ("tel aviv, recommend only", "paris's", 403),
        ("tel aviv, recommend only", "none", 403),
        ("tel aviv, revoked", "tel aviv's", 401),
        ("tel aviv, expired", "tel aviv's", 401),
        ("warsaw, agreement terminated", "tel aviv's", 401),
        ("warsaw, agreement lapsed", "tel aviv's", 401),
        ("paris, agreement not yet valid", "paris's", 401),
        ("no key", "tel aviv's", 401),
        ("no key", "none", 401),
    ],
)
def test_the_detail(client, world, key, application, status):
    application_id = APPLICATIONS[application](world)

    response = request(client, world, key, f"{FEED}{application_id}/")

    assert response.status_code == status
    if status == 200:
        assert response.json()["id"] == application_id
    else:
        assert response["Content-Type"] == "application/problem+json"
    if status == 401:
        assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize(
    ("key", "application"),
    [
        ("tel aviv", "paris's"),
        ("tel aviv", "tel aviv's draft"),
        ("tel aviv", "tel aviv's, no longer shared"),
        ("paris", "tel aviv's"),
        ("warsaw (co-organiser)", "paris's"),
    ],
)
def test_an_application_out_of_view_is_the_same_404_as_none(client, world, key, application):
    """Nothing tells an application that exists elsewhere from one that does not."""
    out_of_view = request(client, world, key, f"{FEED}{APPLICATIONS[application](world)}/")
    missing = request(client, world, key, f"{FEED}{NOWHERE}/")

    assert out_of_view.status_code == missing.status_code == 404
    assert out_of_view.json() == missing.json()


# Webhooks (scope `webhooks`) and recommendations (scope `recommend`): every operation.

WEBHOOKS = "/api/v1/partner/webhooks/"


def send(client, world, key: str, method: str, path: str, *, body=None):
    raw = KEYS[key](world)
    payload = {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(path, **payload, **(auth(raw) if raw else {}))


@pytest.fixture
def hooks(world):
    """Tel Aviv's endpoint (the one asked for) and Paris's."""
    world.tlv_hook = make_endpoint(world.tel_aviv)
    world.paris_hook = make_endpoint(world.paris)
    return world


def _hook(suffix: str = ""):
    return lambda w: f"{WEBHOOKS}{w.tlv_hook.pk}/{suffix}"


# Operation: (method, path of the world, body, status with the right key).
WEBHOOK_OPERATIONS = {
    "list": ("get", lambda w: WEBHOOKS, None, 200),
    "register": (
        "post",
        lambda w: WEBHOOKS,
        {"url": "https://hooks.example.com/new", "events": ["application.submitted"]},
        201,
    ),
    "read": ("get", _hook(), None, 200),
    "change": ("patch", _hook(), {"description": "Changed"}, 200),
    "delete": ("delete", _hook(), None, 204),
    "rotate the secret": ("post", _hook("rotate-secret/"), None, 200),
    "send a test": ("post", _hook("test/"), None, 202),
    "redeliver": ("post", _hook("redeliver/"), {"since": "2026-01-01T00:00:00Z"}, 202),
    "the delivery log": ("get", _hook("deliveries/"), None, 200),
    "the events": ("get", _hook("events/"), None, 200),
}


def nowhere(world, path) -> str:
    """The operation's path for an endpoint that does not exist."""
    return path(world).replace(f"/{world.tlv_hook.pk}/", f"/{NOWHERE}/")


ONE_ENDPOINT = [name for name in WEBHOOK_OPERATIONS if name not in ("list", "register")]


@pytest.mark.parametrize("operation", WEBHOOK_OPERATIONS)
@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("tel aviv", None),
        ("tel aviv, second key", None),
        ("tel aviv, webhooks only", None),
        ("tel aviv, expires tomorrow", None),
        ("tel aviv, recommend only", 403),
        ("tel aviv, revoked", 401),
        ("tel aviv, expired", 401),
        ("warsaw, agreement terminated", 401),
        ("no key", 401),
    ],
)
def test_the_webhooks(client, hooks, operation, key, status):
    method, path, body, allowed = WEBHOOK_OPERATIONS[operation]

    response = send(client, hooks, key, method, path(hooks), body=body)

    assert response.status_code == (status or allowed)
    if status is not None:
        assert response["Content-Type"] == "application/problem+json"
        assert WebhookEndpoint.objects.filter(organisation=hooks.tel_aviv).count() == 1
    if status == 401:
        assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize("operation", ONE_ENDPOINT)
@pytest.mark.parametrize("key", ["paris", "warsaw (co-organiser)", "berlin (hub, hosts nothing)"])
def test_another_organisations_endpoint_is_a_404_and_stays_as_it_was(client, hooks, operation, key):
    method, path, body, _allowed = WEBHOOK_OPERATIONS[operation]
    before = WebhookEndpoint.objects.filter(pk=hooks.tlv_hook.pk).values().get()

    response = send(client, hooks, key, method, path(hooks), body=body)
    missing = send(client, hooks, key, method, nowhere(hooks, path), body=body)

    assert response.status_code == 404
    assert response.json() == missing.json()
    assert WebhookEndpoint.objects.filter(pk=hooks.tlv_hook.pk).values().get() == before
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("operation", ONE_ENDPOINT)
def test_without_the_scope_any_endpoint_is_a_403(client, hooks, operation):
    """Whoever's endpoint it is: a 403 tells nothing of what exists."""
    method, path, body, _allowed = WEBHOOK_OPERATIONS[operation]

    scopeless = "tel aviv, recommend only"

    theirs = send(client, hooks, "paris", method, path(hooks), body=body)
    without = send(client, hooks, scopeless, method, path(hooks), body=body)
    missing = send(client, hooks, scopeless, method, nowhere(hooks, path), body=body)

    assert (theirs.status_code, without.status_code, missing.status_code) == (404, 403, 403)


@pytest.mark.parametrize(
    ("key", "application", "status"),
    [
        ("tel aviv", "tel aviv's", 201),
        ("tel aviv", "tel aviv's, no longer shared", 404),
        ("tel aviv", "tel aviv's draft", 404),
        ("tel aviv", "paris's", 404),
        ("tel aviv", "none", 404),
        ("tel aviv, second key", "tel aviv's", 201),
        ("tel aviv, recommend only", "tel aviv's", 201),
        ("warsaw (co-organiser)", "tel aviv's", 201),
        ("warsaw (co-organiser)", "paris's", 404),
        ("paris", "paris's", 201),
        ("paris", "tel aviv's", 404),
        ("berlin (hub, hosts nothing)", "tel aviv's", 404),
        ("tel aviv, webhooks only", "tel aviv's", 403),
        ("tel aviv, webhooks only", "none", 403),
        ("tel aviv, revoked", "tel aviv's", 401),
        ("tel aviv, expired", "tel aviv's", 401),
        ("warsaw, agreement lapsed", "tel aviv's", 401),
        ("no key", "tel aviv's", 401),
    ],
)
def test_giving_a_recommendation(client, world, key, application, status):
    application_id = APPLICATIONS[application](world)
    path = f"{FEED}{application_id}/recommendation/"

    response = send(
        client, world, key, "put", path, body={"verdict": "recommend", "comment": "Yes."}
    )

    assert response.status_code == status
    if status == 201:
        assert response.json()["verdict"] == "recommend"
        assert Recommendation.objects.get().application_id == application_id
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    ("key", "application", "status"),
    [
        ("tel aviv", "tel aviv's", 200),
        ("tel aviv", "tel aviv's, no longer shared", 404),
        ("tel aviv", "tel aviv's draft", 404),
        ("tel aviv", "paris's", 404),
        ("tel aviv", "none", 404),
        ("tel aviv, recommend only", "tel aviv's", 200),
        ("warsaw (co-organiser)", "tel aviv's", 404),
        ("paris", "tel aviv's", 404),
        ("paris", "paris's", 200),
        ("tel aviv, webhooks only", "tel aviv's", 403),
        ("tel aviv, revoked", "tel aviv's", 401),
        ("no key", "tel aviv's", 401),
    ],
)
def test_reading_a_recommendation(client, world, key, application, status):
    """Each organisation reads its own only, and only while it sees the application."""
    for organisation, ids in (
        (world.tel_aviv, [world.tlv_apps[0], world.tlv_apps[2], world.tlv_draft]),
        (world.paris, [world.paris_apps[0]]),
    ):
        for found in ids:
            Recommendation.objects.create(
                organisation=organisation, application=found, verdict="neutral"
            )
    path = f"{FEED}{APPLICATIONS[application](world)}/recommendation/"

    response = send(client, world, key, "get", path)

    assert response.status_code == status
    if status == 200:
        assert response.json()["verdict"] == "neutral"
    else:
        assert response["Content-Type"] == "application/problem+json"
