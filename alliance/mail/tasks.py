"""Celery entry points for the outbox: thin, idempotent, keyword-only ids.

The names stay "alliance.…" from before the outbox had its own app: beat's schedule and
tasks already queued use them.
"""

from alliance.celery_app import app
from alliance.mail import sending


@app.task(name="alliance.send_emails")
def send_emails(*, ids: list[int]) -> int:
    """Send the queued outbox messages among `ids` (already-claimed ones are skipped)."""
    return sending.send_messages(ids)


@app.task(name="alliance.sweep_outbox")
def sweep_outbox() -> int:
    """Send queued messages whose dispatch was lost (a broker outage, a dead worker)."""
    return sending.send_messages(sending.due_for_sweep())
