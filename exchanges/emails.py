"""Building the emails of the application's life: who gets what, with which placeholders.

The emails of each change of state are queued by one subscriber of the seam.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from alliance.i18n import translated_value
from alliance.links import absolute_url
from alliance.mail.outbox import Recipient, local_time, queue_email, recipients, staff_inbox
from cities.models import Contact
from exchanges.models import Actor, Application, Verb
from exchanges.seam import Transition


def application_context(
    application: Application, recipient: Recipient, *, for_team: bool, comment: str = ""
) -> dict[str, str]:
    """The placeholders of an application email, as plain strings for one recipient.

    Names in the recipient's language, the deadline in their time zone, and a link they
    can follow: the team's application page, or the admin for staff and hosts.
    """
    programme = application.programme
    language = recipient.language
    if for_team:
        url = absolute_url("exchanges:application-detail", language, pk=application.pk)
    else:
        url = absolute_url("admin:exchanges_application_change", object_id=application.pk)
    context = {
        "startup": application.startup.name,
        "programme": translated_value(programme, "title", language)[0],
        "host_city": translated_value(programme.host_city, "name", language)[0],
        "application_url": url,
        "comment": shared_comment(comment, language),
    }
    if application.confirm_by:
        context["deadline"] = local_time(application.confirm_by, recipient)
        context["confirm_url"] = url
    return context


def shared_comment(comment: str, language: str) -> str:
    """The paragraph a decision's email carries when staff share their comment, else ""."""
    if not comment.strip():
        return ""
    with translation.override(language):
        return _("A note from Berlin Partner: %(comment)s") % {"comment": comment.strip()}


def team_of(application: Application) -> list:
    """The start-up's team: every member gets receipts and decisions."""
    return [
        membership.user for membership in application.startup.memberships.select_related("user")
    ]


def host_contacts(application: Application) -> list[Contact]:
    """Contacts of the host organisation who receive notifications."""
    return list(
        Contact.objects.filter(
            organisation=application.programme.host_organisation, receives_notifications=True
        )
    )


def notify_team(application: Application, template_key: str, *, comment: str = "") -> None:
    queue_email(
        template_key,
        to=recipients(team_of(application)),
        context=lambda recipient: application_context(
            application, recipient, for_team=True, comment=comment
        ),
        about=application,
    )


def notify_staff_and_host(application: Application, template_key: str) -> None:
    queue_email(
        template_key,
        to=staff_inbox() + recipients(host_contacts(application)),
        context=lambda recipient: application_context(application, recipient, for_team=False),
        about=application,
    )


# Who hears of which transition: the team, and staff with the host's contacts.
TEAM_EMAILS = {
    Verb.SUBMIT: "exchanges/email/application_submitted",
    Verb.SHORTLIST: "exchanges/email/application_shortlisted",
    Verb.WAITLIST: "exchanges/email/application_waitlisted",
    Verb.ACCEPT: "exchanges/email/application_accepted",
    Verb.REJECT: "exchanges/email/application_rejected",
    Verb.EXPIRE: "exchanges/email/application_expired",
}
STAFF_AND_HOST_EMAILS = {
    Verb.CONFIRM: "exchanges/email/application_confirmed",
    Verb.WITHDRAW: "exchanges/email/application_withdrawn",
    Verb.EXPIRE: "exchanges/email/application_expired_staff",
}


def queue_transition_emails(transition: Transition) -> None:
    """Queue the emails of one change of state (subscribed to the seam at start-up)."""
    application = transition.application
    if transition.verb in TEAM_EMAILS:
        shared = transition.comment if transition.share_comment else ""
        notify_team(application, TEAM_EMAILS[transition.verb], comment=shared)
    if transition.verb in STAFF_AND_HOST_EMAILS:
        notify_staff_and_host(application, STAFF_AND_HOST_EMAILS[transition.verb])
    if transition.verb == Verb.ACCEPT and transition.actor == Actor.SYSTEM:
        notify_staff_and_host(application, "exchanges/email/application_backfilled")
