from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "exchanges"
    verbose_name = _("Exchange programmes")

    def ready(self) -> None:
        from alliance import private_files
        from exchanges import access, emails, seam
        from exchanges.models import Application

        # Who follows every change of an application's state (see exchanges/seam.py).
        seam.subscribe(emails.queue_transition_emails)

        def can_read_pitch_deck(user, name: str) -> bool:
            if not user.is_authenticated:
                return False
            if access.visible_applications(user).filter(pitch_deck=name).exists():
                return True
            return Application.objects.filter(
                pitch_deck=name, startup__memberships__user=user
            ).exists()

        private_files.register("pitch-decks/", can_read_pitch_deck)
