"""Sending the outbox: claim rows, send them over one connection, retry or fail them."""

import logging
import random
import smtplib
import uuid
from collections.abc import Iterable
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr

from django.conf import settings
from django.core import mail
from django.core.mail.backends import smtp
from django.db import models
from django.utils import timezone

from alliance.mail.models import EmailMessage, EmailStatus

logger = logging.getLogger(__name__)

# smtplib sends bytes as they are: the lines must end in CRLF already.
SMTP_COMPAT32 = compat32.clone(linesep="\r\n")

# Seconds a queued message may wait for its dispatch before the sweep sends it.
SWEEP_AFTER_SECONDS = 60
# After this many attempts a message that keeps failing for passing reasons is failed.
MAX_ATTEMPTS = 8
# Sent messages are marked sent in one UPDATE per this many (and at the end of a batch):
# a worker that dies resends at most these, once their lease is over.
MARK_SENT_EVERY = 50


def lease_seconds() -> float:
    """How long a claimed message belongs to its worker: longer than any task may run."""
    return settings.EMAIL_LEASE_SECONDS


def retry_delay(attempts: int) -> timezone.timedelta:
    """Back off: 1, 2, 4, … minutes (at most an hour), plus up to 20 % jitter.

    The jitter keeps messages that failed together from all retrying in the same second.
    """
    minutes = min(2 ** max(attempts - 1, 0), 60)
    return timezone.timedelta(minutes=minutes * (1 + random.random() * 0.2))  # noqa: S311


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
    accepted: list[EmailMessage] = []
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
                _send(message, connection)
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
                accepted.append(message)
                sent += 1
                if len(accepted) >= MARK_SENT_EVERY:
                    _mark_sent(accepted)
                    accepted = []
    finally:
        _mark_sent(accepted)
        connection.close()
    return sent


def _mark_sent(messages: list[EmailMessage]) -> None:
    """Mark messages the server accepted as sent, erasing the bodies of confidential ones."""
    now = timezone.now()
    done = {"status": EmailStatus.SENT, "last_error": "", "sent_at": now}
    plain = [message.pk for message in messages if not message.confidential]
    secret = [message.pk for message in messages if message.confidential]
    if plain:
        EmailMessage.objects.filter(pk__in=plain).update(**done)
    if secret:
        # Its link lets the reader in: once it has left, nobody needs it (see _finish).
        EmailMessage.objects.filter(pk__in=secret).update(**done, body_text="", body_html="")


def _session_lost(connection, error: Exception) -> bool:
    """Whether the SMTP session cannot carry the next message after `error`.

    smtplib closes the socket when the server hangs up, times out or answers 421; after
    an error that is not an answer from the server the session's state is unknown.
    """
    session = getattr(connection, "connection", None)
    if not isinstance(session, smtplib.SMTP):
        return False  # not SMTP (tests' in-memory backend, the console)
    return session.sock is None or not isinstance(error, smtplib.SMTPException | ValueError)


def _send(message: EmailMessage, connection) -> None:
    """Send one message over the open connection.

    Over SMTP the message is built with the `email` package's compat32 classes and handed
    to the session as bytes: Django's modern-API builder costs about three times as long
    (its header registry), a third of a batch's time. Other backends (the console, tests'
    in-memory outbox) get Django's message.
    """
    if not isinstance(connection, smtp.EmailBackend):
        _build(message, connection).send()
        return
    sender = connection.prep_address(settings.DEFAULT_FROM_EMAIL)
    recipient = connection.prep_address(message.recipient)  # ValueError: never deliverable
    connection.connection.sendmail(sender, [recipient], _mime(message, recipient))


def _mime(message: EmailMessage, recipient: str) -> bytes:
    if message.body_html:
        mime = MIMEMultipart("alternative")
        mime.attach(MIMEText(message.body_text, "plain", "utf-8"))
        mime.attach(MIMEText(message.body_html, "html", "utf-8"))
    else:
        mime = MIMEText(message.body_text, "plain", "utf-8")
    mime["Subject"] = Header(message.subject, "utf-8")
    mime["From"] = formataddr(parseaddr(settings.DEFAULT_FROM_EMAIL), charset="utf-8")
    mime["To"] = recipient
    mime["Date"] = formatdate(localtime=True)
    for name, value in _headers(message).items():
        mime[name] = value
    return mime.as_bytes(policy=SMTP_COMPAT32)


def _headers(message: EmailMessage) -> dict[str, str]:
    """The headers of our own: the stable Message-ID, and the opt-out of reminders."""
    headers = {"Message-ID": message.message_id}
    if message.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _build(message: EmailMessage, connection) -> mail.EmailMultiAlternatives:
    email = mail.EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=_headers(message),
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
