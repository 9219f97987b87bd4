"""The emails sent to a user (registered with alliance.privacy.registry)."""

from alliance.mail.models import EmailMessage
from alliance.privacy.registry import exempt, register


def _emails_to(user):
    return EmailMessage.objects.filter(recipient__iexact=user.email)


register(
    "mail.EmailMessage",
    rows=_emails_to,
    # The message as sent (its text; the HTML is the same text in the layout), not the
    # outbox's bookkeeping or the opt-out link's token.
    fields=(
        "recipient",
        "language",
        "template_key",
        "subject",
        "body_text",
        "related_type",
        "related_id",
        "status",
        "sent_at",
        "created_at",
    ),
)
exempt(
    "mail.EmailTemplate",
    reason="Staff's wording of an email, with placeholders; no person's data.",
)
