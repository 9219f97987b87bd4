"""Retention: what the portal stops keeping, and when (issue 14, point 6).

Four jobs, each run nightly by `apply_retention` (Celery beat, "privacy.apply_retention"),
each taking `now` so that tests move the clock by passing it, each idempotent (a second
run finds nothing more to do) and each returning counts. They log counts only: never an
email address, a name or an id of a person.

1. **Drafts** untouched (`updated_at`) for RETENTION_DRAFT_MONTHS: the start-up's owners
   get a warning RETENTION_DRAFT_WARNING_DAYS before, once per untouched period (the
   notice is keyed by the draft and its `updated_at`: a draft edited after a warning gets
   a new warning when it falls idle again). A draft is deleted, through the drafts
   service, only once its warning went out at least RETENTION_DRAFT_WARNING_DAYS ago and
   it was not touched since. A draft whose start-up has no team is left alone (no one to
   warn, no one the service lets delete it) and counted.
2. **Closed applications** (rejected, withdrawn, expired) RETENTION_CLOSED_APPLICATION_MONTHS
   after their programme ended (`ends_on`) lose what the team wrote: motivation, goals,
   answers' values, staff's staged comment, the comments of their history, reviews and
   recommendations (they may name the team), `created_by`, and the pitch deck (its file
   deleted once the transaction commits). Kept, as for an erased account's applications:
   the start-up (its team still has it), programme, states and dates, needs (a fixed list
   of choices, no one's words), scores, and the consent record (`consent_at`,
   `consent_text`, `consent_withdrawn_at`): it is the evidence that the data was shared
   lawfully, and the wording is the programme's text, not the applicant's. The audit
   log keeps its entries about them but not the values of those fields. Partners get a
   tombstone for every share. `anonymised_at` marks them.
3. **Unverified accounts** (no verified email: neither `email_verified_at` nor a verified
   allauth address) older than RETENTION_UNVERIFIED_ACCOUNT_DAYS are deleted with their
   outbox messages and their audit entries (nothing of theirs is left); staff accounts are
   never touched, and one that owns a start-up is skipped and counted (its team's data is
   not this job's to delete).
4. **Email bodies** (text and HTML) of sent messages RETENTION_EMAIL_BODY_DAYS after they
   were sent, and of failed ones as long after they were queued; recipient, subject,
   template, times and status stay. Queued and sending messages are never cleared: they
   are still to be sent.
"""

import datetime
import logging
from calendar import monthrange

from allauth.account.models import EmailAddress
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from alliance.accounts.models import User
from alliance.i18n import translated_value
from alliance.links import absolute_url
from alliance.mail.models import EmailMessage, EmailStatus, SentNotice
from alliance.mail.notices import first_time
from alliance.mail.outbox import local_time, queue_email, recipients
from alliance.privacy.erasure import PERSONAL_FIELDS, _erased_values
from exchanges.models import (
    Answer,
    Application,
    ApplicationEvent,
    Recommendation,
    Review,
    State,
)
from exchanges.partners import feed
from exchanges.partners.models import ApplicationShare
from exchanges.services import delete_draft
from startups.models import Membership, Role

logger = logging.getLogger(__name__)

DRAFT_WARNING = "draft_deletion_warning"
CLOSED = (State.REJECTED, State.WITHDRAWN, State.EXPIRED)


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same time `months` calendar months earlier (the 31st becomes the month's last)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def _log(job: str, counts: dict[str, int]) -> dict[str, int]:
    logger.info(
        "retention %s: %s", job, ", ".join(f"{key}={value}" for key, value in counts.items())
    )
    return counts


# 1. Drafts


def _warning_key(draft: Application) -> str:
    return f"{draft.pk}:{draft.updated_at.isoformat()}"


def expire_drafts(*, now: datetime.datetime) -> dict[str, int]:
    """Warn the owners of drafts that fell idle, and delete those warned long enough ago."""
    months = _setting("RETENTION_DRAFT_MONTHS", 12)
    warning = datetime.timedelta(days=_setting("RETENTION_DRAFT_WARNING_DAYS", 30))
    idle_since = months_before(now, months)
    counts = {"warned": 0, "deleted": 0, "without_team": 0}
    drafts = (
        Application.objects.filter(state=State.DRAFT, updated_at__lte=idle_since + warning)
        .select_related("programme", "startup")
        .order_by("pk")
    )
    for draft in drafts:
        team = list(draft.startup.memberships.select_related("user").order_by("pk"))
        if not team:
            counts["without_team"] += 1
            continue
        notice = SentNotice.objects.filter(kind=DRAFT_WARNING, key=_warning_key(draft)).first()
        if notice is None:
            counts["warned"] += _warn(draft, team, now=now, months=months, warning=warning)
        elif notice.sent_at <= now - warning and draft.updated_at <= idle_since:
            counts["deleted"] += _delete(draft, by=team[0].user)
    return _log("drafts", counts)


def _warn(
    draft: Application,
    team: list[Membership],
    *,
    now: datetime.datetime,
    months: int,
    warning: datetime.timedelta,
) -> int:
    owners = [m.user for m in team if m.role == Role.OWNER] or [m.user for m in team]
    deleted_on = max(now + warning, months_before(draft.updated_at, -months))
    with transaction.atomic():
        key = _warning_key(draft)
        if not first_time(DRAFT_WARNING, key):
            return 0
        # The warning period runs from the job's clock, not the wall's (tests pass `now`).
        SentNotice.objects.filter(kind=DRAFT_WARNING, key=key).update(sent_at=now)
        programme = draft.programme
        queue_email(
            "exchanges/email/draft_deletion_warning",
            to=recipients(owners),  # not optional: an opt-out of reminders must not hide it
            context=lambda r: {
                "startup": draft.startup.name,
                "programme": translated_value(programme, "title", r.language)[0],
                "deleted_on": local_time(deleted_on, r),
                "application_url": absolute_url(
                    "exchanges:application-edit", r.language, pk=draft.pk
                ),
            },
            about=draft,
        )
    return 1


@transaction.atomic
def _delete(draft: Application, *, by: User) -> int:
    pk = draft.pk
    # Edited between the read and now: the lock in the service sees the newest row.
    if not Application.objects.filter(pk=pk, updated_at=draft.updated_at).exists():
        return 0
    delete_draft(draft, by=by)  # as one of the team: the service's own rules and file cleanup
    _scrub_audit_log(Application, [pk])
    return 1


# 2. Closed applications


def anonymise_closed_applications(*, now: datetime.datetime) -> dict[str, int]:
    """Clear closed applications' personal data once their programme ended long enough ago."""
    months = _setting("RETENTION_CLOSED_APPLICATION_MONTHS", 24)
    ended_by = months_before(now, months).date()
    due = Application.objects.filter(
        state__in=CLOSED, anonymised_at__isnull=True, programme__ends_on__lte=ended_by
    )
    with transaction.atomic():
        rows = list(due.select_for_update(of=("self",)).values_list("pk", "pitch_deck"))
        pks = [pk for pk, _deck in rows]
        files = [deck for _pk, deck in rows if deck]
        tombstones = 0
        if pks:
            tombstones = feed.remove(ApplicationShare.objects.filter(application_ref__in=pks), now)
            # Updates, not save(): an audited save would copy the old texts into the log.
            Application.objects.filter(pk__in=pks).update(
                motivation="",
                goals="",
                pending_comment="",
                pitch_deck="",
                pitch_deck_filename="",
                created_by=None,
                anonymised_at=now,
            )
            Answer.objects.filter(application__in=pks).update(value="")
            ApplicationEvent.objects.filter(application__in=pks).update(comment="")
            for model in (Review, Recommendation):
                reviewed = model.objects.filter(application__in=pks)
                _scrub_audit_log(model, list(reviewed.values_list("pk", flat=True)))
                reviewed.exclude(comment="").update(comment="")
            _scrub_audit_log(Application, pks)
        if files:
            transaction.on_commit(lambda: _delete_files(files), robust=True)
    counts = {"anonymised": len(pks), "pitch_decks": len(files), "tombstones": tombstones}
    return _log("closed applications", counts)


def _scrub_audit_log(model, pks: list[int]) -> None:
    """Keep the entries about these rows (who did what, when), not their personal values."""
    if not pks:
        return
    personal = PERSONAL_FIELDS[model]
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in pks],
    )
    for entry in entries.only("pk", "changes"):
        changes = entry.changes
        if not isinstance(changes, dict) or not set(personal) & changes.keys():
            continue
        scrubbed = {
            key: _erased_values(value) if key in personal else value
            for key, value in changes.items()
        }
        if scrubbed != changes:
            LogEntry.objects.filter(pk=entry.pk).update(changes=scrubbed)


def _delete_files(names: list[str]) -> None:
    storage = Application._meta.get_field("pitch_deck").storage
    for name in names:
        storage.delete(name)


# 3. Unverified accounts


def delete_unverified_accounts(*, now: datetime.datetime) -> dict[str, int]:
    """Delete accounts that never verified an email address within the period."""
    days = _setting("RETENTION_UNVERIFIED_ACCOUNT_DAYS", 30)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    owner = Membership.objects.filter(user=OuterRef("pk"), role=Role.OWNER)
    due = User.objects.filter(
        email_verified_at__isnull=True,
        date_joined__lte=now - datetime.timedelta(days=days),
        is_staff=False,
        is_superuser=False,
    ).exclude(Exists(verified))
    owners = due.filter(Exists(owner)).count()
    deleted = 0
    user_type = ContentType.objects.get_for_model(User)
    for user in due.exclude(Exists(owner)).order_by("pk").iterator():
        with transaction.atomic():
            EmailMessage.objects.filter(recipient__iexact=user.email).delete()
            LogEntry.objects.filter(actor=user).update(
                actor=None, actor_email=None, remote_addr=None, remote_port=None
            )
            LogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).delete()
            with disable_auditlog():  # its deletion entry would keep the address
                user.delete()
        deleted += 1
    return _log("unverified accounts", {"deleted": deleted, "skipped_owners": owners})


# 4. Email bodies


def clear_email_bodies(*, now: datetime.datetime) -> dict[str, int]:
    """Clear the text and HTML of emails sent (or failed) longer ago than the period."""
    before = now - datetime.timedelta(days=_setting("RETENTION_EMAIL_BODY_DAYS", 90))
    with_body = EmailMessage.objects.exclude(body_text="", body_html="")
    sent = with_body.filter(status=EmailStatus.SENT, sent_at__lte=before).update(
        body_text="", body_html=""
    )
    failed = with_body.filter(status=EmailStatus.FAILED, created_at__lte=before).update(
        body_text="", body_html=""
    )
    return _log("email bodies", {"sent": sent, "failed": failed})


def apply_retention(now: datetime.datetime | None = None) -> dict[str, dict[str, int]]:
    """Run every retention job at `now` (default: the current time); their counts by job."""
    now = now or timezone.now()
    return {
        "drafts": expire_drafts(now=now),
        "closed_applications": anonymise_closed_applications(now=now),
        "unverified_accounts": delete_unverified_accounts(now=now),
        "email_bodies": clear_email_bodies(now=now),
    }
