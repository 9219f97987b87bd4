from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Start Alliance")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from alliance import accounts  # noqa: F401 - connects the email_confirmed receiver

        post_migrate.connect(load_email_templates, sender=self)


def load_email_templates(sender, **kwargs) -> None:
    """After migrate: create missing email templates from the files (staff edits stay)."""
    from alliance.email_templates import sync_defaults

    sync_defaults()
