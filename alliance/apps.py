from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    default = True
    name = "alliance"
    verbose_name = _("Start Alliance")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from alliance import accounts  # noqa: F401 - connects the email_confirmed receiver

        post_migrate.connect(load_email_templates, sender=self)


class AllianceAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (alliance.adminsite)."""

    default = False
    default_site = "alliance.adminsite.AllianceAdminSite"


def load_email_templates(sender, **kwargs) -> None:
    """After migrate: create missing email templates from the files (staff edits stay)."""
    from alliance.email_templates import sync_defaults

    sync_defaults()
