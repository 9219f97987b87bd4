"""Delivering webhook events from the database: one worker per endpoint, in order, retried.

An endpoint's deliveries go out oldest first, by one worker at a time: the worker takes a
**lease** on the endpoint (one conditional UPDATE; a second worker finds it taken and
leaves), sends what is due over one kept-alive connection, and gives the lease back. A
delivery that fails for a passing reason waits on its row for its retry time
(schedule.py), and every later delivery of that endpoint waits behind it: per endpoint,
events arrive in the order they happened. Other endpoints are not held up: each has its
own task (fanned out by `tasks.deliver_endpoints`) on the webhook queue's workers, a
worker keeps an endpoint for at most WEBHOOK_BATCH_SECONDS before handing it back to the
queue, and every try is bounded by short timeouts (targets.py).

A delivery is marked delivered right after its answer: a worker killed mid-send leaves
only the one delivery it was sending, which the next worker sends again, with the same
`webhook-id`, once the lease is over (at most one repeat). A worker that dies leaves
its lease to expire; the sweep (beat, every WEBHOOK_SWEEP_SECONDS) hands out endpoints
whose deliveries are due and whose lease is free, so nothing waits on the broker: a
publish lost to a Redis outage costs at most one sweep's delay.

Outcomes: 2xx is delivered; 4xx other than 408 and 429 is final (the receiver refused
it; the next event goes); anything else (3xx: redirects are not followed, 408, 429, 5xx,
timeouts, refused connections, unsafe addresses) is retried on the schedule and then
given up. An endpoint whose every attempt has failed for WEBHOOK_DISABLE_AFTER_DAYS is
disabled, and its organisation's contacts and the staff inbox are told.
"""

import logging
import time
import uuid

import psycopg
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from standardwebhooks import Webhook

from exchanges.partners.webhooks import schedule
from exchanges.partners.webhooks.disabling import disable
from exchanges.partners.webhooks.models import (
    DeliveryStatus,
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from exchanges.partners.webhooks.targets import Response, Sender, SendError

logger = logging.getLogger(__name__)

# Read this many due deliveries of an endpoint at a time (in order).
CHUNK = 50


def signature(secrets: list[str], event_id: str, at: float, body: str) -> str:
    """The `webhook-signature` header: `v1,<base64>` per secret, space-separated."""
    moment = timezone.datetime.fromtimestamp(at, tz=timezone.UTC)
    return " ".join(
        Webhook(secret).sign(msg_id=event_id, timestamp=moment, data=body) for secret in secrets
    )


def headers(endpoint: WebhookEndpoint, event_id: str, body: str, now=None) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (signed anew: the timestamp is now)."""
    at = int((now or timezone.now()).timestamp())
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(at),
        "webhook-signature": signature(endpoint.signing_secrets(), event_id, at, body),
    }


def is_final(status: int) -> bool:
    """A 4xx answer the receiver means: retrying will not change it."""
    return 400 <= status < 500 and status not in {408, 429}


def due_endpoints(now=None, limit: int = 500) -> list[int]:
    """Enabled endpoints with a due delivery and no living lease: the sweep's work."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint_id=models.OuterRef("pk"),
    )
    free = models.Q(lease_until__isnull=True) | models.Q(lease_until__lt=now)
    return list(
        WebhookEndpoint.objects.filter(free, models.Exists(due), enabled=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _claim(endpoint_id: int) -> tuple[WebhookEndpoint, str] | None:
    now = timezone.now()
    token = uuid.uuid4().hex
    free = models.Q(lease_until__isnull=True) | models.Q(lease_until__lt=now)
    taken = WebhookEndpoint.objects.filter(free, pk=endpoint_id, enabled=True).update(
        lease_until=now + timezone.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS),
        lease_token=token,
    )
    if not taken:
        return None
    return WebhookEndpoint.objects.get(pk=endpoint_id), token


def _release(endpoint_id: int, token: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, lease_token=token).update(
        lease_until=None, lease_token=""
    )


def _has_due(endpoint_id: int) -> bool:
    head = (
        WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return head is not None and head <= timezone.now()


def deliver(endpoint_id: int) -> str:
    """Send the endpoint's due deliveries in order, while this worker holds it.

    Returns "done" (nothing due now), "busy" (another worker has it, or it is disabled),
    "waiting" (the oldest waits for its retry) or "more" (the batch's time is up: the
    caller queues the endpoint again).
    """
    outcome = "busy"
    while True:
        claimed = _claim(endpoint_id)
        if claimed is None:
            return outcome
        endpoint, token = claimed
        try:
            outcome = _send_due(endpoint)
        except IntegrityError:
            # Its partner deleted the endpoint while a post was on its way: its
            # deliveries went with it, and the attempt has no row to belong to.
            if WebhookEndpoint.objects.filter(pk=endpoint_id).exists():
                raise
            return "busy"
        finally:
            _release(endpoint_id, token)
        # A delivery written while this worker held the lease found it taken: look again.
        if outcome != "done" or not _has_due(endpoint_id):
            return outcome


def _send_due(endpoint: WebhookEndpoint) -> str:
    deadline = time.monotonic() + settings.WEBHOOK_BATCH_SECONDS
    with Sender(endpoint.url) as sender:
        while True:
            chunk = list(
                WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING)
                .select_related("event")
                .only(
                    "pk",
                    "attempts",
                    "next_attempt_at",
                    "event__public_id",
                    "event__body",
                )
                .order_by("pk")[:CHUNK]
            )
            if not chunk:
                return "done"
            for delivery in chunk:
                if delivery.next_attempt_at > timezone.now():
                    return "waiting"
                if time.monotonic() > deadline:
                    return "more"
                if not _attempt(endpoint, delivery, sender):
                    return "waiting"
                if not endpoint.enabled:
                    return "busy"


def _attempt(endpoint: WebhookEndpoint, delivery: WebhookDelivery, sender: Sender) -> bool:
    """Try one delivery; False when it now waits for a retry (the endpoint's queue stops)."""
    event = delivery.event
    started = timezone.now()
    try:
        answer = sender.post(
            event.body.encode(), headers(endpoint, event.public_id, event.body, started)
        )
    except SendError as error:
        answer = error
    delivery.attempts += 1
    now = timezone.now()
    if isinstance(answer, Response):
        code, error, excerpt, duration = answer.status, "", answer.excerpt, answer.duration_ms
        delivered = 200 <= code < 300
        final = delivered or is_final(code)
        if not delivered:
            error = f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    else:
        code, error, excerpt, duration = None, str(answer)[:300], "", answer.duration_ms
        delivered = final = False
    retry = None if final else schedule.retry_at(delivery.attempts, now)
    if delivered:
        status = DeliveryStatus.DELIVERED
    elif retry is None:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.PENDING
    outcome = {
        "status": status,
        "attempts": delivery.attempts,
        "next_attempt_at": retry or delivery.next_attempt_at,
        "last_status": code,
        "last_error": error,
        "delivered_at": now if delivered else None,
        "give_up_at": schedule.give_up_at(started) if delivery.attempts == 1 else None,
    }
    attempt = {
        "delivery_id": delivery.pk,
        "endpoint_id": endpoint.pk,
        "number": delivery.attempts,
        "at": started,
        "status_code": code,
        "duration_ms": duration,
        "response": excerpt[:500],
        "error": error,
    }
    health_changes = (endpoint.failing_since is not None) if delivered else True
    if health_changes:
        with transaction.atomic():
            _record(outcome, attempt)
            _follow_health(endpoint, delivered, now)
    else:
        _record(outcome, attempt)  # one statement: atomic on its own
    if not delivered:
        logger.info(
            "Webhook delivery %s to endpoint %s failed (%s), attempt %s: %s.",
            delivery.pk,
            endpoint.pk,
            error,
            delivery.attempts,
            "given up" if status == DeliveryStatus.FAILED else "retried later",
        )
    return status != DeliveryStatus.PENDING


_DELIVERY = WebhookDelivery._meta.db_table
_ATTEMPT = WebhookAttempt._meta.db_table
_ATTEMPT_COLUMNS = (
    "delivery_id",
    "endpoint_id",
    "number",
    "at",
    "status_code",
    "duration_ms",
    "response",
    "error",
)
# A delivery's outcome and its line in the log in one statement (PostgreSQL): the ORM's
# UPDATE and INSERT cost more CPU than the post itself (bench/webhooks.py).
#
# The statement's transaction commits without waiting for its WAL to reach the disk
# (`synchronous_commit` off, for this transaction only: set_config(..., true) is SET LOCAL,
# run by the UPDATE's RETURNING, which PostgreSQL evaluates although nothing reads it).
# Waiting for the flush was most of a post's time (bench/webhooks.py: 12 ms a delivery in
# one thread). The commit is still atomic and seen at once by every other session, the
# next worker's too; only a crash of PostgreSQL itself (or its machine) can lose the last
# fraction of a second of outcomes, and a lost outcome is a delivery still pending: sent
# again, with the same webhook-id, which at-least-once delivery allows.
_RECORD = f"""
WITH outcome AS (
    UPDATE {_DELIVERY} SET status = %(status)s, attempts = %(attempts)s,
        next_attempt_at = %(next_attempt_at)s, last_status = %(last_status)s,
        last_error = %(last_error)s, delivered_at = %(delivered_at)s,
        give_up_at = COALESCE(%(give_up_at)s, give_up_at)
    WHERE id = %(delivery_id)s
    RETURNING set_config('synchronous_commit', 'off', true)
)
INSERT INTO {_ATTEMPT} ({", ".join(_ATTEMPT_COLUMNS)})
VALUES ({", ".join(f"%({name})s" for name in _ATTEMPT_COLUMNS)})
"""  # noqa: S608 - table and column names are the models' own


def _record(outcome: dict, attempt: dict) -> None:
    """Write a delivery's outcome and its attempt (in the caller's transaction, if any)."""
    if connection.vendor == "postgresql":
        # Bound on the server and prepared once per connection (the pool keeps them): Django's
        # cursors quote the values into the text, which PostgreSQL parses and plans anew for
        # every post. Not through Django's cursor, so it is not in connection.queries.
        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(_RECORD, {**outcome, **attempt}, prepare=True)
        return
    with transaction.atomic():
        give_up_at = outcome.pop("give_up_at")
        WebhookDelivery.objects.filter(pk=attempt["delivery_id"]).update(
            **outcome, **({"give_up_at": give_up_at} if give_up_at else {})
        )
        WebhookAttempt.objects.create(**attempt)


def _follow_health(endpoint: WebhookEndpoint, delivered: bool, now) -> None:
    """Remember since when the endpoint fails; disable it after days of nothing else."""
    if delivered:
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=now)
        return
    limit = timezone.timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    if now - endpoint.failing_since >= limit:
        disable(endpoint, reason=DisabledReason.FAILING)
