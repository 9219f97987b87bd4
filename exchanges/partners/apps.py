from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "exchanges.partners"
    label = "partners"
    verbose_name = _("Partner access")

    def ready(self) -> None:
        from exchanges.partners import feed, pitch_decks
        from exchanges.partners.api.auth import request_key

        feed.connect()
        pitch_decks.connect(key_of=request_key)
