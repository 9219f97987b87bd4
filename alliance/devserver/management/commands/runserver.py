from django.conf import settings
from whitenoise.runserver_nostatic.management.commands import runserver

# The addresses that mean "every interface": a browser on this machine reaches them here.
ANY_ADDRESS = {"0.0.0.0": "127.0.0.1", "0": "127.0.0.1", "::": "::1"}  # noqa: S104


def served_site_url(addr: str, port: str, *, ipv6: bool) -> str:
    """The portal's address as a browser on this machine reaches `addr:port`."""
    host = ANY_ADDRESS.get(addr, addr)
    if ipv6 or ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


class Command(runserver.Command):
    help = (
        "Serve the portal for development; without SITE_URL in the environment, links in "
        "emails point at the address served."
    )

    def on_bind(self, server_port: int) -> None:
        # In the process that serves (the reloader's child binds again), once the port is
        # known (`:0` picks one): its requests and eager tasks link to where it answers.
        if settings.SITE_URL_FROM_SERVER:
            settings.SITE_URL = served_site_url(self.addr, str(server_port), ipv6=self.use_ipv6)
        super().on_bind(server_port)
        if settings.SITE_URL_FROM_SERVER:
            self.stdout.write(f"Links in emails point at {settings.SITE_URL}/")
