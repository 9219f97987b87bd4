"""Disabling an endpoint, by staff, by its partner, or because it kept failing (and telling)."""

from django.db import transaction
from django.utils import timezone

from alliance.mail.outbox import local_time, queue_email, recipients, staff_inbox
from exchanges.partners.webhooks.models import DisabledReason, WebhookEndpoint
from exchanges.partners.webhooks.targets import display_url


@transaction.atomic
def disable(endpoint: WebhookEndpoint, *, reason: DisabledReason) -> bool:
    """Stop sending to the endpoint (its deliveries wait); True if it was enabled.

    Disabled because it kept failing, its organisation's contacts and the staff inbox are
    told (once: the conditional update lets one worker through).
    """
    now = timezone.now()
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason, disabled_at=now
    )
    endpoint.enabled = False
    if changed and reason == DisabledReason.FAILING:
        _tell_disabled(WebhookEndpoint.objects.select_related("organisation").get(pk=endpoint.pk))
    return bool(changed)


def _tell_disabled(endpoint: WebhookEndpoint) -> None:
    last = endpoint.attempts.order_by("-at", "-pk").values_list("error", flat=True).first() or ""
    contacts = endpoint.organisation.contacts.filter(receives_notifications=True).exclude(email="")
    queue_email(
        "exchanges/email/webhook_disabled",
        to=[*recipients(contacts), *staff_inbox()],
        context=lambda recipient: {
            "url": display_url(endpoint.url),
            "organisation": endpoint.organisation.name,
            "failing_since": local_time(endpoint.failing_since or timezone.now(), recipient),
            "last_error": last,
            "endpoint": str(endpoint.pk),
        },
        about=endpoint,
    )
