from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Each app's declaration of its personal data (alliance.privacy.registry), imported in
# ready() here rather than from every app's own AppConfig: one list to read.
PERSONAL_DATA_MODULES = (
    "alliance.accounts.personal_data",
    "alliance.mail.personal_data",
    "cities.personal_data",
    "startups.personal_data",
    "exchanges.personal_data",
    "exchanges.partners.personal_data",
)


class PrivacyConfig(AppConfig):
    name = "alliance.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        """Load every app's part of the personal-data registry, and this app's own."""
        from importlib import import_module

        from alliance.privacy.registry import register

        for module in PERSONAL_DATA_MODULES:
            import_module(module)
        register(
            "privacy.DataExport",
            rows=lambda user: self.get_model("DataExport").objects.filter(user=user),
            exclude=("file",),  # the archive itself
        )
