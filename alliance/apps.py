from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    """The project's wiring: template tags and commands; its models live in its apps."""

    default = True
    name = "alliance"
    verbose_name = _("Start Alliance")

    def ready(self) -> None:
        from alliance.pages import checks  # noqa: F401 - registers the operator check


class AllianceAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the portal's site (alliance.adminsite)."""

    default = False
    default_site = "alliance.adminsite.AllianceAdminSite"
