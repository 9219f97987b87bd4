from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "alliance.accounts"
    label = "accounts"
    verbose_name = _("Users")  # allauth's own app is "Accounts" (email addresses)

    def ready(self) -> None:
        from alliance.accounts import sessions, signals  # noqa: F401 - connect receivers
        from alliance.mail.notices import register_opt_out

        register_opt_out(self.get_model("User"), "receives_reminders")

        from alliance.accounts.roles import ROLES
        from alliance.migration_data import remake_when_flushed

        def no_roles(apps, using) -> bool:
            group = apps.get_model("auth", "Group")
            return not group.objects.using(using).filter(name__in=ROLES).exists()

        remake_when_flushed(
            self,
            [("0002_staff_roles", "create_roles"), ("0003_webhook_permissions", "grant")],
            no_roles,
        )
