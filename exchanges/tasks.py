"""Periodic work on applications: thin entry points into the services."""

from alliance.celery_app import app
from exchanges import services


@app.task(name="exchanges.expire_acceptances")
def expire_acceptances() -> int:
    """Expire acceptances whose confirmation deadline has passed, and backfill their seats."""
    return len(services.expire_acceptances())


@app.task(name="exchanges.backfill_programmes")
def backfill_programmes() -> int:
    """Give free seats to waitlisted applications where programmes backfill automatically."""
    return len(services.backfill_programmes())
