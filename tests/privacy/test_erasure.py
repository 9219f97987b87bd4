"""Deleting an account: every rule of alliance/privacy/erasure.py, and a scan of every model
that finds the user's email and name nowhere afterwards."""

import json
import time
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.admin.models import CHANGE
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance.accounts.models import User
from alliance.mail.models import EmailMessage, EmailStatus
from alliance.mail.outbox import Recipient, queue_email
from alliance.privacy.erasure import erase_account, placeholder_email
from exchanges.models import Answer, Application, State
from exchanges.partners.webhooks import services as webhooks
from exchanges.partners.webhooks.models import EventType, WebhookEvent
from exchanges.services import (
    accept_application,
    reject_application,
    submit_application,
    waitlist_application,
)
from startups.models import Invitation, Membership, Role, Startup
from tests.api.conftest import active_agreement, auth, make_key
from tests.exchanges.conftest import staff_user
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
    ProgrammeFactory,
    QuestionFactory,
    StartupFactory,
    UserFactory,
)
from tests.helpers import pdf_bytes, text_of

# Each request in its own transaction, as in production: the files go after the commit.
pytestmark = pytest.mark.django_db(transaction=True)

FEED = "/api/v1/partner/applications/"
PASSWORD = "correct horse battery staple"  # the factory's
EMAIL = "ada.erasmus@example.com"
NAME = "Ada Quixote-Erasmus"
TEXT_FIELDS = (models.CharField, models.TextField, models.EmailField, models.JSONField)


def submitted(application, by, answer=f"{NAME} travels in March"):
    for question in application.programme.questions.all():
        Answer.objects.create(application=application, question=question, value=answer)
    return submit_application(application, by=by, consent=True)


@pytest.fixture
def world(settings, tmp_path):
    """Ada, the founder to erase, and Otto, who must keep everything."""
    settings.MEDIA_ROOT = tmp_path
    settings.STAFF_INBOX = ["staff@berlin-partner.example"]
    staff = staff_user(email="staff@berlin-partner.example")
    hub = OrganisationFactory(is_hub_operator=True)
    host = OrganisationFactory(name="Tel Aviv Global")
    active_agreement(host, hub)
    _key, raw = make_key(host)
    ada = UserFactory(email=EMAIL, name=NAME, email_verified_at=timezone.now())
    EmailAddress.objects.create(user=ada, email=EMAIL, verified=True, primary=True)
    otto = UserFactory(
        email="otto@example.com", name="Otto Other", email_verified_at=timezone.now()
    )

    # Ada's start-up, hers alone: a submitted, an accepted, a rejected application, a draft.
    robots = MembershipFactory(user=ada, role=Role.OWNER, startup__name="Quixote Robotics").startup
    residency = ProgrammeFactory(host_organisation=host, host_city=host.city)
    QuestionFactory(programme=residency)
    deck = submitted(
        ApplicationFactory(
            programme=residency,
            startup=robots,
            created_by=ada,
            motivation=f"I am {NAME}, write to {EMAIL}.",
        ),
        ada,
    )
    deck.pitch_deck.save("ada.pdf", ContentFile(pdf_bytes()), save=True)
    bootcamp = ProgrammeFactory(host_organisation=host, seats=1, automatic_backfill=True)
    QuestionFactory(programme=bootcamp)
    accepted = accept_application(
        submitted(ApplicationFactory(programme=bootcamp, startup=robots, created_by=ada), ada),
        by=staff,
    )
    rejected = reject_application(
        submitted(ApplicationFactory(programme=ProgrammeFactory(), startup=robots), ada),
        by=staff,
        comment=f"Spoke with {NAME}",
    )
    draft = ApplicationFactory(programme=ProgrammeFactory(), startup=robots, created_by=ada)
    draft.pitch_deck.save("draft.pdf", ContentFile(pdf_bytes()), save=True)
    # A second start-up of hers with only a draft: deleted whole.
    lonely = MembershipFactory(user=ada, role=Role.OWNER, startup__name="Lonely GmbH").startup
    lonely_draft = ApplicationFactory(programme=residency, startup=lonely, created_by=ada)

    # Otto's start-up, waitlisted at the bootcamp; Ada co-owns it with him.
    shared = MembershipFactory(user=otto, role=Role.OWNER, startup__name="Otto Systems").startup
    MembershipFactory(user=ada, startup=shared, role=Role.OWNER)
    waiting = waitlist_application(
        submitted(
            ApplicationFactory(programme=bootcamp, startup=shared, created_by=ada),
            otto,
            answer="Otto travels in May",
        ),
        by=staff,
    )
    Invitation.objects.create(
        startup=shared,
        email="friend@example.com",
        invited_by=ada,
        token="t1",
        expires_at=timezone.now() + timezone.timedelta(days=3),
    )
    Invitation.objects.create(
        startup=StartupFactory(),
        email=EMAIL,
        token="t2",
        expires_at=timezone.now() + timezone.timedelta(days=3),
    )
    # Mail: to her (queued and sent), and to Otto naming her.
    queue_email(
        "exchanges/email/seat_free",
        to=[Recipient(EMAIL, "en")],
        context={"programme": "x", "free": "1"},
    )
    queue_email(
        "exchanges/email/seat_free",
        to=[Recipient("otto@example.com", "en")],
        context={"programme": f"{NAME} ({EMAIL})", "free": "1"},
    )
    # The ledger: the host read the submitted application; the admin log names her.
    assert auth_get(raw, deck.pk).status_code == 200
    AdminLogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(ada.pk),
        object_repr=str(ada),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["name"]}}]),
    )
    return SimpleNamespace(
        ada=ada,
        otto=otto,
        staff=staff,
        raw=raw,
        robots=robots,
        lonely=lonely,
        shared=shared,
        deck=Application.objects.get(pk=deck.pk),
        accepted=accepted,
        rejected=rejected,
        draft=draft,
        lonely_draft=lonely_draft,
        waiting=waiting,
        residency=residency,
    )


def auth_get(raw, pk=None):
    path = f"{FEED}{pk}/" if pk else FEED
    return Client().get(path, {"page_size": 100} if pk is None else {}, **auth(raw))


def feed(raw, *, showing) -> dict[int, dict]:
    """The feed's rows by id, waited for until `showing(rows)` holds (or 20 s passed).

    On PostgreSQL a committed change shows once every older transaction of the server has
    ended (the feed's visibility horizon), and other databases' transactions count too.
    """
    deadline = time.monotonic() + 20
    while True:
        response = auth_get(raw)
        assert response.status_code == 200, response.content
        rows = {item["id"]: item for item in response.json()["results"]}
        if showing(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def delete_through_the_page(client, user, **data):
    client.force_login(user)
    return client.post(reverse("delete-account"), {"password": PASSWORD, **data})


def personal_values_left(*needles: str) -> list[str]:
    """Every text value of every row of every model that contains one of `needles`."""
    found = []
    needles = [needle.lower() for needle in needles]
    for model in apps.get_models():
        names = [
            field.attname for field in model._meta.concrete_fields if isinstance(field, TEXT_FIELDS)
        ]
        if not names:
            continue
        for row in model._base_manager.values_list("pk", *names):
            for name, value in zip(names, row[1:], strict=True):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(needle in (text or "").lower() for needle in needles):
                    found.append(f"{model._meta.label}#{row[0]}.{name}: {text[:120]}")
    return found


def test_the_world_names_ada_before(world):
    assert len(personal_values_left(EMAIL, NAME)) > 10


def test_erasure_leaves_the_users_email_and_name_nowhere(client, world):
    response = delete_through_the_page(client, world.ada)

    assert response.status_code == 302
    assert response["Location"] == reverse("account-deleted")
    left = personal_values_left(EMAIL, NAME)
    assert left == [], "\n".join(left)


def test_the_account_is_kept_anonymous_and_cannot_log_in(client, world):
    elsewhere = Client()  # her other browser
    elsewhere.force_login(world.ada)

    delete_through_the_page(client, world.ada)

    ada = User.objects.get(pk=world.ada.pk)
    assert ada.email == placeholder_email(ada) == f"erased-{ada.pk}@erased.invalid"
    assert ada.name == ""
    assert not ada.has_usable_password()
    assert (ada.is_active, ada.is_staff, ada.email_verified_at) == (False, False, None)
    assert not EmailAddress.objects.filter(user=ada).exists()
    assert not Membership.objects.filter(user=ada).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    assert client.get(reverse("profile"))["Location"].startswith(reverse("account_login"))
    assert elsewhere.get(reverse("profile"))["Location"].startswith(reverse("account_login"))
    assert not client.login(email=EMAIL, password=PASSWORD)


def test_the_confirmation_page_follows(client, world):
    response = delete_through_the_page(client, world.ada)

    page = client.get(response["Location"])
    assert "Your account has been deleted" in text_of(page)


def test_alive_applications_are_withdrawn_and_the_seat_backfilled(client, world):
    delete_through_the_page(client, world.ada)

    states = dict(Application.objects.filter(startup=world.robots).values_list("pk", "state"))
    assert states == {
        world.deck.pk: State.WITHDRAWN,
        world.accepted.pk: State.WITHDRAWN,
        world.rejected.pk: State.REJECTED,
    }
    world.waiting.refresh_from_db()
    assert world.waiting.state == State.ACCEPTED  # Otto's start-up took the freed seat
    assert world.waiting.events.last().comment == "backfill"


def test_kept_applications_are_anonymous_records(client, world):
    delete_through_the_page(client, world.ada)

    startup = Startup.objects.get(pk=world.robots.pk)
    assert startup.name == f"Erased start-up {startup.pk}"
    assert (startup.slug, startup.website, startup.pitch) == (f"erased-{startup.pk}", "", "")
    assert not startup.memberships.exists()
    for application in startup.applications.all():
        assert (application.motivation, application.goals, application.pitch_deck.name) == (
            "",
            "",
            "",
        )
        assert application.created_by is None
        assert application.consent_text  # the programme's wording, not hers
        assert set(application.answers.values_list("value", flat=True)) <= {""}
        assert set(application.events.values_list("comment", flat=True)) <= {""}


def test_start_ups_left_without_an_owner_lose_their_drafts_or_go(client, world):
    delete_through_the_page(client, world.ada)

    assert not Application.objects.filter(pk__in=[world.draft.pk, world.lonely_draft.pk]).exists()
    assert not Startup.objects.filter(pk=world.lonely.pk).exists()


def test_pitch_decks_are_deleted_after_commit(client, world):
    storage = world.deck.pitch_deck.storage
    names = [world.deck.pitch_deck.name, world.draft.pitch_deck.name]
    assert all(storage.exists(name) for name in names)

    delete_through_the_page(client, world.ada)

    assert [storage.exists(name) for name in names] == [False, False]


@transaction.atomic
def erase_then_fail(user):
    erase_account(user)
    raise RuntimeError


def test_a_rolled_back_erasure_keeps_the_files(world):
    storage = world.deck.pitch_deck.storage
    name = world.deck.pitch_deck.name

    with pytest.raises(RuntimeError):
        erase_then_fail(world.ada)

    assert storage.exists(name)
    assert User.objects.get(pk=world.ada.pk).email == EMAIL


def test_partners_get_tombstones(client, world):
    before = feed(world.raw, showing=lambda rows: world.deck.pk in rows)
    assert before[world.deck.pk]["removed"] is False

    delete_through_the_page(client, world.ada)

    gone = (world.deck.pk, world.accepted.pk)
    after = feed(
        world.raw, showing=lambda rows: all(rows.get(pk, {}).get("removed") for pk in gone)
    )
    for pk in gone:
        assert after[pk] == {"id": pk, "removed": True, "at": after[pk]["at"]}
    assert auth_get(world.raw, world.deck.pk).status_code == 404
    assert after[world.waiting.pk]["removed"] is False  # Otto's stays shared


def test_the_other_users_data_is_intact(client, world):
    otto_before = User.objects.filter(pk=world.otto.pk).values().get()

    delete_through_the_page(client, world.ada)

    assert User.objects.filter(pk=world.otto.pk).values().get() == otto_before
    assert list(world.shared.memberships.values_list("user__email", "role")) == [
        ("otto@example.com", Role.OWNER)
    ]
    shared = Startup.objects.get(pk=world.shared.pk)
    assert shared.name == "Otto Systems"
    waiting = Application.objects.get(pk=world.waiting.pk)
    assert waiting.motivation == world.waiting.motivation
    assert waiting.created_by is None  # Ada made it; it no longer names her
    assert list(waiting.answers.values_list("value", flat=True)) == ["Otto travels in May"]
    assert Invitation.objects.get(token="t1").invited_by is None
    assert not Invitation.objects.filter(token="t2").exists()
    assert EmailMessage.objects.filter(recipient="otto@example.com").exists()


def test_the_outbox_keeps_metadata_only(client, world):
    delete_through_the_page(client, world.ada)

    placeholder = placeholder_email(world.ada)
    to_her = EmailMessage.objects.filter(recipient=placeholder)
    assert to_her.count() >= 1
    assert set(to_her.values_list("body_text", "body_html", "unsubscribe_url")) == {("", "", "")}
    assert not to_her.filter(status__in=[EmailStatus.QUEUED, EmailStatus.SENDING]).exists()
    to_otto = EmailMessage.objects.filter(
        recipient="otto@example.com", template_key="exchanges/email/seat_free"
    ).get()
    assert "[erased]" in to_otto.body_text


def test_the_audit_log_keeps_the_facts(client, world):
    user_type = ContentType.objects.get_for_model(User)
    count = LogEntry.objects.filter(content_type=user_type, object_pk=str(world.ada.pk)).count()

    delete_through_the_page(client, world.ada)

    entries = LogEntry.objects.filter(content_type=user_type, object_pk=str(world.ada.pk))
    assert entries.count() > count  # the erasure's own changes are logged too
    last = entries.filter(changes__has_key="email").latest("timestamp")
    assert last.changes["email"] == ["[erased]", "[erased]"]  # the fact, not the values
    assert last.changes["name"] == ["[erased]", ""]
    assert not LogEntry.objects.filter(actor=world.ada, remote_addr__isnull=False).exists()
    assert AdminLogEntry.objects.get(object_id=str(world.ada.pk)).object_repr == "[erased]"
    # The kept and the deleted applications' entries no longer hold what was written in them.
    application_type = ContentType.objects.get_for_model(Application)
    for pk in (world.deck.pk, world.draft.pk):
        entries = LogEntry.objects.filter(content_type=application_type, object_id=pk)
        created = entries.get(action=LogEntry.Action.CREATE)
        assert created.changes["motivation"][1] == "[erased]"
        assert entries.filter(action=LogEntry.Action.DELETE).exists() == (pk == world.draft.pk)


def test_a_wrong_password_changes_nothing(client, world):
    client.force_login(world.ada)

    response = client.post(reverse("delete-account"), {"password": "not it"})

    assert response.status_code == 200
    assert "This is not your password." in text_of(response)
    ada = User.objects.get(pk=world.ada.pk)
    assert (ada.email, ada.name, ada.is_active) == (EMAIL, NAME, True)
    assert Application.objects.get(pk=world.deck.pk).state == State.SUBMITTED
    assert world.deck.pitch_deck.storage.exists(world.deck.pitch_deck.name)
    assert client.get(reverse("profile")).status_code == 200


def test_the_page_says_what_happens_and_the_profile_links_to_it(client, world):
    client.force_login(world.ada)

    page = text_of(client.get(reverse("delete-account")))
    profile = client.get(reverse("profile")).content.decode()

    assert "cannot be undone" in page
    assert "are withdrawn" in page
    assert "Partner organisations are told to delete their copies" in page
    assert profile.count(reverse("delete-account")) == 1


def test_a_second_factor_is_required_when_the_account_has_one(client, world):
    codes = RecoveryCodes.activate(world.ada)
    code = codes.get_unused_codes()[0]
    client.force_login(world.ada)

    refused = client.post(reverse("delete-account"), {"password": PASSWORD, "code": "000000"})
    assert refused.status_code == 200
    assert User.objects.get(pk=world.ada.pk).email == EMAIL

    accepted = client.post(reverse("delete-account"), {"password": PASSWORD, "code": code})
    assert accepted["Location"] == reverse("account-deleted")
    assert User.objects.get(pk=world.ada.pk).email == placeholder_email(world.ada)


@pytest.mark.django_db(transaction=False)  # no delivery: on_commit never runs here
def test_webhook_bodies_lose_her_and_partners_get_removed_events():
    hub = OrganisationFactory(is_hub_operator=True)
    host = OrganisationFactory()
    active_agreement(host, hub)
    webhooks.register(host, url="https://hooks.example.com/host", events=list(EventType.values))
    ada = UserFactory(email=EMAIL, name=NAME, email_verified_at=timezone.now())
    startup = MembershipFactory(user=ada, role=Role.OWNER).startup
    programme = ProgrammeFactory(host_organisation=host, host_city=host.city)
    application = submitted(
        ApplicationFactory(programme=programme, startup=startup, motivation=f"Ask {NAME}"), ada
    )
    assert NAME in WebhookEvent.objects.get(type="application.submitted").body

    erase_account(ada)

    events = WebhookEvent.objects.filter(application_ref=application.pk)
    assert [NAME in event.body or EMAIL in event.body for event in events] == [False] * len(events)
    assert events.filter(type="application.removed", organisation=host).count() == 1
