"""Cross-cutting models: the portal's user."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """Refuse a time zone name that the IANA database does not know."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone."), code="invalid", params={"value": value}
        )


def language_choices() -> list[tuple[str, str]]:
    """Return the UI languages as model choices."""
    return [(code, name) for code, name in settings.LANGUAGES]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> "User":
        """Find a user by email, whatever its case."""
        return self.get(email__iexact=username)

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address: a founder or Berlin Partner staff."""

    # unique=True satisfies auth's check; the Lower() constraint below is the real rule.
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=language_choices,
        default="en",
        help_text=_("The language of the emails the portal sends you."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Berlin",
        validators=[validate_time_zone],
        help_text=_("Dates and deadlines are shown in this time zone."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Whether the user can log in to the admin site."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Unselect this instead of deleting accounts."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    receives_reminders = models.BooleanField(
        _("receives reminders"),
        default=True,
        help_text=_("Reminders of deadlines. Receipts and decisions are always sent."),
    )
    email_verified_at = models.DateTimeField(
        _("email verified"),
        null=True,
        blank=True,
        help_text=_("When the user followed the verification link; needed to submit."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                violation_error_message=_("A user with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


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
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_due")]
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
        from alliance.email_templates import placeholder_problems  # noqa: PLC0415 - cycle

        allowed = set(self.placeholders.split())
        errors = {}
        for field in ("subject", "body"):
            for language, _name in settings.LANGUAGES:
                column = f"{field}_{language}"
                problems = placeholder_problems(getattr(self, column, "") or "", allowed)
                if problems:
                    errors[column] = problems
        if errors:
            raise ValidationError(errors)
