"""Thin Celery entry points for the data export."""

from alliance.celery_app import app
from alliance.privacy import export
from alliance.privacy.models import DataExport


@app.task(name="privacy.build_export")
def build_export_task(*, export_id: int) -> bool:
    """Build the export `export_id` (idempotent: a built or deleted one is left alone)."""
    row = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if row is None:
        return False
    export.build_export(row)
    return True
