import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from alliance.emails import Recipient, claim, queue_email, render
from alliance.models import EmailMessage, EmailStatus
from alliance.tasks import send_emails, sweep_outbox
from tests.netutils import closed_port

pytestmark = pytest.mark.django_db

KEY = "exchanges/email/application_submitted"
CONTEXT = {
    "startup": "Demo Robotics",
    "programme": "Tel Aviv Exchange",
    "host_city": "Tel Aviv",
    "application_url": "https://portal.example/applications/7/",
}


def test_rollback_leaves_no_email(mailoutbox, django_capture_on_commit_callbacks):
    def queue_then_fail():
        with transaction.atomic():
            queue_email(KEY, to=[Recipient("a@example.com", "en")], context=CONTEXT)
            raise RuntimeError("rolled back")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        queue_then_fail()

    assert callbacks == []
    assert not EmailMessage.objects.exists()
    assert mailoutbox == []


def test_commit_leaves_one_row_and_one_sent_message(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        queue_email(KEY, to=[Recipient("founder@example.com", "en")], context=CONTEXT)
        assert mailoutbox == []  # nothing leaves before the commit

    message = EmailMessage.objects.get()
    assert len(callbacks) == 1
    assert (message.status, message.attempts, message.last_error) == (EmailStatus.SENT, 1, "")
    assert message.sent_at is not None
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["founder@example.com"]
    assert sent.subject == "Application received: Demo Robotics for Tel Aviv Exchange"
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert "https://portal.example/applications/7/" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert '<a href="https://portal.example/applications/7/" rel="nofollow">' in html


def test_a_message_is_claimed_once_even_when_the_task_runs_twice(mailoutbox):
    with transaction.atomic():
        (message,) = queue_email(KEY, to=[Recipient("founder@example.com", "en")], context=CONTEXT)

    first = send_emails.delay(ids=[message.pk]).get()
    second = send_emails.delay(ids=[message.pk]).get()

    assert (first, second) == (1, 0)
    assert len(mailoutbox) == 1
    assert EmailMessage.objects.get().attempts == 1


def test_claim_is_exclusive():
    (message,) = queue_email(KEY, to=[Recipient("founder@example.com", "en")], context=CONTEXT)

    assert claim(message.pk) is True
    assert claim(message.pk) is False
    assert EmailMessage.objects.get().status == EmailStatus.SENDING


def test_each_recipient_gets_their_language_and_one_message_per_address():
    messages = queue_email(
        KEY,
        to=[
            Recipient("anna@example.com", "de"),
            Recipient("bob@example.com", "en"),
            Recipient("ANNA@example.com", "en"),
        ],
        context=CONTEXT,
    )

    assert [(m.recipient, m.language) for m in messages] == [
        ("anna@example.com", "de"),
        ("bob@example.com", "en"),
    ]
    assert messages[0].subject == "Bewerbung eingegangen: Demo Robotics für Tel Aviv Exchange"
    assert messages[1].subject == "Application received: Demo Robotics for Tel Aviv Exchange"
    assert len({m.message_id for m in messages}) == 2


def test_placeholders_are_escaped_in_html_and_kept_in_text():
    subject, text, html = render(KEY, "en", {**CONTEXT, "startup": "<b>Bold & Co</b>"})

    assert subject == "Application received: <b>Bold & Co</b> for Tel Aviv Exchange"
    assert "<b>Bold & Co</b>" in text
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in html
    assert "<b>Bold" not in html


def test_sweep_sends_messages_whose_dispatch_was_lost(mailoutbox):
    stale, fresh = queue_email(
        KEY,
        to=[Recipient("stale@example.com", "en"), Recipient("fresh@example.com", "en")],
        context=CONTEXT,
    )  # no commit callbacks run here: as if the broker had been down
    EmailMessage.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    assert sweep_outbox.delay().get() == 1
    assert sweep_outbox.delay().get() == 0

    assert [m.to for m in mailoutbox] == [["stale@example.com"]]
    assert EmailMessage.objects.get(pk=fresh.pk).status == EmailStatus.QUEUED


def test_delivery_failure_is_kept_on_the_row(settings, mailoutbox):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 2},
        }
    }
    (message,) = queue_email(KEY, to=[Recipient("founder@example.com", "en")], context=CONTEXT)

    sent = send_emails.delay(ids=[message.pk]).get()

    message.refresh_from_db()
    assert sent == 0
    assert message.status == EmailStatus.FAILED
    assert message.last_error.startswith("ConnectionRefusedError")
