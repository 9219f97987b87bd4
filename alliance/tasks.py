"""Celery entry points for the outbox: thin, idempotent, keyword-only ids."""

from alliance import emails
from alliance.celery_app import app


@app.task(name="alliance.send_emails")
def send_emails(*, ids: list[int]) -> int:
    """Send the queued outbox messages among `ids` (already-claimed ones are skipped)."""
    return emails.send_messages(ids)


@app.task(name="alliance.sweep_outbox")
def sweep_outbox() -> int:
    """Send queued messages whose dispatch was lost (a broker outage, a dead worker)."""
    return emails.send_messages(emails.due_for_sweep())
