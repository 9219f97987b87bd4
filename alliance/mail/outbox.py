"""The email outbox: queue messages in the transaction of a change, send them after commit.

A message is rendered once, when it is queued, in its recipient's language (see
alliance.mail.rendering) and written as an outbox row; one task sends the rows of a
transaction after it commits (alliance.mail.sending).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.db import models
from django.utils import translation

from alliance.dispatch import publish_ids_on_commit
from alliance.mail.models import EmailMessage
from alliance.mail.notices import unsubscribe_url
from alliance.mail.rendering import render_message, staff_wording
from alliance.mail.tasks import send_emails
from alliance.times import zone_time

STAFF_TIME_ZONE = "Europe/Berlin"


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    time_zone: str = STAFF_TIME_ZONE
    unsubscribe_url: str = ""


def local_time(moment, recipient: Recipient) -> str:
    """`moment` as the recipient reads it: their language, their time zone, named in words."""
    with translation.override(recipient.language):
        return str(zone_time(moment, recipient.time_zone))


def recipients(people: Iterable[object], *, optional: bool = False) -> list[Recipient]:
    """Recipients for users or contacts (anything with `email` and `language`).

    For an `optional` message (a reminder, a digest) each gets an opt-out link.
    """
    return [
        Recipient(
            person.email,
            person.language,
            getattr(person, "time_zone", STAFF_TIME_ZONE),
            unsubscribe_url(person, person.language) if optional else "",
        )
        for person in people
        if person.email
    ]


def staff_inbox() -> list[Recipient]:
    """The staff inbox addresses (a setting, not accounts), in German."""
    return [Recipient(address, "de") for address in settings.STAFF_INBOX]


def queue_email(
    template_key: str,
    *,
    to: Iterable[Recipient],
    context: Mapping[str, str] | Callable[[Recipient], Mapping[str, str]],
    about: models.Model | None = None,
    confidential: bool = False,
) -> list[EmailMessage]:
    """Write one outbox row per recipient and send them once the transaction commits.

    `context` is a flat dictionary of strings, or a function that makes one for each
    recipient (texts in their language, times in their time zone). A `confidential`
    message (one whose link lets its reader in) is never shown to staff, and its body is
    erased once it has been sent or has failed for good.
    """
    edited = staff_wording(template_key)  # once for all recipients
    rendered = []
    seen = set()
    for recipient in to:
        if recipient.email.lower() in seen:
            continue
        seen.add(recipient.email.lower())
        values = dict(context(recipient) if callable(context) else context)
        if recipient.unsubscribe_url:
            values["unsubscribe_url"] = recipient.unsubscribe_url
        parts = render_message(template_key, edited, recipient.language, values)
        rendered.append((recipient, *parts))
    return _write(template_key, rendered, about=about, confidential=confidential)


def queue_rendered(
    *,
    template_key: str,
    recipient: str,
    language: str,
    subject: str,
    text: str,
    html: str = "",
    confidential: bool = False,
) -> EmailMessage:
    """Queue a message rendered elsewhere (allauth's account emails) and send it after commit."""
    rendered = [(Recipient(recipient, language), subject, text, html)]
    return _write(template_key, rendered, confidential=confidential)[0]


def _write(
    template_key: str,
    rendered: list[tuple[Recipient, str, str, str]],
    *,
    about: models.Model | None = None,
    confidential: bool = False,
) -> list[EmailMessage]:
    """Write the outbox rows in one INSERT; one task sends them once the transaction commits.

    The only writer of outbox rows: `rendered` holds each recipient with the subject, text
    and HTML made for them.
    """
    messages = [
        EmailMessage(
            recipient=recipient.email,
            language=recipient.language,
            template_key=template_key,
            subject=subject,
            body_text=text,
            body_html=html,
            related_type=about._meta.label_lower if about else "",
            related_id=about.pk if about else None,
            message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
            unsubscribe_url=recipient.unsubscribe_url,
            confidential=confidential,
        )
        for recipient, subject, text, html in rendered
    ]
    if not messages:
        return []
    EmailMessage.objects.bulk_create(messages)
    publish_ids_on_commit(send_emails, [message.pk for message in messages])
    return messages
