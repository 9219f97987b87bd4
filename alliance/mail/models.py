"""The outbox, the notices already sent and the staff-editable email templates."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from alliance.mail.templates import placeholder_problems


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class EmailMessage(models.Model):
    """One email in the outbox: rendered in its recipient's language, sent after commit."""

    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=10)
    template_key = models.CharField(_("template"), max_length=100)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    related_type = models.CharField(_("about (type)"), max_length=100, blank=True)
    related_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    unsubscribe_url = models.URLField(
        _("unsubscribe link"),
        max_length=500,
        blank=True,
        help_text=_("Sent as List-Unsubscribe for reminders and digests."),
    )
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_(
            "Its link lets the reader in (account emails, team invitations): never shown to "
            "staff, and its text is erased once it is sent."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="email_due"),
            # The outbox admin at a million rows: its order, its status filter, its search.
            models.Index(fields=["created_at", "id"], name="email_recent"),
            models.Index(fields=["status", "created_at", "id"], name="email_status_recent"),
            models.Index(Upper("recipient"), name="email_recipient_upper"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=EmailStatus.values), name="email_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} → {self.recipient}"


class SentNotice(models.Model):
    """A reminder or digest already sent: periodic jobs never send the same one twice."""

    kind = models.CharField(_("kind"), max_length=50)
    key = models.CharField(_("key"), max_length=200)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("sent notice")
        verbose_name_plural = _("sent notices")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="sent_notice_once")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.key}"


class EmailTemplate(models.Model):
    """A staff-editable email: subject and text per language, with {{ placeholders }}.

    Defaults come from the files under templates/<app>/email/; a row edited by staff is
    never replaced by a new default unless staff reset it.
    """

    key = models.CharField(_("key"), max_length=100, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    placeholders = models.CharField(
        _("placeholders"), max_length=500, editable=False, help_text=_("Names that may be used.")
    )
    customised = models.BooleanField(
        _("edited by staff"), default=False, help_text=_("New defaults do not replace it.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        allowed = set(self.placeholders.split())
        errors = {}
        for field in ("subject", "body"):
            for language, _name in settings.LANGUAGES:
                column = build_localized_fieldname(field, language)
                problems = placeholder_problems(getattr(self, column, "") or "", allowed)
                if problems:
                    errors[column] = problems
        if errors:
            raise ValidationError(errors)
