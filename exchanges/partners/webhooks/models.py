"""Webhook endpoints of partner organisations, the events written for them, and their delivery.

An **event** is written in the transaction of the change that causes it (events.py), once
per organisation that is told; it holds the exact body that is signed and sent, so every
retry sends the same bytes under the same `webhook-id`. A **delivery** is one event on its
way to one endpoint: the row is the queue (claims, retries and their times live here,
never in the broker), and an **attempt** is one try of it, the delivery log partners and
staff read.
"""

import base64
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.models import PartnerOrganisation
from exchanges.partners.webhooks.targets import check_url, display_url


class EventType(models.TextChoices):
    APPLICATION_SUBMITTED = "application.submitted", _("an application was submitted")
    APPLICATION_STATE_CHANGED = "application.state_changed", _("an application changed state")
    APPLICATION_REMOVED = "application.removed", _("an application left the organisation's view")
    RECOMMENDATION_CHANGED = (
        "recommendation.changed",
        _("the organisation's recommendation changed"),
    )


# Sent only when a partner asks for it (POST …/webhooks/<id>/test/), whatever the endpoint's
# events: it carries no application.
TEST_EVENT = "webhook.test"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's prefix, no secret
PAYLOAD_VERSION = 1


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64 (24 to 64 allowed)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_event_id() -> str:
    """The event's `webhook-id`: unique, stable across retries and redeliveries."""
    return "msg_" + secrets.token_urlsafe(18)


def validate_events(value: object) -> None:
    if not isinstance(value, list) or not value or not set(value) <= set(EventType.values):
        raise ValidationError(
            _("Choose one or more of: %(events)s.") % {"events": ", ".join(EventType.values)}
        )


class DisabledReason(models.TextChoices):
    STAFF = "staff", _("disabled by staff")
    PARTNER = "partner", _("disabled by the partner")
    FAILING = "failing", _("kept failing")


class WebhookEndpoint(models.Model):
    """A URL of a partner organisation's system that is told of the events it chose."""

    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.CharField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(
        _("events"), default=list, validators=[validate_events], help_text=_("What it is told.")
    )
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    # During a rotation both secrets sign, until this time.
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(
        _("why disabled"), max_length=10, choices=DisabledReason, blank=True
    )
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    # Since when every attempt failed (None after a success): days of it disable the endpoint.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    # The worker that delivers its events now (one at a time: they go out in order).
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_token = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["organisation__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disabled_reason__in=["", *DisabledReason.values]),
                name="webhook_disabled_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        # Never the query: it may hold the receiver's token (titles, messages, the audit log).
        return f"{self.organisation}: {display_url(self.url)}"

    def clean(self) -> None:
        if self.url:
            try:
                check_url(self.url)
            except ValidationError as error:
                raise ValidationError({"url": error.messages}) from error

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets that sign now: the current one, and the previous during a rotation."""
        now = now or timezone.now()
        if self.previous_secret and self.previous_secret_until and self.previous_secret_until > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookEvent(models.Model):
    """One event for one organisation: the body its endpoints receive, signed as it is."""

    public_id = models.CharField(_("event id"), max_length=40, unique=True, default=new_event_id)
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
    )
    type = models.CharField(_("type"), max_length=40)
    application_ref = models.BigIntegerField(_("application number"), null=True, blank=True)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("happened"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint: the queue's row, in the order events happened."""

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
        db_index=False,  # webhook_delivery_queue starts with it
    )
    event = models.ForeignKey(
        WebhookEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # When its last retry is due at the latest: the schedule's length after its first
    # attempt (or its redelivery). Events waiting behind a failing one start theirs later.
    give_up_at = models.DateTimeField(_("given up after"))
    last_status = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="webhook_delivery_status_valid",
            ),
        ]
        indexes = [
            # The endpoint's queue, oldest first; and the sweep's due rows.
            models.Index(
                fields=["endpoint", "id"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_queue",
            ),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "status", "created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One try of a delivery: the delivery log."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="tries",
        verbose_name=_("delivery"),
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("endpoint"),
        db_index=False,  # webhook_attempt_log starts with it
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("time"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    response = models.CharField(_("first bytes of the answer"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-at"], name="webhook_attempt_log")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"
