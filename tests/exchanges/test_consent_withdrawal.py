"""Withdrawing consent to share an application: partners get a tombstone, staff an email,
the founder sees it on the application page; nobody outside the team can do it."""

import time

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from alliance.errors import DomainError
from alliance.mail.models import EmailMessage
from exchanges.models import State
from exchanges.services import withdraw_consent
from startups.models import Role
from tests.api import conftest as api_world
from tests.api.conftest import auth
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import text_of

# Each request and each change in its own transaction, as the partner feed is read.
pytestmark = pytest.mark.django_db(transaction=True)

FEED = "/api/v1/partner/applications/"
partners = api_world.partners


def feed_items(client, raw, *, showing=None):
    """The feed's rows by id; with `showing`, waited for until that id is in it.

    On PostgreSQL a committed change shows once every older transaction of the server has
    ended (the feed's visibility horizon), and other databases' transactions count too.
    """
    deadline = time.monotonic() + 20
    while True:
        response = client.get(FEED, {"page_size": 100}, **auth(raw))
        assert response.status_code == 200, response.content
        items = {item["id"]: item for item in response.json()["results"]}
        if showing is None or showing(items) or time.monotonic() > deadline:
            return items
        time.sleep(0.2)


def owner_of(application):
    return application.startup.memberships.get(role=Role.OWNER).user


def test_founder_withdraws_consent_and_partners_get_a_tombstone(client, partners):
    application = partners.tlv_apps[0]
    ready = feed_items(client, partners.tlv_raw, showing=lambda items: application.pk in items)
    assert ready[application.pk]["removed"] is False
    client.force_login(owner_of(application))

    response = client.post(
        reverse("exchanges:application-withdraw-consent", args=[application.pk]),
        {"confirm": "yes"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("exchanges:application-detail", args=[application.pk])
    application.refresh_from_db()
    assert application.consent_withdrawn_at is not None
    assert application.state == State.SUBMITTED  # still in the programme at Berlin Partner
    for raw in (partners.tlv_raw, partners.warsaw_raw):  # host and co-organiser
        item = feed_items(
            client, raw, showing=lambda items: items.get(application.pk, {}).get("removed")
        )[application.pk]
        assert item == {
            "id": application.pk,
            "removed": True,
            "at": item["at"],
        }
    assert client.get(f"{FEED}{application.pk}/", **auth(partners.tlv_raw)).status_code == 404
    others = feed_items(
        client,
        partners.tlv_raw,
        showing=lambda items: {a.pk for a in partners.tlv_apps} <= set(items),
    )
    assert [others[app.pk]["removed"] for app in partners.tlv_apps[1:]] == [False, False]


def test_staff_are_told_and_the_audit_log_has_it(client, partners, settings):
    settings.STAFF_INBOX = ["staff@berlin-partner.example"]
    application = partners.tlv_apps[1]
    client.force_login(owner_of(application))

    client.post(
        reverse("exchanges:application-withdraw-consent", args=[application.pk]),
        {"confirm": "yes"},
    )

    message = EmailMessage.objects.get(template_key="exchanges/email/consent_withdrawn")
    assert message.recipient == "staff@berlin-partner.example"
    assert message.related_id == application.pk
    assert "Shalom 1" in message.subject
    assert "Shalom 1" in message.body_text
    assert "{{" not in message.subject + message.body_text
    entry = LogEntry.objects.filter(
        content_type__model="application", object_id=application.pk
    ).latest("timestamp")
    assert set(entry.changes) == {"consent_withdrawn_at"}


def test_the_application_page_shows_it(client, partners):
    application = partners.tlv_apps[2]
    client.force_login(owner_of(application))
    page = reverse("exchanges:application-detail", args=[application.pk])
    before = text_of(client.get(page))
    assert "You can withdraw that consent" in before
    assert "You withdrew your consent" not in before

    response = client.post(
        reverse("exchanges:application-withdraw-consent", args=[application.pk]),
        {"confirm": "yes"},
        follow=True,
    )

    text = text_of(response)
    assert "Partner organisations no longer see your application." in text
    assert "You withdrew your consent on" in text
    assert 'name="confirm"' not in response.content.decode()


def test_a_team_member_may_withdraw_it_too(client, partners):
    application = partners.tlv_apps[0]
    member = MembershipFactory(startup=application.startup, role=Role.MEMBER).user
    client.force_login(member)

    client.post(
        reverse("exchanges:application-withdraw-consent", args=[application.pk]),
        {"confirm": "yes"},
    )

    application.refresh_from_db()
    assert application.consent_withdrawn_at is not None


def test_without_the_confirmation_nothing_happens(client, partners):
    application = partners.tlv_apps[0]
    client.force_login(owner_of(application))

    response = client.post(
        reverse("exchanges:application-withdraw-consent", args=[application.pk]), follow=True
    )

    assert "Tick the box to confirm" in text_of(response)
    application.refresh_from_db()
    assert application.consent_withdrawn_at is None
    items = feed_items(client, partners.tlv_raw, showing=lambda items: application.pk in items)
    assert items[application.pk]["removed"] is False


def test_another_user_cannot_withdraw_it(client, partners):
    application = partners.tlv_apps[0]
    client.force_login(owner_of(partners.paris_apps[0]))  # a founder of another team
    url = reverse("exchanges:application-withdraw-consent", args=[application.pk])

    assert client.post(url, {"confirm": "yes"}).status_code == 404
    client.force_login(UserFactory())
    assert client.post(url, {"confirm": "yes"}).status_code == 404
    client.logout()
    assert client.post(url, {"confirm": "yes"})["Location"].startswith(reverse("account_login"))
    assert client.get(url).status_code in (302, 405)

    application.refresh_from_db()
    assert application.consent_withdrawn_at is None
    items = feed_items(client, partners.tlv_raw, showing=lambda items: application.pk in items)
    assert items[application.pk]["removed"] is False
    assert not EmailMessage.objects.filter(
        template_key="exchanges/email/consent_withdrawn"
    ).exists()


def test_the_service_refuses_outsiders_drafts_and_twice(partners):
    application = partners.tlv_apps[0]
    with pytest.raises(DomainError) as refused:
        withdraw_consent(application, by=UserFactory())
    assert refused.value.code == "not_member"
    with pytest.raises(DomainError) as draft:
        withdraw_consent(partners.tlv_draft, by=owner_of(partners.tlv_draft))
    assert draft.value.code == "not_shared"

    withdraw_consent(application, by=owner_of(application))
    with pytest.raises(DomainError) as twice:
        withdraw_consent(application, by=owner_of(application))
    assert twice.value.code == "consent_withdrawn"
    assert (
        EmailMessage.objects.filter(template_key="exchanges/email/consent_withdrawn").count() == 1
    )
