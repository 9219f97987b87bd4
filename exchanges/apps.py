from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The models whose rows belong to one programme's applications.
APPLICATION_SCOPED = (
    "exchanges.application",
    "exchanges.answer",
    "exchanges.applicationevent",
    "exchanges.review",
    "exchanges.score",
    "exchanges.recommendation",
    "partners.applicationshare",
    "partners.dataaccess",
)


class ExchangesConfig(AppConfig):
    name = "exchanges"
    verbose_name = _("Exchanges")  # programmes, applications, reviews: not only programmes

    def ready(self) -> None:
        from alliance.migration_data import remake_when_flushed

        def no_default_criteria(apps, using) -> bool:
            criterion = apps.get_model("exchanges", "ReviewCriterion")
            return not criterion.objects.using(using).filter(programme=None).exists()

        remake_when_flushed(self, [("0002_default_criteria", "create")], no_default_criteria)
        from alliance import private_files
        from alliance.audit.history import register_deleted_history
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

        # A deleted row of an application (or of what belongs to one) no longer says whose
        # programme it was: its History is for those who see every programme.
        for label in APPLICATION_SCOPED:
            register_deleted_history(label, access.sees_every_programme)
