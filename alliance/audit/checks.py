from django.core import checks

from alliance.audit.registry import missing_labels


@checks.register()
def audited_models_exist(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Warn about every label of the audit list that names no model: it is not audited."""
    return [
        checks.Warning(
            f"The audit list names {label!r}, which is no installed model: it is not audited.",
            hint="Update AUDITED in alliance/audit/registry.py to the model's current label.",
            id="audit.W001",
        )
        for label in missing_labels()
    ]
