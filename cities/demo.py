"""The network the demo data is hosted in (development only)."""

from cities.models import City
from cities.services import load_network


def make_demo_network() -> None:
    """Load the partner network from its file, unless it is already there."""
    if not City.objects.filter(slug="tel-aviv").exists():
        load_network()
