"""Partner keys: stored hashed, shown once (admin and command), rotated, refused with a 401
problem when they must not work, limited by scope, their use noted at most once a minute."""

import datetime
import hashlib
import io
import json
import time

import pytest
from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cities.models import AgreementStatus, CooperationAgreement
from exchanges.partners.api.throttling import PartnerKeyThrottle
from exchanges.partners.models import PartnerApiKey
from tests.api.conftest import auth, make_key
from tests.factories import OrganisationFactory, UserFactory

FEED = "/api/v1/partner/applications/"
CHANGELIST = reverse("admin:partners_partnerapikey_changelist")
ADD = reverse("admin:partners_partnerapikey_add")


def change_url(key: PartnerApiKey) -> str:
    return reverse("admin:partners_partnerapikey_change", args=[key.pk])


@pytest.fixture
def staff(db):
    return UserFactory(email="keys@berlin-partner.example", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def names(response) -> list[str]:
    return sorted(item["startup"]["name"] for item in response.json()["results"])


def create_in_admin(staff_client, organisation, **fields) -> tuple[PartnerApiKey, str, object]:
    """Post the add form; the new key, its secret as the page shows it, and the response."""
    response = staff_client.post(
        ADD,
        {
            "organisation": organisation.pk,
            "name": "CRM sync",
            "scopes": ["read", "recommend"],
            "expiry_date_0": "",
            "expiry_date_1": "",
            **fields,
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    key = PartnerApiKey.objects.get(organisation=organisation, name="CRM sync")
    return key, response.context["secret"], response


def audit_entries(key: PartnerApiKey) -> list[tuple[str, str | None, dict]]:
    return [
        (entry.get_action_display(), entry.actor.email if entry.actor else None, entry.changes)
        for entry in LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(PartnerApiKey), object_pk=key.pk
        ).order_by("timestamp", "pk")
    ]


# Stored hashed


def test_a_key_is_stored_as_a_hash_and_its_id_is_the_prefix(partners):
    key, raw = make_key(partners.paris, name="Rotation 2")
    prefix, secret = raw.split(".")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM partners_partnerapikey WHERE prefix = %s", [prefix])
        (row,) = cursor.fetchall()

    stored = " ".join(str(value) for value in row)
    assert secret not in stored
    assert raw not in stored
    assert key.hashed_key == "sha512$$" + hashlib.sha512(raw.encode()).hexdigest()
    assert key.pk == prefix
    assert len(prefix) == 8
    assert len(secret) == 32


# The admin


def test_the_admin_shows_the_secret_once_on_the_page_that_answers_the_form(
    staff_client, staff, partners
):
    key, secret, response = create_in_admin(staff_client, partners.paris)

    assert secret.startswith(f"{key.prefix}.")
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert key.scopes == ["read", "recommend"]
    assert key.created_by == staff
    assert key.expiry_date is None
    assert key.is_valid(secret)
    # The secret is not kept anywhere to be shown again; the hash is never shown.
    for url in (CHANGELIST, change_url(key), reverse("admin:index")):
        page = staff_client.get(url).content.decode()
        assert secret not in page
        assert key.hashed_key.split("$$")[1] not in page
    assert not any(secret in str(message) for message in response.context["messages"])


def test_the_secret_from_the_admin_works_at_the_api(client, staff_client, partners):
    _key, secret, _response = create_in_admin(staff_client, partners.paris)

    response = client.get(FEED, **auth(secret))

    assert response.status_code == 200
    assert names(response) == ["Bonjour 0", "Bonjour 1"]


def test_creating_and_revoking_in_the_admin_is_audited_with_the_staff_member(
    staff_client, partners
):
    key, secret, _response = create_in_admin(staff_client, partners.paris)

    response = staff_client.post(CHANGELIST, {"action": "revoke", "_selected_action": [key.pk]})

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked is True
    entries = audit_entries(key)
    assert [(action, actor) for action, actor, _changes in entries] == [
        ("create", "keys@berlin-partner.example"),
        ("update", "keys@berlin-partner.example"),
    ]
    assert set(entries[0][2]) == {
        "prefix",
        "created",
        "name",
        "revoked",
        "organisation",
        "scopes",
        "created_by",
    }
    assert entries[1][2] == {"revoked": ["False", "True"]}
    # Neither the secret nor its hash is anywhere in either log.
    logged = [
        json.dumps([entry.object_pk, entry.object_repr, entry.changes, entry.serialized_data])
        for entry in LogEntry.objects.all()
    ] + [
        f"{entry.object_id} {entry.object_repr} {entry.change_message}"
        for entry in AdminLogEntry.objects.all()
    ]
    digest = key.hashed_key.split("$$")[1]
    assert logged
    assert not [line for line in logged if secret in line or digest in line]
    assert not [line for line in logged if secret.split(".")[1] in line]


def test_revoking_through_the_change_form_is_audited_and_final(staff_client, partners):
    key, _secret, _response = create_in_admin(staff_client, partners.paris)
    form = {
        "name": "CRM sync",
        "scopes": ["read", "recommend"],
        "expiry_date_0": "",
        "expiry_date_1": "",
        "revoked": "on",
    }

    response = staff_client.post(change_url(key), form)

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked is True
    assert audit_entries(key)[-1][1:] == (
        "keys@berlin-partner.example",
        {"revoked": ["False", "True"]},
    )
    # A revoked key's form is read-only: posting "not revoked" changes nothing.
    again = staff_client.post(change_url(key), {**form, "revoked": ""})
    assert again.status_code == 302
    key.refresh_from_db()
    assert key.revoked is True
    assert len(audit_entries(key)) == 2


def test_the_revoke_action_stops_the_key_at_once(client, staff_client, partners):
    assert client.get(FEED, **auth(partners.paris_raw)).status_code == 200

    staff_client.post(CHANGELIST, {"action": "revoke", "_selected_action": [partners.paris_key.pk]})

    response = client.get(FEED, **auth(partners.paris_raw))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


def test_keys_cannot_be_deleted_in_the_admin(staff_client, partners):
    url = reverse("admin:partners_partnerapikey_delete", args=[partners.paris_key.pk])

    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert PartnerApiKey.objects.filter(pk=partners.paris_key.pk).exists()


def test_the_admin_pages_of_keys_load_for_a_superuser(staff_client, partners):
    page = staff_client.get(CHANGELIST)

    assert page.status_code == 200
    changelist = page.context["cl"]
    listed = {key.name: changelist.model_admin.status(key) for key in changelist.result_list}
    assert listed == {
        "tel-aviv-global key": "usable",
        "paris-and-co key": "usable",
        "warsaw-hub key": "usable",
    }
    assert staff_client.get(ADD).status_code == 200
    change = staff_client.get(change_url(partners.tlv_key))
    assert change.status_code == 200
    assert partners.tlv_key.hashed_key not in change.content.decode()


def test_the_status_filter_tells_usable_revoked_expired_and_out_of_agreement_keys(
    staff_client, partners
):
    make_key(partners.paris, name="old", revoked=True)
    make_key(partners.paris, name="lapsed", expiry_date=timezone.now() - datetime.timedelta(days=1))
    make_key(OrganisationFactory(), name="no agreement")

    def shown(status: str) -> list[str]:
        response = staff_client.get(CHANGELIST, {"status": status})
        assert response.status_code == 200
        return sorted(key.name for key in response.context["cl"].result_list)

    assert shown("usable") == ["paris-and-co key", "tel-aviv-global key", "warsaw-hub key"]
    assert shown("revoked") == ["old"]
    assert shown("expired") == ["lapsed"]
    assert shown("no_agreement") == ["no agreement"]


@pytest.mark.parametrize("extra", [0, 5])
def test_the_key_changelist_query_count_stays_the_same_as_keys_grow(staff_client, partners, extra):
    for n in range(extra):
        make_key(OrganisationFactory(), name=f"extra {n}")

    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(CHANGELIST)

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 3 + extra
    assert len(queries) == 7


@pytest.mark.parametrize(
    "name", ["partners_applicationshare", "partners_dataaccess"], ids=["shares", "ledger"]
)
def test_the_feed_rows_and_the_ledger_are_read_only_in_the_admin(
    client, staff_client, partners, name
):
    client.get(FEED, **auth(partners.tlv_raw))  # writes the ledger
    changelist = staff_client.get(reverse(f"admin:{name}_changelist"))
    assert changelist.status_code == 200
    row = changelist.context["cl"].result_list[0]

    view = staff_client.get(reverse(f"admin:{name}_change", args=[row.pk]))

    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert staff_client.get(reverse(f"admin:{name}_add")).status_code == 403
    assert staff_client.post(reverse(f"admin:{name}_change", args=[row.pk]), {}).status_code == 403
    assert (
        staff_client.post(
            reverse(f"admin:{name}_delete", args=[row.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_the_changelists_of_the_feed_rows_and_the_ledger_count(client, staff_client, partners):
    client.get(FEED, **auth(partners.tlv_raw))
    client.get(FEED, **auth(partners.warsaw_raw))

    shares = staff_client.get(reverse("admin:partners_applicationshare_changelist"))
    ledger = staff_client.get(reverse("admin:partners_dataaccess_changelist"))

    assert shares.context["cl"].result_count == 3 + 3 + 2  # tel aviv, warsaw, paris
    assert ledger.context["cl"].result_count == 3 + 3


# The command


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_partner_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_a_key_that_works(client, partners):
    out, err = run_command("paris-and-co", "--scopes", "read,recommend", "--name", "ERP")

    raw = out.splitlines()[-1]
    key = PartnerApiKey.objects.get(name="ERP")
    assert raw.startswith(f"{key.prefix}.")
    assert key.scopes == ["read", "recommend"]
    assert key.expiry_date is None
    assert key.organisation == partners.paris
    assert err == ""
    assert raw not in " ".join(
        str(v) for v in PartnerApiKey.objects.filter(pk=key.pk).values_list()
    )
    response = client.get(FEED, **auth(raw))
    assert response.status_code == 200
    assert names(response) == ["Bonjour 0", "Bonjour 1"]


def test_the_command_sets_the_expiry_in_days(partners):
    before = timezone.now()

    out, _err = run_command("paris-and-co", "--scopes", "read", "--expires-in-days", "30")

    key = PartnerApiKey.objects.get(prefix=out.splitlines()[-1].split(".")[0])
    assert before + datetime.timedelta(days=30) <= key.expiry_date
    assert key.expiry_date <= timezone.now() + datetime.timedelta(days=30)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere", "--scopes", "read"], "No organisation has the slug 'nowhere'."),
        (
            ["paris-and-co", "--scopes", "read,write"],
            "Unknown scope(s) 'write'; choose from: read, recommend, webhooks.",
        ),
        (
            ["paris-and-co", "--scopes", ","],
            "Unknown scope(s) (none given); choose from: read, recommend, webhooks.",
        ),
        (
            ["paris-and-co", "--scopes", "read", "--expires-in-days", "0"],
            "--expires-in-days must be a whole number of days from 1, not '0'.",
        ),
        (
            ["paris-and-co", "--scopes", "read", "--expires-in-days", "-3"],
            "--expires-in-days must be a whole number of days from 1, not '-3'.",
        ),
        (
            ["paris-and-co", "--scopes", "read", "--expires-in-days", "soon"],
            "--expires-in-days must be a whole number of days from 1, not 'soon'.",
        ),
    ],
)
def test_the_command_refuses_bad_input(partners, args, message):
    with pytest.raises(CommandError) as refused:
        run_command(*args)

    assert str(refused.value) == message
    assert PartnerApiKey.objects.count() == 3


def test_the_command_warns_when_the_organisation_has_no_active_agreement(partners):
    CooperationAgreement.objects.filter(partner_organisation=partners.paris).update(
        status=AgreementStatus.TERMINATED
    )

    out, err = run_command("paris-and-co", "--scopes", "read")

    assert err == (
        "Warning: Paris&Co has no active cooperation agreement, so the key will not work "
        "until it has one.\n"
    )
    assert PartnerApiKey.objects.filter(prefix=out.splitlines()[-1].split(".")[0]).exists()


# At the API


def test_two_keys_of_one_organisation_work_at_once(client, partners):
    _new, new_raw = make_key(partners.tel_aviv, name="rotation")

    old = client.get(FEED, **auth(partners.tlv_raw))
    new = client.get(FEED, **auth(new_raw))

    assert (old.status_code, new.status_code) == (200, 200)
    assert names(old) == names(new) == ["Shalom 0", "Shalom 1", "Shalom 2"]


def _revoked(partners):
    return make_key(partners.tel_aviv, revoked=True)[1]


def _expired(partners):
    return make_key(partners.tel_aviv, expiry_date=timezone.now() - datetime.timedelta(minutes=1))[
        1
    ]


def _terminated(partners):
    CooperationAgreement.objects.filter(partner_organisation=partners.tel_aviv).update(
        status=AgreementStatus.TERMINATED
    )
    return partners.tlv_raw


def _lapsed(partners):
    CooperationAgreement.objects.filter(partner_organisation=partners.tel_aviv).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    return partners.tlv_raw


def _wrong_secret(partners):
    return f"{partners.tlv_key.prefix}.{'x' * 32}"


def _unknown_prefix(partners):
    return f"nobody00.{partners.tlv_raw.split('.')[1]}"


FAILED = (
    "The API key is wrong, revoked or expired, or its organisation has no "
    "active cooperation agreement."
)
MISSING = "Send an organisation's key: `Authorization: Api-Key <key>`."


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (_revoked, FAILED),
        (_expired, FAILED),
        (_terminated, FAILED),
        (_lapsed, FAILED),
        (_wrong_secret, FAILED),
        (_unknown_prefix, FAILED),
        (lambda partners: "no-dot-at-all", FAILED),
        (lambda partners: ".", FAILED),
        (lambda partners: partners.tlv_key.hashed_key, FAILED),
        (lambda partners: partners.tlv_key.pk, FAILED),
        (None, MISSING),
    ],
    ids=[
        "revoked",
        "expired",
        "agreement-terminated",
        "agreement-lapsed",
        "wrong-secret",
        "unknown-prefix",
        "malformed",
        "only-a-dot",
        "the-hash",
        "the-id",
        "missing",
    ],
)
def test_keys_that_must_not_work_are_a_401_problem(client, partners, header, detail):
    headers = auth(header(partners)) if header else {}

    response = client.get(FEED, **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == detail


@pytest.mark.parametrize("authorization", ["Bearer abc.def", "Api-Key", "ApiKey abc.def"])
def test_other_authorization_schemes_are_a_missing_key(client, partners, authorization):
    response = client.get(FEED, HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response.json()["detail"] == MISSING


def test_a_key_without_the_scope_is_a_403_problem(client, partners):
    _key, raw = make_key(partners.tel_aviv, scopes=["recommend"])

    response = client.get(FEED, **auth(raw))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "This API key does not have the scope this endpoint needs."


def updates(queries) -> int:
    return sum(1 for query in queries.captured_queries if query["sql"].startswith("UPDATE"))


def test_the_last_use_is_written_at_most_once_a_minute(client, partners):
    assert partners.paris_key.last_used_at is None

    with CaptureQueriesContext(connection) as queries:
        client.get(FEED, **auth(partners.paris_raw))
        client.get(FEED, **auth(partners.paris_raw))

    assert updates(queries) == 1
    partners.paris_key.refresh_from_db()
    first = partners.paris_key.last_used_at
    assert timezone.now() - first < datetime.timedelta(seconds=30)

    # A minute later, the next request writes it again, once.
    PartnerApiKey.objects.filter(pk=partners.paris_key.pk).update(
        last_used_at=first - datetime.timedelta(minutes=2)
    )
    with CaptureQueriesContext(connection) as queries:
        client.get(FEED, **auth(partners.paris_raw))
        client.get(FEED, **auth(partners.paris_raw))

    assert updates(queries) == 1
    partners.paris_key.refresh_from_db()
    assert partners.paris_key.last_used_at > first


# Throttling


def test_the_partner_throttle_is_per_key_at_the_configured_rate(partners):
    throttle = PartnerKeyThrottle()

    class Asked:
        META = {"REMOTE_ADDR": "192.0.2.1"}

        def __init__(self, key):
            self.auth = key

    assert throttle.rate == "600/minute"
    assert (throttle.num_requests, throttle.duration) == (600, 60)
    assert throttle.get_cache_key(Asked(partners.tlv_key), None) == (
        f"throttle_partner_key:{partners.tlv_key.prefix}"
    )
    assert throttle.get_cache_key(Asked(partners.paris_key), None) == (
        f"throttle_partner_key:{partners.paris_key.prefix}"
    )


def test_a_key_that_used_up_its_rate_is_a_429_while_the_other_key_works(client, partners):
    _second, second_raw = make_key(partners.tel_aviv, name="rotation")
    # 600 requests in the last minute, as the throttle records them.
    cache.set(f"throttle_partner_key:{partners.tlv_key.pk}", [time.time()] * 600, 60)

    limited = client.get(FEED, **auth(partners.tlv_raw))
    other = client.get(FEED, **auth(second_raw))

    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert other.status_code == 200
