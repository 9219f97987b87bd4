"""Delivery to a real SMTP server (aiosmtpd) that answers badly on purpose, in this process."""

import datetime
from email.header import decode_header, make_header

import pytest
from django.db import transaction
from django.utils import timezone

from alliance.mail.models import EmailMessage, EmailStatus
from alliance.mail.outbox import Recipient, queue_email, queue_rendered
from alliance.mail.tasks import send_emails, sweep_outbox
from tests.mail import Sink, smtp_server

pytestmark = pytest.mark.django_db

KEY = "exchanges/email/application_submitted"
CONTEXT = {"startup": "Orbit", "programme": "TLV", "host_city": "Tel Aviv", "application_url": "-"}


@pytest.fixture
def smtp(settings):
    """Start a real SMTP server with `sink` and send the outbox's mail to it."""

    def start(sink: Sink):
        server = smtp_server(sink)
        port = server.__enter__()
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
        started.append(server)
        return sink

    started = []
    yield start
    for server in started:
        server.__exit__(None, None, None)


def queue(*addresses: str) -> list[EmailMessage]:
    with transaction.atomic():
        return queue_email(KEY, to=[Recipient(a, "en") for a in addresses], context=CONTEXT)


def state(message: EmailMessage) -> tuple[str, int]:
    message.refresh_from_db()
    return message.status, message.attempts


def make_due(*messages: EmailMessage) -> None:
    past = timezone.now() - datetime.timedelta(minutes=5)
    EmailMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        next_attempt_at=past, created_at=past
    )


@pytest.mark.parametrize(
    "answer", ["421 4.7.0 too many connections", "452 4.2.2 mailbox full, try later"]
)
def test_a_transient_answer_to_rcpt_waits_and_retries(smtp, answer):
    sink = smtp(Sink(rcpt=[answer]))
    (message,) = queue("founder@orbit.example")

    assert send_emails.delay(ids=[message.pk]).get() == 0

    assert state(message) == (EmailStatus.QUEUED, 1)
    assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert answer[:3] in message.last_error
    make_due(message)
    assert sweep_outbox.delay().get() == 1
    assert state(message) == (EmailStatus.SENT, 2)
    assert [m["To"] for m in sink.messages] == ["founder@orbit.example"]


def test_a_550_to_rcpt_fails_at_once(smtp):
    sink = smtp(Sink(rcpt=["550 5.1.1 no such user"]))
    (message,) = queue("nobody@orbit.example")

    assert send_emails.delay(ids=[message.pk]).get() == 0

    assert state(message) == (EmailStatus.FAILED, 1)
    assert "550" in message.last_error
    make_due(message)
    assert sweep_outbox.delay().get() == 0
    assert sink.messages == []


def test_a_421_to_one_recipient_does_not_stop_the_rest_of_the_batch(smtp):
    # smtplib closes the connection after a 421: the next message needs a new one.
    sink = smtp(Sink(rcpt=["421 4.3.2 closing"]))
    first, second, third = queue("a@orbit.example", "b@orbit.example", "c@orbit.example")

    assert send_emails.delay(ids=[first.pk, second.pk, third.pk]).get() == 2

    assert [state(m) for m in (first, second, third)] == [
        (EmailStatus.QUEUED, 1),
        (EmailStatus.SENT, 1),
        (EmailStatus.SENT, 1),
    ]
    assert sorted(m["To"] for m in sink.messages) == ["b@orbit.example", "c@orbit.example"]


def test_a_connection_dropped_mid_data_is_reopened_for_the_rest_of_the_batch(smtp):
    sink = smtp(Sink(drop=1))
    first, second, third = queue("a@orbit.example", "b@orbit.example", "c@orbit.example")

    assert send_emails.delay(ids=[first.pk, second.pk, third.pk]).get() == 2

    # The dropped one may or may not have arrived: it waits for its retry, it is not lost.
    assert [state(m) for m in (first, second, third)] == [
        (EmailStatus.QUEUED, 1),
        (EmailStatus.SENT, 1),
        (EmailStatus.SENT, 1),
    ]
    assert first.last_error.startswith("SMTPServerDisconnected")
    assert first.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    make_due(first)
    assert sweep_outbox.delay().get() == 1
    assert state(first) == (EmailStatus.SENT, 2)
    assert sorted(m["To"] for m in sink.messages) == [
        "a@orbit.example",
        "b@orbit.example",
        "c@orbit.example",
    ]
    assert sink.attempts == 4  # three messages, one of them twice


def test_a_confidential_message_that_fails_for_good_keeps_no_link(smtp):
    smtp(Sink(rcpt=["550 5.1.1 no such user"]))
    link = "https://portal.example/en/accounts/password/reset/key/7-secret-key/"
    message = queue_rendered(
        template_key="account/email/password_reset_key",
        recipient="gone@orbit.example",
        language="en",
        subject="Password reset",
        text=f"Reset: {link}",
        html=f'<a href="{link}">Reset</a>',
        confidential=True,
    )

    send_emails.delay(ids=[message.pk]).get()

    row = EmailMessage.objects.filter(pk=message.pk).values().get()
    assert row["status"] == EmailStatus.FAILED
    assert (row["subject"], row["body_text"], row["body_html"]) == ("Password reset", "", "")
    assert "secret-key" not in repr(row)


def test_a_message_over_smtp_carries_its_texts_and_headers(smtp, settings):
    settings.DEFAULT_FROM_EMAIL = "Start Alliance Berlin <noreply@startalliance.example>"
    sink = smtp(Sink())
    with transaction.atomic():
        (message,) = queue_email(
            KEY,
            to=[Recipient("founder@münchen.example", "de", "Europe/Berlin", "http://x/u/")],
            context={**CONTEXT, "startup": "Grün & Söhne"},
        )

    assert send_emails.delay(ids=[message.pk]).get() == 1

    (received,) = sink.messages
    plain, html = [part.get_payload(decode=True).decode() for part in received.get_payload()]
    assert str(make_header(decode_header(received["Subject"]))) == message.subject
    assert "Grün & Söhne" in message.subject
    assert received["From"] == "Start Alliance Berlin <noreply@startalliance.example>"
    assert received["To"] == "founder@xn--mnchen-3ya.example"
    assert received["Message-ID"] == message.message_id
    assert received["List-Unsubscribe"] == "<http://x/u/>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (plain, html) == (message.body_text, message.body_html)
