from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Start Alliance")

    def ready(self) -> None:
        from alliance import accounts  # noqa: F401 - connects the email_confirmed receiver
