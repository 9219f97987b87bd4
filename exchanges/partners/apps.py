from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "exchanges.partners"
    label = "partners"
    verbose_name = _("Partner access")

    def ready(self) -> None:
        from exchanges.partners import feed, pitch_decks
        from exchanges.partners.api.auth import request_key
        from exchanges.partners.webhooks import events

        feed.connect()
        events.connect()  # after the feed: a submit's shares exist when its event is written
        pitch_decks.connect(key_of=request_key)
