"""Periodic work on applications: thin entry points into the services."""

from alliance.celery_app import app
from exchanges import reminders, services


@app.task(name="exchanges.expire_acceptances")
def expire_acceptances() -> int:
    """Expire acceptances whose confirmation deadline has passed, and backfill their seats."""
    return len(services.expire_acceptances())


@app.task(name="exchanges.backfill_programmes")
def backfill_programmes() -> int:
    """Give free seats to waitlisted applications where programmes backfill automatically."""
    return len(services.backfill_programmes())


@app.task(name="exchanges.send_reminders")
def send_reminders() -> int:
    """Draft and confirmation reminders that are due (each is sent once)."""
    return reminders.send_draft_reminders() + reminders.send_confirmation_reminders()


@app.task(name="exchanges.send_submission_digests")
def send_submission_digests() -> int:
    """Yesterday's new submissions to each host and co-organiser (once a day)."""
    return reminders.send_submission_digests()
