"""Periodic work on applications: thin entry points into the services."""

from celery import shared_task

from exchanges import services


@shared_task(name="exchanges.expire_acceptances")
def expire_acceptances() -> int:
    """Expire acceptances whose confirmation deadline has passed, and backfill their seats."""
    return len(services.expire_acceptances())


@shared_task(name="exchanges.backfill_programmes")
def backfill_programmes() -> int:
    """Give free seats to waitlisted applications where programmes backfill automatically."""
    return len(services.backfill_programmes())
