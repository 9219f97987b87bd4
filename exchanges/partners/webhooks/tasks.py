"""Celery entry points for webhooks: thin, idempotent, keyword-only ids (queue `webhooks`)."""

import contextlib

from alliance.celery_app import app
from alliance.dispatch import BROKER_ERRORS
from exchanges.partners.webhooks import delivery


@app.task(name="partners.deliver_endpoints")
def deliver_endpoints(*, ids: list[int]) -> int:
    """One task per endpoint, so a slow endpoint holds up no other; one endpoint runs here."""
    ids = list(dict.fromkeys(ids))
    for endpoint_id in ids[1:]:
        with contextlib.suppress(*BROKER_ERRORS):  # the sweep hands it out
            deliver_endpoint.apply_async(kwargs={"endpoint_id": endpoint_id}, retry=False)
    if ids:
        deliver_endpoint(endpoint_id=ids[0])
    return len(ids)


@app.task(name="partners.deliver_endpoint")
def deliver_endpoint(*, endpoint_id: int) -> str:
    """Send the endpoint's due events in order; queue it again if its batch's time ran out."""
    outcome = delivery.deliver(endpoint_id)
    if outcome == "more":
        with contextlib.suppress(*BROKER_ERRORS):  # the sweep hands it out
            deliver_endpoint.apply_async(kwargs={"endpoint_id": endpoint_id}, retry=False)
    return outcome


@app.task(name="partners.sweep_webhooks")
def sweep_webhooks() -> int:
    """Hand out endpoints with due deliveries and no living lease (retries, lost publishes)."""
    due = delivery.due_endpoints()
    for endpoint_id in due:
        try:
            deliver_endpoint.apply_async(kwargs={"endpoint_id": endpoint_id}, retry=False)
        except BROKER_ERRORS:
            return 0
    return len(due)
