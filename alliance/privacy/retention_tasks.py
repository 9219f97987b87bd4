"""The nightly retention run (Celery beat's "apply-retention")."""

from alliance.celery_app import app
from alliance.privacy import retention


@app.task(name="privacy.apply_retention")
def apply_retention_task() -> dict[str, dict[str, int]]:
    """Apply every retention rule now; idempotent, so a repeated beat does no harm."""
    return retention.apply_retention()
