"""Partner keys, the applications each organisation may see (and saw leave), and who read what."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from cities.models import CooperationAgreement, PartnerOrganisation
from exchanges.models import Application


class Scope(models.TextChoices):
    READ = "read", _("read the applications")
    RECOMMEND = "recommend", _("give recommendations")
    WEBHOOKS = "webhooks", _("manage webhooks")


def validate_scopes(value: object) -> None:
    if not isinstance(value, list) or not value or not set(value) <= set(Scope.values):
        raise ValidationError(
            _("Choose one or more of: %(scopes)s.") % {"scopes": ", ".join(Scope.values)}
        )


class PartnerApiKeyManager(BaseAPIKeyManager):
    def usable(self):
        """Keys that authenticate: not revoked, not expired, and their organisation has an
        active cooperation agreement (as partner, or as the hub)."""
        now = timezone.now()
        # The agreement's dates are Berlin Partner's: judged in the portal's zone, not UTC.
        today = timezone.localdate(now, timezone.get_default_timezone())
        active = CooperationAgreement.objects.active(today)
        return (
            self.filter(revoked=False)
            .filter(models.Q(expiry_date__isnull=True) | models.Q(expiry_date__gt=now))
            .filter(
                models.Exists(active.filter(partner_organisation=models.OuterRef("organisation")))
                | models.Exists(active.filter(hub_organisation=models.OuterRef("organisation")))
            )
        )


class PartnerApiKey(AbstractAPIKey):
    """An organisation's key to the partner API: stored hashed, the secret shown once.

    Two keys of one organisation may be valid at once, so a partner can rotate without a gap.
    """

    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("organisation"),
    )
    scopes = models.JSONField(
        _("scopes"), default=list, validators=[validate_scopes], help_text=_("What the key may do.")
    )
    last_used_at = models.DateTimeField(
        _("last used"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Recorded at most once a minute."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = PartnerApiKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("partner API key")
        verbose_name_plural = _("partner API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding and self.prefix:
            # The library's id is "prefix.hash"; the id shows in admin URLs, the audit log
            # and pitch-deck links, so it is the prefix alone, never derived from the hash.
            self.id = self.prefix
        super().save(*args, **kwargs)

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ShareQuerySet(models.QuerySet):
    def live(self) -> "ShareQuerySet":
        return self.filter(removed_at__isnull=True)


class ApplicationShare(models.Model):
    """One application as one organisation sees it: the partner feed's row.

    Made when the application is submitted, for the host and each co-organiser the
    applicant consented to share it with. `position` is the change position of the last
    write (exchanges/partners/feed.py); once the application leaves the organisation's view
    the row stays, with `removed_at`, as the sync's tombstone.
    """

    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        db_index=False,  # share_one_per_organisation and the feed's indexes start with it
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name=_("application"),
    )
    application_ref = models.BigIntegerField(
        _("application number"), help_text=_("Kept after the application is deleted.")
    )
    position = models.BigIntegerField(_("change position"), default=0, editable=False)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    shared_at = models.DateTimeField(_("shared"), default=timezone.now)
    removed_at = models.DateTimeField(_("left the view"), null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared application")
        verbose_name_plural = _("shared applications")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "application_ref"], name="share_one_per_organisation"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "position", "application_ref"], name="share_feed"),
            models.Index(fields=["organisation", "changed_at"], name="share_changed"),
        ]

    def __str__(self) -> str:
        return f"{self.application_ref} → {self.organisation}"


class DataAccess(models.Model):
    """The ledger: which key read which application and which parts of it, per day."""

    key = models.ForeignKey(
        PartnerApiKey,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("key"),
        db_index=False,  # data_access_one_per_key_and_day (key, application, day) starts with it
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="data_accesses",
        verbose_name=_("application"),
        db_index=False,  # data_access_application (application, day) starts with it
    )
    day = models.DateField(_("day"))
    profile = models.BooleanField(_("start-up profile"), default=False)
    answers = models.BooleanField(_("answers"), default=False)
    pitch_deck = models.BooleanField(_("pitch deck"), default=False)
    first_at = models.DateTimeField(_("first read"))
    last_at = models.DateTimeField(_("last read"))

    class Meta:
        verbose_name = _("data access")
        verbose_name_plural = _("data accesses")
        ordering = ["-day", "-last_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "application", "day"], name="data_access_one_per_key_and_day"
            ),
        ]
        indexes = [models.Index(fields=["application", "day"], name="data_access_application")]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.application_id} · {self.day}"


# The webhooks' models live in their own module; Django finds them through this one.
from exchanges.partners.webhooks.models import (  # noqa: E402
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "ApplicationShare",
    "DataAccess",
    "PartnerApiKey",
    "Scope",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
