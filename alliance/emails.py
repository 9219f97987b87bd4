"""The email outbox: queue messages in the transaction of a change, send them after commit.

A message is rendered once, when it is queued, in its recipient's language from the
files under templates/<app>/email/<key>.subject.txt, .txt and .html, with a flat
dictionary of strings as context (never model objects).
"""

import logging
import random
import smtplib
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import make_msgid

from django.conf import settings
from django.core import mail
from django.db import models
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.formats import date_format

from alliance.dispatch import publish_ids_on_commit
from alliance.email_templates import fill
from alliance.models import EmailMessage, EmailStatus, EmailTemplate

logger = logging.getLogger(__name__)

# Seconds a queued message may wait for its dispatch before the sweep sends it.
SWEEP_AFTER_SECONDS = 60
# After this many attempts a message that keeps failing for passing reasons is failed.
MAX_ATTEMPTS = 8


def lease_seconds() -> float:
    """How long a claimed message belongs to its worker: longer than any task may run."""
    return settings.EMAIL_LEASE_SECONDS


def retry_delay(attempts: int) -> timezone.timedelta:
    """Back off: 1, 2, 4, … minutes (at most an hour), plus up to 20 % jitter.

    The jitter keeps messages that failed together from all retrying in the same second.
    """
    minutes = min(2 ** max(attempts - 1, 0), 60)
    return timezone.timedelta(minutes=minutes * (1 + random.random() * 0.2))  # noqa: S311


STAFF_TIME_ZONE = "Europe/Berlin"


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    time_zone: str = STAFF_TIME_ZONE
    unsubscribe_url: str = ""


def local_time(moment, recipient: Recipient) -> str:
    """`moment` as the recipient reads it: their language, their time zone, named."""
    with translation.override(recipient.language):
        text = date_format(
            moment.astimezone(zoneinfo.ZoneInfo(recipient.time_zone)), "DATETIME_FORMAT"
        )
    return f"{text} ({recipient.time_zone})"


def recipients(people: Iterable[object], *, optional: bool = False) -> list[Recipient]:
    """Recipients for users or contacts (anything with `email` and `language`).

    For an `optional` message (a reminder, a digest) each gets an opt-out link.
    """
    from alliance.notices import unsubscribe_url  # noqa: PLC0415 - notices imports models

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


def render(template_key: str, language: str, context: Mapping[str, str]) -> tuple[str, str, str]:
    """Return subject, text and HTML of `template_key` in `language`.

    The HTML part is the text part in the shared email layout, escaped, with links.
    """
    return _render(template_key, _edited(template_key), language, context)


def _edited(template_key: str) -> EmailTemplate | None:
    """Staff's wording of `template_key`, or None where the files' defaults apply."""
    return EmailTemplate.objects.filter(key=template_key).first()


def _render(
    template_key: str, edited: EmailTemplate | None, language: str, context: Mapping[str, str]
) -> tuple[str, str, str]:
    flat = {key: str(value) for key, value in context.items()}
    with translation.override(language):
        if edited is not None:  # staff's wording, in the language or else English
            subject = " ".join(fill(edited.subject, flat).split())
            text = fill(edited.body, flat).strip() + "\n"
        else:
            subject = " ".join(get_template(f"{template_key}.subject.txt").render(flat).split())
            text = get_template(f"{template_key}.txt").render(flat).strip() + "\n"
        html = get_template("email/base.html").render(
            {"subject": subject, "body": text, "language": language}
        )
    return subject, text, html


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
    edited = _edited(template_key)  # once for all recipients
    messages = []
    seen = set()
    for recipient in to:
        if recipient.email.lower() in seen:
            continue
        seen.add(recipient.email.lower())
        values = dict(context(recipient) if callable(context) else context)
        if recipient.unsubscribe_url:
            values["unsubscribe_url"] = recipient.unsubscribe_url
        subject, text, html = _render(template_key, edited, recipient.language, values)
        messages.append(
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
        )
    if not messages:
        return []
    EmailMessage.objects.bulk_create(messages)
    from alliance.tasks import send_emails  # noqa: PLC0415 - the task module imports this one

    publish_ids_on_commit(send_emails, [message.pk for message in messages])
    return messages


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
    message = EmailMessage.objects.create(
        recipient=recipient,
        language=language,
        template_key=template_key,
        subject=subject,
        body_text=text,
        body_html=html,
        confidential=confidential,
        message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
    )
    from alliance.tasks import send_emails  # noqa: PLC0415 - the task module imports this one

    publish_ids_on_commit(send_emails, [message.pk])
    return message


def claim_many(ids: Iterable[int]) -> list[EmailMessage]:
    """Take the due messages among `ids` for this worker; those another worker has are left.

    A message left "sending" by a worker that died is due again once its lease is over.
    """
    now = timezone.now()
    due = models.Q(status=EmailStatus.QUEUED, next_attempt_at__lte=now) | models.Q(
        status=EmailStatus.SENDING,
        claimed_at__lte=now - timezone.timedelta(seconds=lease_seconds()),
    )
    token = uuid.uuid4().hex
    # One conditional UPDATE: each row matches for exactly one of two racing workers; the
    # token then tells this worker which rows are its own.
    EmailMessage.objects.filter(due, pk__in=list(ids)).update(
        status=EmailStatus.SENDING,
        claimed_at=now,
        claim_token=token,
        attempts=models.F("attempts") + 1,
    )
    return list(EmailMessage.objects.filter(claim_token=token).order_by("pk"))


def claim(message_id: int) -> bool:
    """Take one due message for this worker; False if another worker has it or it is not due."""
    return bool(claim_many([message_id]))


def send_messages(ids: Iterable[int]) -> int:
    """Send the queued messages among `ids` over one connection; return how many were sent."""
    messages = claim_many(ids)
    if not messages:
        return 0
    connection = mail.mailers.default
    sent = 0
    connected = False
    try:
        for index, message in enumerate(messages):
            if not connected:
                try:
                    connection.close()  # forget a session the server ended, if any
                    connection.open()
                except Exception as error:  # noqa: BLE001 - the server's failure is kept on the rows
                    logger.warning(
                        "The mail server refused a connection (%s).", type(error).__name__
                    )
                    for waiting in messages[index:]:
                        _retry_later(waiting, error)
                    return sent
                connected = True
            try:
                _build(message, connection).send()
            except Exception as error:  # noqa: BLE001 - a delivery failure is kept on the row
                logger.warning("Email %s was not sent (%s).", message.pk, type(error).__name__)
                if _is_permanent(error):
                    _finish(message, status=EmailStatus.FAILED, error=_describe(error))
                else:
                    # A message cut off before the server's answer may have arrived: it
                    # waits for its retry (with its Message-ID) rather than going again now.
                    _retry_later(message, error)
                connected = not _session_lost(connection, error)
            else:
                _finish(message, status=EmailStatus.SENT)
                sent += 1
    finally:
        connection.close()
    return sent


def _session_lost(connection, error: Exception) -> bool:
    """Whether the SMTP session cannot carry the next message after `error`.

    smtplib closes the socket when the server hangs up, times out or answers 421; after
    an error that is not an answer from the server the session's state is unknown.
    """
    session = getattr(connection, "connection", None)
    if not isinstance(session, smtplib.SMTP):
        return False  # not SMTP (tests' in-memory backend, the console)
    return session.sock is None or not isinstance(error, smtplib.SMTPException | ValueError)


def _build(message: EmailMessage, connection) -> mail.EmailMultiAlternatives:
    headers = {"Message-ID": message.message_id}
    if message.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email = mail.EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=headers,
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer at any stage or a malformed message: retrying won't help.

    A 4xx answer (421, 451, 452 …) to MAIL, RCPT or DATA is passing: the message waits.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _answer in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return isinstance(error, ValueError)


def _retry_later(message: EmailMessage, error: Exception) -> None:
    """Put the message back in the queue with a later attempt, or fail it after many."""
    if message.attempts >= MAX_ATTEMPTS:
        _finish(message, status=EmailStatus.FAILED, error=_describe(error))
        return
    message.status = EmailStatus.QUEUED
    message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
    message.last_error = _describe(error)[:2000]
    message.save(update_fields=["status", "next_attempt_at", "last_error"])


def _finish(message: EmailMessage, *, status: EmailStatus, error: str = "") -> None:
    message.status = status
    message.last_error = error[:2000]
    message.sent_at = timezone.now() if status == EmailStatus.SENT else None
    fields = ["status", "last_error", "sent_at"]
    if message.confidential:
        # Its link lets the reader in: once it has left (or never will), nobody needs it,
        # so it is erased in the same UPDATE and no lookup, export or backup finds it.
        message.body_text = message.body_html = ""
        fields += ["body_text", "body_html"]
    message.save(update_fields=fields)


def due_for_sweep(now=None) -> list[int]:
    """Messages whose dispatch was lost, whose retry is due, or whose worker died."""
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(seconds=SWEEP_AFTER_SECONDS)
    queued = models.Q(status=EmailStatus.QUEUED, created_at__lte=cutoff, next_attempt_at__lte=now)
    abandoned = models.Q(
        status=EmailStatus.SENDING,
        claimed_at__lte=now - timezone.timedelta(seconds=lease_seconds()),
    )
    return list(
        EmailMessage.objects.filter(queued | abandoned)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
