from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "alliance.mail"
    label = "mail"
    verbose_name = _("Emails")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(load_email_templates, sender=self)


def load_email_templates(sender, **kwargs) -> None:
    """After migrate: create missing email templates from the files (staff edits stay)."""
    from alliance.mail.templates import sync_defaults

    sync_defaults()
