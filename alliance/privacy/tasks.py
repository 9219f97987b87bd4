"""Thin Celery entry points for the data export (and, imported here where Celery's
autodiscovery finds them, the retention job's)."""

from alliance.celery_app import app
from alliance.privacy import (
    export,
    retention_tasks,  # noqa: F401 - registers privacy.apply_retention
)
from alliance.privacy.models import DataExport


@app.task(name="privacy.build_export")
def build_export_task(*, export_id: int) -> bool:
    """Build the export `export_id` (idempotent: a built or deleted one is left alone)."""
    row = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if row is None:
        return False
    export.build_export(row)
    return True
