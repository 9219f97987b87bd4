"""Periodic work of the network: thin entry points."""

from alliance.celery_app import app
from cities import notices


@app.task(name="cities.send_agreement_expiry_notices")
def send_agreement_expiry_notices() -> int:
    """Agreements ending within 60 days, to the staff inbox (once per agreement end)."""
    return notices.send_agreement_expiry_notices()
