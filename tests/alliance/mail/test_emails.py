import datetime
import smtplib

import pytest
from django.db import transaction
from django.utils import timezone

from alliance.mail.models import EmailMessage, EmailStatus
from alliance.mail.outbox import Recipient, queue_email, queue_rendered
from alliance.mail.rendering import render
from alliance.mail.sending import _is_permanent, claim
from alliance.mail.tasks import send_emails, sweep_outbox
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


def test_commit_leaves_one_row_and_one_sent_message(
    mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://portal.example"
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
    assert '<a href="https://portal.example/applications/7/">' in html


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


def test_only_the_portals_own_links_are_clickable(settings):
    settings.SITE_URL = "https://portal.example"
    context = {
        **CONTEXT,
        "startup": "Reset your password at https://evil.example/login",
        "application_url": "https://portal.example/en/applications/7/",
    }

    _subject, _text, html = render(KEY, "en", context)

    assert '<a href="https://portal.example/en/applications/7/">' in html
    assert 'href="https://evil.example' not in html
    assert "https://evil.example/login" in html  # shown, as plain text


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


def test_a_mail_server_outage_keeps_the_message_queued_for_a_later_attempt(settings, mailoutbox):
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
    assert (message.status, message.attempts) == (EmailStatus.QUEUED, 1)
    assert message.last_error.startswith("ConnectionRefusedError")
    assert message.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert claim(message.pk) is False  # not due before its next attempt


def test_a_message_abandoned_by_a_dead_worker_is_sent_after_its_lease(mailoutbox):
    (message,) = queue_email(KEY, to=[Recipient("founder@example.com", "en")], context=CONTEXT)
    assert claim(message.pk) is True  # a worker took it, then died before sending

    assert sweep_outbox.delay().get() == 0  # still within the lease
    EmailMessage.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - datetime.timedelta(minutes=10),
        created_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    assert sweep_outbox.delay().get() == 1

    message.refresh_from_db()
    assert (message.status, message.attempts) == (EmailStatus.SENT, 2)
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.com": (550, b"no such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (452, b"mailbox full")}), False),
        (smtplib.SMTPRecipientsRefused({"a@example.com": (421, b"closing")}), False),
        (smtplib.SMTPSenderRefused(451, b"try later", "noreply@example.com"), False),
        (smtplib.SMTPSenderRefused(553, b"not allowed", "noreply@example.com"), True),
        (smtplib.SMTPDataError(554, b"rejected"), True),
        (smtplib.SMTPDataError(451, b"try again"), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ValueError("header injection"), True),
    ],
)
def test_permanent_failures_are_not_retried(error, permanent):
    assert _is_permanent(error) is permanent


def test_staff_see_the_outbox_but_never_account_links(client):
    from tests.factories import UserFactory

    secret = queue_rendered(
        template_key="account/email/password_reset_key",
        recipient="founder@example.com",
        language="en",
        subject="Password reset",
        text="Reset: https://portal.example/en/accounts/password/reset/key/abc-123/",
        confidential=True,
    )
    (plain,) = queue_email(KEY, to=[Recipient("founder@example.com", "en")], context=CONTEXT)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    hidden = client.get(f"/admin/mail/emailmessage/{secret.pk}/change/").content.decode()
    shown = client.get(f"/admin/mail/emailmessage/{plain.pk}/change/").content.decode()

    assert "abc-123" not in hidden
    assert (
        "(confidential: its link lets the reader in; never shown, and erased once sent)" in hidden
    )
    assert "https://portal.example/applications/7/" in shown


def test_a_sent_confidential_message_keeps_no_link(mailoutbox):
    link = "https://portal.example/en/accounts/password/reset/key/7-secret-key/"
    message = queue_rendered(
        template_key="account/email/password_reset_key",
        recipient="founder@example.com",
        language="en",
        subject="Password reset",
        text=f"Reset: {link}",
        html=f'<p><a href="{link}">Reset</a></p>',
        confidential=True,
    )

    assert send_emails.delay(ids=[message.pk]).get() == 1

    assert link in mailoutbox[0].body  # the person got the link
    row = EmailMessage.objects.filter(pk=message.pk).values().get()
    assert (row["status"], row["subject"]) == (EmailStatus.SENT, "Password reset")
    assert (row["body_text"], row["body_html"]) == ("", "")
    assert "secret-key" not in repr(row)
    assert not EmailMessage.objects.filter(body_text__contains="secret-key").exists()


def test_a_sent_message_that_is_not_confidential_keeps_its_body(mailoutbox, settings):
    settings.SITE_URL = "https://portal.example"
    (message,) = queue_email(KEY, to=[Recipient("founder@example.com", "en")], context=CONTEXT)

    assert send_emails.delay(ids=[message.pk]).get() == 1

    message.refresh_from_db()
    assert message.status == EmailStatus.SENT
    assert "https://portal.example/applications/7/" in message.body_text
    assert '<a href="https://portal.example/applications/7/">' in message.body_html


def test_queue_email_marks_confidential_messages(mailoutbox):
    (message,) = queue_email(
        KEY, to=[Recipient("founder@example.com", "en")], context=CONTEXT, confidential=True
    )

    assert EmailMessage.objects.get(pk=message.pk).confidential is True
    send_emails.delay(ids=[message.pk]).get()
    assert "https://portal.example/applications/7/" in mailoutbox[0].body
    assert EmailMessage.objects.values_list("body_text", "body_html").get() == ("", "")


def test_an_invitation_is_queued_confidential_and_its_token_is_gone_once_sent(mailoutbox):
    from startups.models import Role
    from startups.services import invite_member
    from tests.factories import MembershipFactory

    owner = MembershipFactory(role=Role.OWNER)
    invitation = invite_member(
        owner.startup, email="cofounder@example.com", role=Role.MEMBER, by=owner.user
    )
    message = EmailMessage.objects.get()
    assert message.confidential is True
    assert invitation.token in message.body_text  # readable only until it is sent

    send_emails.delay(ids=[message.pk]).get()

    assert invitation.token in mailoutbox[0].body
    row = EmailMessage.objects.filter(pk=message.pk).values().get()
    assert row["status"] == EmailStatus.SENT
    assert invitation.token not in repr(row)


@pytest.mark.parametrize("count", [1, 50])
def test_queueing_reads_the_template_once_whatever_the_recipients(count, django_assert_num_queries):
    people = [Recipient(f"founder{n}@example.com", "en") for n in range(count)]

    with django_assert_num_queries(2):  # the template, one INSERT of every row
        messages = queue_email(KEY, to=people, context=CONTEXT)

    assert len(messages) == count


def test_a_batch_is_marked_sent_in_one_update_per_fifty(mailoutbox, django_assert_num_queries):
    with transaction.atomic():
        messages = queue_email(
            "exchanges/email/application_submitted",
            to=[Recipient(f"founder{n}@example.com", "en") for n in range(120)],
            context={"startup": "O", "programme": "P", "host_city": "T", "application_url": "-"},
        )

    # claim (UPDATE, SELECT), then one UPDATE for each 50 sent: 50, 50, 20
    with django_assert_num_queries(5):
        sent = send_emails(ids=[message.pk for message in messages])

    assert sent == 120
    assert len(mailoutbox) == 120
    assert (
        EmailMessage.objects.filter(status=EmailStatus.SENT, sent_at__isnull=False).count() == 120
    )
