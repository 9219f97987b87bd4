"""Writing webhook events, in the transaction of the change that causes them.

Subscribed once (`connect`, after the partner feed's own handlers, so the shares of a
submit exist): the exchanges seam after each transition (`application.submitted`,
`application.state_changed`), the feed's removals, which are the tombstones
(`application.removed`), and the recommendation service (`recommendation.changed`).
Nothing else writes events, and none is written outside the change's transaction: a
change that rolls back takes its events with it, and an event that cannot be written
undoes the change.

Only organisations with an enabled endpoint that chose the event get one (an endpoint
registered later is not told of the past: the partner API's feed is). The body is built
here, once per organisation, and stored: every retry sends the same bytes.
"""

import datetime

import orjson
from django.conf import settings
from django.utils import timezone

from alliance.api.formats import iso
from alliance.dispatch import publish_ids_on_commit
from exchanges import seam
from exchanges.models import Recommendation, Verb
from exchanges.partners import feed
from exchanges.partners.api import pages
from exchanges.partners.models import ApplicationShare
from exchanges.partners.webhooks import schedule
from exchanges.partners.webhooks.models import (
    PAYLOAD_VERSION,
    TEST_EVENT,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from exchanges.partners.webhooks.tasks import deliver_endpoints


def body(event_id: str, event_type: str, at: datetime.datetime, data: dict) -> str:
    """The JSON an endpoint receives: the Standard Webhooks envelope, with our id and version."""
    envelope = {
        "id": event_id,
        "type": event_type,
        "timestamp": iso(at),
        "version": PAYLOAD_VERSION,
        "data": data,
    }
    return orjson.dumps(envelope).decode()


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _representations(shares, at: datetime.datetime) -> dict[int, dict]:
    """Organisation id → the application as the partner API gives it to that organisation
    (every content language; pitch-deck links that live as long as the event's retries)."""
    found = pages.rows(shares)
    deck_expiry = schedule.deck_link_expiry(at)
    shown = {}
    for row in found:
        organisation_id = row["organisation_id"]
        page = pages.Page(
            organisation_id=organisation_id,
            absolute=_absolute,
            language=None,
            deck_expiry=deck_expiry,
        )
        shown[organisation_id] = page.build([row])[0]
    return shown


def _endpoints(organisation_ids, event_type: str) -> dict[int, list[WebhookEndpoint]]:
    """Organisation id → its enabled endpoints that chose `event_type`."""
    chosen: dict[int, list[WebhookEndpoint]] = {}
    if not organisation_ids:
        return chosen
    found = WebhookEndpoint.objects.filter(
        enabled=True, organisation_id__in=set(organisation_ids)
    ).only("pk", "organisation_id", "events")
    for endpoint in found:  # JSON containment is not portable (SQLite): chosen here
        if event_type in endpoint.events:
            chosen.setdefault(endpoint.organisation_id, []).append(endpoint)
    return chosen


def write(
    event_type: str,
    data_for: dict[int, dict],
    *,
    at: datetime.datetime,
    application_ref: int | None,
    endpoints: dict[int, list[WebhookEndpoint]],
) -> list[WebhookEvent]:
    """Write one event per organisation of `endpoints` and its deliveries; send after commit."""
    events, deliveries = [], []
    give_up_at = schedule.give_up_at(at)
    for organisation_id, chosen in endpoints.items():
        if organisation_id not in data_for:
            continue
        event = WebhookEvent(
            organisation_id=organisation_id,
            type=event_type,
            application_ref=application_ref,
            created_at=at,
        )
        event.body = body(event.public_id, event_type, at, data_for[organisation_id])
        events.append(event)
        deliveries.extend(
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                next_attempt_at=at,
                give_up_at=give_up_at,
                created_at=at,
            )
            for endpoint in chosen
        )
    if not events:
        return []
    WebhookEvent.objects.bulk_create(events)
    WebhookDelivery.objects.bulk_create(deliveries)
    publish_ids_on_commit(deliver_endpoints, sorted({d.endpoint_id for d in deliveries}))
    return events


# What causes them.


def _on_transition(transition: seam.Transition) -> None:
    event_type = (
        EventType.APPLICATION_SUBMITTED
        if transition.verb == Verb.SUBMIT
        else EventType.APPLICATION_STATE_CHANGED
    )
    shares = ApplicationShare.objects.live().filter(application=transition.application)
    organisation_ids = list(shares.values_list("organisation_id", flat=True))
    endpoints = _endpoints(organisation_ids, event_type)
    if not endpoints:
        return
    at = timezone.now()
    data = {
        organisation_id: {
            "application": application,
            "from_state": transition.source,
            "to_state": transition.target,
        }
        for organisation_id, application in _representations(
            shares.filter(organisation_id__in=endpoints), at
        ).items()
    }
    write(
        event_type,
        data,
        at=at,
        application_ref=transition.application.pk,
        endpoints=endpoints,
    )


def _on_removed(tombstones: list[feed.Tombstone]) -> None:
    endpoints = _endpoints({t.organisation_id for t in tombstones}, EventType.APPLICATION_REMOVED)
    if not endpoints:
        return
    for tombstone in tombstones:
        if tombstone.organisation_id not in endpoints:
            continue
        data = {
            "application": {
                "id": tombstone.application_ref,
                "removed": True,
                "at": iso(tombstone.at),
            }
        }
        write(
            EventType.APPLICATION_REMOVED,
            {tombstone.organisation_id: data},
            at=tombstone.at,
            application_ref=tombstone.application_ref,
            endpoints={tombstone.organisation_id: endpoints[tombstone.organisation_id]},
        )


def recommendation_changed(recommendation: Recommendation) -> list[WebhookEvent]:
    """Tell the recommending organisation's endpoints (its other systems) of its new verdict.

    Called by the recommendation service in its transaction. A partner sees only its own
    recommendation: other organisations are not told.
    """
    organisation_id = recommendation.organisation_id
    endpoints = _endpoints([organisation_id], EventType.RECOMMENDATION_CHANGED)
    if not endpoints:
        return []
    at = timezone.now()
    shares = ApplicationShare.objects.live().filter(
        application_id=recommendation.application_id, organisation_id=organisation_id
    )
    data = {
        org: {"application": application, "recommendation": recommendation_data(recommendation)}
        for org, application in _representations(shares, at).items()
    }
    return write(
        EventType.RECOMMENDATION_CHANGED,
        data,
        at=at,
        application_ref=recommendation.application_id,
        endpoints=endpoints,
    )


def recommendation_data(recommendation: Recommendation) -> dict:
    """A recommendation as the partner API gives it."""
    return {
        "verdict": recommendation.verdict,
        "comment": recommendation.comment,
        "updated_at": iso(recommendation.updated_at),
    }


def test_event(endpoint: WebhookEndpoint) -> WebhookEvent:
    """A `webhook.test` event for one endpoint, whatever it chose: no application in it."""
    at = timezone.now()
    return write(
        TEST_EVENT,
        {endpoint.organisation_id: {"message": "A test event from the Start Alliance portal."}},
        at=at,
        application_ref=None,
        endpoints={endpoint.organisation_id: [endpoint]},
    )[0]


def connect() -> None:
    """Subscribe to the changes (after feed.connect: a submit's shares exist by then)."""
    seam.subscribe(_on_transition)
    feed.on_removed(_on_removed)
