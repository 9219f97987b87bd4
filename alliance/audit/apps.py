from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "alliance.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from alliance.audit import checks  # noqa: F401 - registers the missing-label check
        from alliance.audit.registry import register_audited_models

        register_audited_models()
