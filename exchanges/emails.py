"""Building the emails of the application's life: who gets what, with which placeholders."""

from datetime import UTC

from django.conf import settings

from alliance.emails import queue_email, recipients, staff_inbox
from cities.models import Contact
from exchanges.models import Application


def application_context(application: Application) -> dict[str, str]:
    """The placeholders every application email can use, as plain strings."""
    programme = application.programme
    context = {
        "startup": application.startup.name,
        "programme": programme.title_en or programme.title,
        "host_city": str(programme.host_city.name_en),
        "application_url": f"{settings.SITE_URL}/applications/{application.pk}/",
        "state": application.state,
    }
    if application.confirm_by:
        context["deadline"] = application.confirm_by.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        context["confirm_url"] = context["application_url"]
    return context


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


def notify_team(application: Application, template_key: str) -> None:
    queue_email(
        template_key,
        to=recipients(team_of(application)),
        context=application_context(application),
        about=application,
    )


def notify_staff_and_host(application: Application, template_key: str) -> None:
    queue_email(
        template_key,
        to=staff_inbox() + recipients(host_contacts(application)),
        context=application_context(application),
        about=application,
    )
