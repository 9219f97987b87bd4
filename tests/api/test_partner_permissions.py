"""Who sees what at the partner API: every partner endpoint against organisations' keys.

The world is `partners` (tests/api/conftest.py) with one more step: the applicant of
"Shalom 2" no longer shares it (`feed.stop_sharing`), so it is a tombstone in the feed and a
404 on its page. Another organisation's application is a 404 like one that does not exist,
never a 403; a 403 means only a missing scope, whatever the object.
"""

import datetime

import pytest
from django.utils import timezone

from cities.models import AgreementStatus, CooperationAgreement
from exchanges.partners import feed
from tests.api.conftest import auth, make_key

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
