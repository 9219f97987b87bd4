"""Periodic notices of applications: reminders and digests, each sent once.

Every job asks `first_time(kind, key)` in the transaction that queues its emails, so
running a job twice (or two beats by mistake) sends nothing twice.
"""

import datetime
import zoneinfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alliance.i18n import translated_value
from alliance.links import absolute_url
from alliance.mail.notices import first_time
from alliance.mail.outbox import local_time, queue_email, recipients
from cities.models import Contact, PartnerOrganisation
from exchanges.models import Application, ExchangeProgramme, ProgrammeStatus, State
from startups.models import Role

DIGEST_TIME_ZONE = zoneinfo.ZoneInfo("Europe/Berlin")


def _reminded_team(application: Application, *, owners_only: bool) -> list:
    memberships = application.startup.memberships.filter(user__receives_reminders=True)
    if owners_only:
        memberships = memberships.filter(role=Role.OWNER)
    return [membership.user for membership in memberships.select_related("user")]


def _remind(
    application: Application,
    *,
    kind: str,
    key: str,
    template: str,
    people: list,
    deadline: datetime.datetime,
    page: str,  # the URL name of the team's page the reminder links to
) -> bool:
    """Queue reminder `kind` about `application` to `people`, unless it was sent before."""
    if not people:
        return False
    with transaction.atomic():
        if not first_time(kind, key):
            return False
        programme = application.programme
        queue_email(
            f"exchanges/email/{template}",
            to=recipients(people, optional=True),
            context=lambda r: {
                "startup": application.startup.name,
                "programme": translated_value(programme, "title", r.language)[0],
                "deadline": local_time(deadline, r),
                "application_url": absolute_url(page, r.language, pk=application.pk),
            },
            about=application,
        )
    return True


def send_draft_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind owners of drafts whose call closes within three days."""
    now = now or timezone.now()
    drafts = Application.objects.filter(
        state=State.DRAFT,
        programme__status=ProgrammeStatus.PUBLISHED,
        programme__applications_close_at__gt=now,
        programme__applications_close_at__lte=now + datetime.timedelta(days=3),
    ).select_related("programme", "startup")
    return sum(
        _remind(
            application,
            kind="draft_reminder",
            key=str(application.pk),
            template="draft_reminder",
            people=_reminded_team(application, owners_only=True),
            deadline=application.programme.applications_close_at,
            page="exchanges:application-edit",
        )
        for application in drafts
    )


def send_confirmation_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind teams three days and one day before an acceptance must be confirmed."""
    now = now or timezone.now()
    accepted = Application.objects.filter(
        state=State.ACCEPTED,
        confirm_by__gt=now,
        confirm_by__lte=now + datetime.timedelta(days=3),
    ).select_related("programme", "startup")
    return sum(
        _remind(
            application,
            kind="confirm_reminder_1d"
            if application.confirm_by - now <= datetime.timedelta(days=1)
            else "confirm_reminder_3d",
            # Keyed by the deadline too: a backfilled acceptance gets reminders of its own.
            key=f"{application.pk}:{application.confirm_by.isoformat()}",
            template="confirm_reminder",
            people=_reminded_team(application, owners_only=False),
            deadline=application.confirm_by,
            page="exchanges:application-detail",
        )
        for application in accepted
    )


def send_submission_digests(*, today: datetime.date | None = None) -> int:
    """Tell each host and co-organiser's contacts about yesterday's new submissions."""
    today = today or timezone.localdate(timezone=DIGEST_TIME_ZONE)
    start = datetime.datetime.combine(
        today - datetime.timedelta(days=1), datetime.time(), DIGEST_TIME_ZONE
    )
    end = start + datetime.timedelta(days=1)
    submitted = (
        Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(state=State.WITHDRAWN)
        .select_related("programme", "startup")
    )
    organisations = PartnerOrganisation.objects.filter(
        Q(hosted_programmes__applications__in=submitted)
        | Q(co_organised_programmes__applications__in=submitted)
    ).distinct()
    sent = 0
    for organisation in organisations:
        own = list(
            submitted.filter(programme__in=ExchangeProgramme.objects.hosted_by(organisation))
        )
        contacts = list(
            Contact.objects.filter(organisation=organisation, receives_notifications=True)
        )
        if not own or not contacts:
            continue
        with transaction.atomic():
            if not first_time("submission_digest", f"{organisation.pk}:{today.isoformat()}"):
                continue
            queue_email(
                "exchanges/email/submission_digest",
                to=recipients(contacts, optional=True),
                context=lambda r, apps=own: {
                    "count": str(len(apps)),
                    "applications": "\n".join(
                        "- {}: {}".format(
                            a.startup.name, translated_value(a.programme, "title", r.language)[0]
                        )
                        for a in apps
                    ),
                },
                about=organisation,
            )
            sent += 1
    return sent
