"""Retention with frozen time: each job is given `now`, run twice, and read back."""

import datetime
import logging
import os
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from alliance.accounts.models import User
from alliance.mail.models import EmailMessage, EmailStatus
from alliance.mail.outbox import Recipient, queue_email
from alliance.privacy import retention
from alliance.privacy.retention import apply_retention, months_before
from exchanges.models import Answer, Application, State
from exchanges.services import reject_application, update_draft, withdraw_application
from startups.models import Role
from tests.api.conftest import auth, partners  # noqa: F401 (the fixture)
from tests.exchanges.conftest import staff_user
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.helpers import pdf_bytes

FEED = "/api/v1/partner/applications/"
WARNING = "exchanges/email/draft_deletion_warning"
T = timezone.now().replace(microsecond=0)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def idle_draft(updated_at: datetime.datetime, *, language: str = "de") -> Application:
    owner = MembershipFactory(
        role=Role.OWNER,
        user__email="owner@startup.example",
        user__language=language,
        startup__name="Idle Robotics",
    )
    MembershipFactory(role=Role.MEMBER, startup=owner.startup, user__email="member@startup.example")
    return ApplicationFactory(startup=owner.startup, created_by=owner.user, updated_at=updated_at)


def draft_title_de(message: EmailMessage) -> str:
    return Application.objects.get(pk=message.related_id).programme.title_de


def warnings() -> list[tuple[str, str]]:
    return list(
        EmailMessage.objects.filter(template_key=WARNING).values_list("recipient", "language")
    )


# Months: calendar months, the 31st clamped.


def test_months_before_counts_calendar_months():
    moment = datetime.datetime(2026, 3, 31, 12, tzinfo=datetime.UTC)

    assert months_before(moment, 1) == datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC)
    assert months_before(moment, 12) == datetime.datetime(2025, 3, 31, 12, tzinfo=datetime.UTC)
    assert months_before(moment, -10) == datetime.datetime(2027, 1, 31, 12, tzinfo=datetime.UTC)


# 1. Drafts


def test_a_draft_idle_for_eleven_months_gets_nothing(db):
    draft = idle_draft(months_before(T, 11))

    counts = retention.expire_drafts(now=T)

    assert counts == {"warned": 0, "deleted": 0, "without_team": 0}
    assert warnings() == []
    assert Application.objects.filter(pk=draft.pk).exists()


def test_a_draft_idle_for_twelve_months_less_the_warning_period_is_warned_once(db):
    idle_draft(months_before(T, 12) + days(30))

    first = retention.expire_drafts(now=T)
    second = retention.expire_drafts(now=T + days(1))

    assert first == {"warned": 1, "deleted": 0, "without_team": 0}
    assert second == {"warned": 0, "deleted": 0, "without_team": 0}
    assert warnings() == [("owner@startup.example", "de")]  # the owners, in their language
    message = EmailMessage.objects.get(template_key=WARNING)
    assert draft_title_de(message) in message.subject
    assert "Idle Robotics" in message.body_text


def test_a_warned_draft_is_deleted_only_after_the_warning_period(db):
    draft = idle_draft(months_before(T, 12) + days(30))
    retention.expire_drafts(now=T)

    early = retention.expire_drafts(now=T + days(29))
    assert early["deleted"] == 0
    assert Application.objects.filter(pk=draft.pk).exists()

    due = retention.expire_drafts(now=T + days(30))
    again = retention.expire_drafts(now=T + days(31))

    assert due == {"warned": 0, "deleted": 1, "without_team": 0}
    assert again == {"warned": 0, "deleted": 0, "without_team": 0}
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert len(warnings()) == 1


def test_a_draft_touched_after_the_warning_is_kept(db):
    draft = idle_draft(months_before(T, 12) + days(30))
    retention.expire_drafts(now=T)
    owner = draft.startup.memberships.get(role=Role.OWNER).user

    update_draft(draft, by=owner, fields={"goals": "Still on it."}, answers={})
    counts = retention.expire_drafts(now=T + days(30))

    assert counts == {"warned": 0, "deleted": 0, "without_team": 0}
    assert Application.objects.get(pk=draft.pk).goals == "Still on it."


def test_a_deleted_drafts_pitch_deck_goes_after_commit(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    draft = idle_draft(months_before(T, 12))
    draft.pitch_deck.save("deck.pdf", ContentFile(pdf_bytes()), save=False)
    Application.objects.filter(pk=draft.pk).update(pitch_deck=draft.pitch_deck.name)
    storage, name = draft.pitch_deck.storage, draft.pitch_deck.name
    retention.expire_drafts(now=T)

    with django_capture_on_commit_callbacks(execute=True):
        counts = retention.expire_drafts(now=T + days(30))

    assert counts["deleted"] == 1
    assert not storage.exists(name)


# 2. Closed applications


@pytest.fixture
def closed(partners, settings, tmp_path):  # noqa: F811 (the fixture)
    """A rejected and a withdrawn application of the Tel Aviv residency, with pitch decks."""
    settings.MEDIA_ROOT = tmp_path
    staff = staff_user()
    rejected, withdrawn, alive = partners.tlv_apps
    reject_application(rejected, by=staff, comment="Spoke with the founder")
    owner = withdrawn.startup.memberships.get(role=Role.OWNER).user
    withdraw_application(withdrawn, by=owner)
    for application in (rejected, withdrawn):
        application.pitch_deck.save("deck.pdf", ContentFile(pdf_bytes()), save=True)
    ended = partners.tlv_programme.ends_on
    moment = datetime.datetime.combine(ended, datetime.time(12), datetime.UTC)
    return partners, [rejected, withdrawn], alive, months_before(moment, -24)


def feed_rows(raw: str) -> dict[int, dict]:
    response = Client().get(FEED, {"page_size": 100}, **auth(raw))
    assert response.status_code == 200, response.content
    return {item["id"]: item for item in response.json()["results"]}


def test_closed_applications_are_kept_until_the_period_after_the_programme_ended(closed):
    _partners, gone, _alive, after = closed

    counts = retention.anonymise_closed_applications(now=after - days(1))

    assert counts == {"anonymised": 0, "pitch_decks": 0, "tombstones": 0}
    assert Application.objects.get(pk=gone[0].pk).motivation == gone[0].motivation


def test_closed_applications_lose_their_personal_data_and_files(
    closed, django_capture_on_commit_callbacks
):
    _world, gone, alive, after = closed
    files = [(a.pitch_deck.storage, a.pitch_deck.name) for a in gone]
    assert all(storage.exists(name) for storage, name in files)
    consent = {a.pk: (a.consent_at, a.consent_text) for a in gone}

    with django_capture_on_commit_callbacks(execute=True):
        counts = retention.anonymise_closed_applications(now=after)
    again = retention.anonymise_closed_applications(now=after + days(1))

    # Two organisations (host and co-organiser) see each: two tombstones an application.
    assert counts == {"anonymised": 2, "pitch_decks": 2, "tombstones": 4}
    assert again == {"anonymised": 0, "pitch_decks": 0, "tombstones": 0}
    for application in Application.objects.filter(pk__in=[a.pk for a in gone]):
        assert application.anonymised_at == after
        assert (application.motivation, application.goals, application.pitch_deck.name) == (
            "",
            "",
            "",
        )
        assert application.created_by is None
        assert (application.consent_at, application.consent_text) == consent[application.pk]
        assert application.state in (State.REJECTED, State.WITHDRAWN)
        assert set(application.events.values_list("comment", flat=True)) == {""}
    assert set(Answer.objects.filter(application__in=gone).values_list("value", flat=True)) == {""}
    assert [storage.exists(name) for storage, name in files] == [False, False]
    kept = Application.objects.get(pk=alive.pk)
    assert kept.anonymised_at is None
    assert kept.motivation == alive.motivation


def test_the_audit_log_keeps_the_entries_without_the_texts(closed):
    _partners, gone, _alive, after = closed
    application = gone[0]
    before = LogEntry.objects.get_for_object(application).count()

    retention.anonymise_closed_applications(now=after)

    entries = LogEntry.objects.get_for_object(application)
    assert entries.count() == before
    texts = [str(entry.changes) for entry in entries]
    assert not [text for text in texts if application.motivation in text]


def test_partners_get_tombstones_for_anonymised_applications(closed):
    world, gone, alive, after = closed
    assert all(feed_rows(world.tlv_raw)[a.pk]["removed"] is False for a in gone)

    retention.anonymise_closed_applications(now=after)

    for raw in (world.tlv_raw, world.warsaw_raw):
        rows = feed_rows(raw)
        for application in gone:
            pk = application.pk
            assert rows[pk] == {"id": pk, "removed": True, "at": rows[pk]["at"]}
        assert rows[alive.pk]["removed"] is False


# 3. Unverified accounts


def test_unverified_accounts_are_deleted_after_thirty_days(db):
    young = UserFactory(email="young@example.com", date_joined=T - days(29))
    old = UserFactory(email="old@example.com", date_joined=T - days(30))
    queue_email("exchanges/email/seat_free", to=[Recipient(old.email, "en")], context={})
    verified = UserFactory(email="verified@example.com", date_joined=T - days(90))
    EmailAddress.objects.create(user=verified, email=verified.email, verified=True, primary=True)
    marked = UserFactory(email="marked@example.com", date_joined=T - days(90), email_verified_at=T)
    staff = UserFactory(email="staff@example.com", date_joined=T - days(90), is_staff=True)
    owner = MembershipFactory(role=Role.OWNER, user__email_verified_at=None).user
    User.objects.filter(pk=owner.pk).update(date_joined=T - days(90))

    counts = retention.delete_unverified_accounts(now=T)
    again = retention.delete_unverified_accounts(now=T)

    assert counts == {"deleted": 1, "skipped_owners": 1}
    assert again == {"deleted": 0, "skipped_owners": 1}
    left = set(User.objects.values_list("pk", flat=True))
    assert left == {young.pk, verified.pk, marked.pk, staff.pk, owner.pk}
    assert not EmailMessage.objects.filter(recipient="old@example.com").exists()
    everything = " ".join(str(e.__dict__) for e in LogEntry.objects.all())
    assert "old@example.com" not in everything


# 4. Email bodies


def message(status: str, **fields) -> EmailMessage:
    row = queue_email(
        "exchanges/email/seat_free", to=[Recipient("reader@example.com", "en")], context={}
    )[0]
    EmailMessage.objects.filter(pk=row.pk).update(status=status, **fields)
    return EmailMessage.objects.get(pk=row.pk)


def test_email_bodies_are_cleared_after_ninety_days_and_the_metadata_stays(db):
    old = message(EmailStatus.SENT, sent_at=T - days(90), body_html="<p>Hi</p>")
    recent = message(EmailStatus.SENT, sent_at=T - days(89))
    failed = message(EmailStatus.FAILED, created_at=T - days(91))
    queued = message(EmailStatus.QUEUED, created_at=T - days(400))
    metadata = ("recipient", "subject", "template_key", "status", "sent_at", "created_at")
    before = EmailMessage.objects.filter(pk=old.pk).values(*metadata).get()

    counts = retention.clear_email_bodies(now=T)
    again = retention.clear_email_bodies(now=T)

    assert counts == {"sent": 1, "failed": 1}
    assert again == {"sent": 0, "failed": 0}
    bodies = dict(EmailMessage.objects.values_list("pk", "body_text"))
    assert (bodies[old.pk], bodies[failed.pk]) == ("", "")
    assert bodies[recent.pk] == recent.body_text != ""
    assert bodies[queued.pk] == queued.body_text != ""
    assert EmailMessage.objects.get(pk=old.pk).body_html == ""
    assert EmailMessage.objects.filter(pk=old.pk).values(*metadata).get() == before


# Everything at once


def test_apply_retention_logs_counts_and_no_personal_data(db, caplog):
    idle_draft(months_before(T, 12) + days(30))
    UserFactory(email="gone@example.com", date_joined=T - days(31))

    with caplog.at_level(logging.INFO, logger="alliance.privacy.retention"):
        counts = apply_retention(now=T)

    assert counts["drafts"] == {"warned": 1, "deleted": 0, "without_team": 0}
    assert counts["unverified_accounts"] == {"deleted": 1, "skipped_owners": 0}
    assert set(counts) == {"drafts", "closed_applications", "unverified_accounts", "email_bodies"}
    logged = caplog.text
    assert "retention drafts: warned=1, deleted=0, without_team=0" in logged
    assert "retention unverified accounts: deleted=1" in logged
    assert "@" not in logged
    assert "Idle Robotics" not in logged


def test_the_command_prints_counts_and_a_dry_run_changes_nothing(db, capsys):
    draft = idle_draft(months_before(T, 13))

    call_command("apply_retention", "--dry-run")
    dry = capsys.readouterr().out

    assert "would be: drafts: warned 1, deleted 0, without_team 0" in dry
    assert warnings() == []
    assert Application.objects.filter(pk=draft.pk).exists()

    call_command("apply_retention")

    assert "drafts: warned 1" in capsys.readouterr().out
    assert len(warnings()) == 1


# A fresh process: in this one another test may have imported the task module already.
REGISTERED = """
import django
django.setup()
from alliance.celery_app import app
app.loader.import_default_modules()  # what a worker does at start: autodiscovery
print("privacy.apply_retention" in app.tasks)
"""


def test_the_task_is_registered_in_a_worker():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(
        [sys.executable, "-c", REGISTERED], capture_output=True, text=True, env=env, check=True
    )

    assert result.stdout.split()[-1] == "True"


def test_the_task_applies_retention(db):
    from alliance.privacy.retention_tasks import apply_retention_task

    UserFactory(email="gone@example.com", date_joined=timezone.now() - days(31))

    counts = apply_retention_task.delay().get()

    assert counts["unverified_accounts"] == {"deleted": 1, "skipped_owners": 0}
