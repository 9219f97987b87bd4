"""What partners and staff do with webhook endpoints: the rules, for the API and the admin.

Registering and changing an endpoint checks its URL (targets.check_url: https in
production, no private address written out); its secret is made here and shown once.
Rotating keeps the old secret signing next to the new one for
WEBHOOK_ROTATION_OVERLAP_HOURS, so a receiver can switch without losing an event.
Redelivery puts a delivered or failed event back at its place in the endpoint's queue,
with the same `webhook-id` and a fresh day of retries.

An organisation has at most WEBHOOK_MAX_ENDPOINTS endpoints (`TooManyEndpointsError`), and an
endpoint the Start Alliance's staff disabled is enabled again only by staff
(`DisabledByStaffError`): whoever asks, the API or the admin, meets the same rules. A rotation
changes only fields the audit leaves out (the secrets), so it writes its own entry, which
names that the secret was rotated, never the secret.
"""

import datetime

from auditlog import get_logentry_model
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alliance.dispatch import publish_ids_on_commit
from exchanges.partners.webhooks import events, schedule
from exchanges.partners.webhooks.disabling import disable
from exchanges.partners.webhooks.models import (
    DeliveryStatus,
    DisabledReason,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    new_secret,
)
from exchanges.partners.webhooks.targets import display_url
from exchanges.partners.webhooks.tasks import deliver_endpoints


class TooManyEndpointsError(Exception):
    """The organisation has its most endpoints already (delete one first)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"An organisation has at most {limit} webhook endpoints: delete one first."
        )


class DisabledByStaffError(Exception):
    """The Start Alliance's staff disabled the endpoint: only staff enable it again."""

    def __init__(self) -> None:
        super().__init__("The Start Alliance disabled this endpoint; ask its staff to enable it.")


def max_endpoints() -> int:
    return settings.WEBHOOK_MAX_ENDPOINTS


def _queue(endpoint_ids) -> None:
    publish_ids_on_commit(deliver_endpoints, list(endpoint_ids))


@transaction.atomic
def register(
    organisation, *, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    """A new endpoint of `organisation`; its `secret` is the one time it is shown.

    The organisation's row is locked, so two registrations at once cannot both pass the
    limit.
    """
    type(organisation).objects.select_for_update().get(pk=organisation.pk)  # the lock
    limit = max_endpoints()
    if WebhookEndpoint.objects.filter(organisation=organisation).count() >= limit:
        raise TooManyEndpointsError(limit)
    endpoint = WebhookEndpoint(
        organisation=organisation,
        url=url,
        events=list(dict.fromkeys(events)),
        description=description,
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


@transaction.atomic
def change(endpoint: WebhookEndpoint, *, by_staff: bool = False, **changes) -> WebhookEndpoint:
    """Change the URL, events, description or `enabled` of an endpoint.

    A partner (not `by_staff`) cannot enable an endpoint staff disabled.
    """
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    staff_disabled = not endpoint.enabled and endpoint.disabled_reason == DisabledReason.STAFF
    if changes.get("enabled") and staff_disabled and not by_staff:
        raise DisabledByStaffError
    if "events" in changes:
        changes["events"] = list(dict.fromkeys(changes["events"]))
    enabling = changes.pop("enabled", None)
    for name, value in changes.items():
        setattr(endpoint, name, value)
    endpoint.full_clean()
    endpoint.save()
    if enabling is True and not endpoint.enabled:
        enable(endpoint)
    elif enabling is False and endpoint.enabled:
        disable(endpoint, reason=DisabledReason.PARTNER)
    endpoint.refresh_from_db()
    return endpoint


@transaction.atomic
def delete(endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint with its events' deliveries and its log.

    A worker sending to it just then finds its rows gone and stops (delivery.py).
    """
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


@transaction.atomic
def rotate_secret(
    endpoint: WebhookEndpoint, now: datetime.datetime | None = None
) -> WebhookEndpoint:
    """A new secret; the old one signs too for the overlap. Returns the endpoint with it."""
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + datetime.timedelta(
        hours=settings.WEBHOOK_ROTATION_OVERLAP_HOURS
    )
    endpoint.secret = new_secret()
    endpoint.save(
        update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"]
    )
    # The secrets are left out of the audit: the entry names the rotation only (its actor,
    # staff or a partner key, comes from the audit's context like every other entry's).
    entry = get_logentry_model()
    entry.objects.log_create(
        endpoint,
        action=entry.Action.UPDATE,
        changes={"signing secret": ["", "rotated"]},
    )
    return endpoint


@transaction.atomic
def enable(endpoint: WebhookEndpoint) -> None:
    """Send to the endpoint again: what waited goes first, in order."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=True, disabled_reason="", disabled_at=None, failing_since=None
    )
    _queue([endpoint.pk])


def send_test(endpoint: WebhookEndpoint) -> WebhookEvent:
    """Queue a `webhook.test` event for the endpoint (signed and logged like any other)."""
    with transaction.atomic():
        return events.test_event(endpoint)


@transaction.atomic
def redeliver(deliveries, now: datetime.datetime | None = None) -> int:
    """Send these deliveries again (same `webhook-id`), with a fresh schedule of retries."""
    now = now or timezone.now()
    chosen = WebhookDelivery.objects.filter(pk__in=deliveries.values("pk")).exclude(
        status=DeliveryStatus.PENDING
    )
    endpoint_ids = set(chosen.values_list("endpoint_id", flat=True))
    count = chosen.update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        give_up_at=schedule.give_up_at(now),
        delivered_at=None,
    )
    if count:
        _queue(sorted(endpoint_ids))
    return count


def redeliver_event(endpoint: WebhookEndpoint, event_id: str) -> int:
    """Send one event to the endpoint again; 0 if the endpoint never had it (or it is queued)."""
    return redeliver(endpoint.deliveries.filter(event__public_id=event_id))


def redeliver_failed(endpoint: WebhookEndpoint, since: datetime.datetime) -> int:
    """Send again every event to the endpoint that failed and happened at or after `since`."""
    return redeliver(
        endpoint.deliveries.filter(status=DeliveryStatus.FAILED, created_at__gte=since)
    )


__all__ = [
    "DisabledByStaffError",
    "TooManyEndpointsError",
    "change",
    "delete",
    "disable",
    "display_url",
    "enable",
    "max_endpoints",
    "redeliver",
    "redeliver_event",
    "redeliver_failed",
    "register",
    "rotate_secret",
    "send_test",
]
