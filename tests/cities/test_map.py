import pytest

from cities.map import WIDTH, network_map
from cities.models import City
from cities.services import load_network
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db


def label_box(point) -> tuple[float, float, float, float]:
    width = len(str(point.city.name)) * 7.4
    left = {"start": point.label_x, "end": point.label_x - width}.get(
        point.anchor, point.label_x - width / 2
    )
    return left, point.label_y - 13, left + width, point.label_y + 3


def overlap(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def test_network_map_of_the_real_network():
    load_network()

    the_map = network_map(City.objects.all())

    by_slug = {point.city.slug: point for point in the_map.points}
    assert the_map.hub is by_slug["berlin"]
    assert len(the_map.spokes) == 9
    # Geography holds: west is left, north is up.
    assert by_slug["new-york"].x < by_slug["london"].x < by_slug["berlin"].x < by_slug["beijing"].x
    assert by_slug["berlin"].y < by_slug["vienna"].y < by_slug["tel-aviv"].y < by_slug["dubai"].y
    for point in the_map.points:
        assert 0 <= point.x <= WIDTH
        assert 0 <= point.y <= the_map.height
    boxes = [label_box(point) for point in the_map.points]
    for index, box in enumerate(boxes):
        assert not any(overlap(box, other) for other in boxes[index + 1 :]), the_map.points[index]


def test_network_map_without_cities_or_hub():
    assert network_map([]).points == []
    lone = network_map([CityFactory()])
    assert lone.hub is None
    assert len(lone.points) == 1
