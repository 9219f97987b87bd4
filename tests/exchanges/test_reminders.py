"""Periodic notices: each sent once, to those who did not opt out."""

import datetime
import re

import pytest
from django.utils import timezone

from alliance.mail.models import EmailMessage
from alliance.mail.notices import unsubscribe_url
from exchanges import reminders, services
from exchanges.models import State
from exchanges.tasks import send_reminders, send_submission_digests
from tests.exchanges.conftest import emails_queued, make_application
from tests.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_draft_reminder_three_days_before_the_call_closes_once(world):
    world.programme.applications_close_at = timezone.now() + datetime.timedelta(days=2)
    world.programme.save()
    make_application(world)

    first = send_reminders.delay().get()
    second = send_reminders.delay().get()

    assert (first, second) == (1, 0)
    assert emails_queued() == [("draft_reminder", "owner@startup.example", "de")]
    message = EmailMessage.objects.get()
    assert (
        message.subject == f"Ihr Entwurf für {world.programme.title_de} ist noch nicht eingereicht"
    )
    assert message.unsubscribe_url.startswith("http://127.0.0.1:8000/de/unsubscribe/")
    assert message.unsubscribe_url in message.body_text


def test_no_draft_reminder_when_the_call_closes_later(world):
    make_application(world)  # the factory's call closes in 20 days

    assert reminders.send_draft_reminders() == 0
    assert emails_queued() == []


def test_confirmation_reminders_three_days_and_one_day_before(world):
    now = timezone.now()
    application = make_application(
        world, State.ACCEPTED, confirm_by=now + datetime.timedelta(days=2, hours=12)
    )

    assert reminders.send_confirmation_reminders(now=now) == 1
    assert reminders.send_confirmation_reminders(now=now) == 0
    later = now + datetime.timedelta(days=1, hours=13)
    assert reminders.send_confirmation_reminders(now=later) == 1
    assert reminders.send_confirmation_reminders(now=later) == 0

    assert emails_queued() == [
        ("confirm_reminder", "member@startup.example", "en"),
        ("confirm_reminder", "member@startup.example", "en"),
        ("confirm_reminder", "owner@startup.example", "de"),
        ("confirm_reminder", "owner@startup.example", "de"),
    ]
    assert application.pk


def test_an_opted_out_founder_gets_no_reminder_but_still_a_decision(client, world):
    owner = world.owner
    page = client.get(unsubscribe_url(owner, "en").split("8000", 1)[1])
    done = client.post(unsubscribe_url(owner, "en").split("8000", 1)[1])
    owner.refresh_from_db()
    application = make_application(
        world, State.SHORTLISTED, confirm_by=None, submitted_at=timezone.now()
    )

    services.accept_application(application, by=world.staff)
    application.confirm_by = timezone.now() + datetime.timedelta(hours=20)
    application.save()
    reminders.send_confirmation_reminders()

    assert "Stop reminders and digests" in page.content.decode()
    assert "you will no longer receive reminders" in done.content.decode()
    assert owner.receives_reminders is False
    assert emails_queued() == [
        ("application_accepted", "member@startup.example", "en"),
        ("application_accepted", "owner@startup.example", "de"),
        ("confirm_reminder", "member@startup.example", "en"),
    ]


def test_a_forged_unsubscribe_link_is_404(client, world):
    good = unsubscribe_url(world.owner, "en").split("8000", 1)[1]
    forged = re.sub(
        r"/unsubscribe/(.)", lambda m: f"/unsubscribe/{'A' if m[1] != 'A' else 'B'}", good
    )

    assert client.post(forged).status_code == 404
    world.owner.refresh_from_db()
    assert world.owner.receives_reminders is True


def test_one_click_unsubscribe_without_a_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    contact = ContactFactory(organisation=world.programme.host_organisation)

    response = client.post(
        unsubscribe_url(contact, "de").split("8000", 1)[1],
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    contact.refresh_from_db()
    assert response.status_code == 200
    assert contact.receives_notifications is False


def test_the_daily_digest_goes_once_to_host_and_co_organiser_contacts(world):
    co_organiser = OrganisationFactory()
    world.programme.co_organisers.add(co_organiser)
    ContactFactory(organisation=co_organiser, email="co@partner.example", language="en")
    yesterday = timezone.now() - datetime.timedelta(days=1)
    make_application(world, State.SUBMITTED, submitted_at=yesterday)

    first = send_submission_digests.delay().get()
    second = send_submission_digests.delay().get()

    assert (first, second) == (2, 0)
    assert emails_queued() == [
        ("submission_digest", "co@partner.example", "en"),
        ("submission_digest", "host@partner.example", "de"),
    ]
    english = EmailMessage.objects.get(recipient="co@partner.example")
    assert english.subject == "New applications: 1"
    assert f"- {world.startup.name}: {world.programme.title_en}" in english.body_text


def test_list_unsubscribe_headers_on_reminders_only(world, mailoutbox):
    from django.db import transaction

    world.programme.applications_close_at = timezone.now() + datetime.timedelta(days=1)
    world.programme.save()
    application = make_application(world)
    with transaction.atomic():
        reminders.send_draft_reminders()
    from alliance.mail.tasks import send_emails

    send_emails.delay(ids=list(EmailMessage.objects.values_list("pk", flat=True)))
    services.submit_application(application, by=world.owner, consent=True)
    send_emails.delay(ids=list(EmailMessage.objects.values_list("pk", flat=True)))

    by_subject = {message.subject: message for message in mailoutbox}
    reminder = next(m for s, m in by_subject.items() if s.startswith("Ihr Entwurf"))
    receipt = next(m for s, m in by_subject.items() if s.startswith("Bewerbung eingegangen"))
    assert reminder.extra_headers["List-Unsubscribe"].startswith(
        "<http://127.0.0.1:8000/de/unsubscribe/"
    )
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe" not in receipt.extra_headers
