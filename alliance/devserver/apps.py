from django.apps import AppConfig


class DevserverConfig(AppConfig):
    """The development server's command (see the package's docstring); no models."""

    name = "alliance.devserver"
    label = "devserver"
