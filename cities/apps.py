from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "cities"
    verbose_name = _("Cities and partners")

    def ready(self) -> None:
        from alliance import private_files
        from alliance.mail.notices import register_opt_out

        register_opt_out(self.get_model("Contact"), "receives_notifications")

        private_files.register(
            "agreements/",
            lambda user, name: user.is_active and user.has_perm("cities.view_cooperationagreement"),
        )
