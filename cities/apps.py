from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = _("Cities and partners")

    def ready(self) -> None:
        from alliance import private_files

        private_files.register(
            "agreements/",
            lambda user, name: user.is_active and user.has_perm("cities.view_cooperationagreement"),
        )
