import pytest
from django.utils import translation

from cities.map import LAYOUTS, NARROW, WIDE, Box, network_map
from cities.models import City
from cities.services import load_network
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db


def real_map(language: str):
    load_network()
    with translation.override(language):
        return network_map(City.objects.all())


def test_network_map_draws_the_world_and_europe_enlarged():
    the_map = real_map("en")

    assert [drawing.layout for drawing in the_map.drawings] == [WIDE, NARROW]
    assert sorted(city.slug for city in the_map.region_cities) == [
        "berlin",
        "london",
        "paris",
        "vienna",
        "warsaw",
    ]
    for drawing in the_map.drawings:
        world, inset = drawing.panels
        assert sorted(label.text for label in world.labels) == [
            "Beijing",
            "Dubai",
            "New York",
            "Shanghai",
            "Tel Aviv",
        ]
        assert sorted(label.text for label in inset.labels) == [
            "Berlin",
            "London",
            "Paris",
            "Vienna",
            "Warsaw",
        ]
        assert len(world.dots) == 5  # the Europe cities, unlabelled inside the frame
        assert len(world.spokes) == 5
        assert len(inset.spokes) == 4
        assert inset.title.text == "Europe"
        assert world.land.startswith("M")
        assert inset.land.startswith("M")
        # Geography holds: west is left, north is up.
        at = {label.city.slug: label for label in drawing.labels}
        assert at["new-york"].x < at["tel-aviv"].x < at["dubai"].x < at["beijing"].x
        assert at["beijing"].y < at["shanghai"].y
        assert at["london"].x < at["berlin"].x < at["warsaw"].x
        assert at["berlin"].y < at["vienna"].y


@pytest.mark.parametrize("language", ["en", "de"])
def test_network_map_labels_never_overlap_nor_cross_a_line(language):
    the_map = real_map(language)

    for drawing in the_map.drawings:
        labels = drawing.labels
        titles = [panel.title for panel in drawing.panels if panel.title]
        boxes = [label.box for label in labels + titles]
        for index, box in enumerate(boxes):
            assert not any(box.overlaps(other) for other in boxes[index + 1 :]), (
                drawing.layout.name,
                (labels + titles)[index].text,
            )
        lines = [*drawing.connectors]
        for panel in drawing.panels:
            lines += panel.spokes
        leaders = [label.leader for label in labels if label.leader]
        markers = [label.marker for label in labels]
        for panel in drawing.panels:
            markers += [Box(x - 4, y - 4, x + 4, y + 4) for x, y, _hub in panel.dots]
        for label in labels:
            others = [leader for leader in leaders if leader is not label.leader]
            assert not any(label.box.crossed_by(line) for line in lines + others), label.text
            assert not any(label.box.overlaps(marker) for marker in markers), label.text
        for panel in drawing.panels:
            for label in panel.labels:
                assert panel.box.contains(label.box), label.text
        for label in drawing.panels[0].labels:  # the world's labels keep off the inset
            assert not label.box.overlaps(drawing.panels[1].box), label.text
            assert not label.box.overlaps(drawing.panels[0].frame), label.text


def test_network_map_labels_are_at_least_11_css_pixels_where_shown():
    assert [round(layout.smallest_label_px, 1) for layout in LAYOUTS] == [11.5, 11.7]


def test_network_map_without_cities_hub_or_cluster():
    assert network_map([]).drawings == []
    lone = network_map([CityFactory()])
    assert lone.hub is None
    assert [len(drawing.labels) for drawing in lone.drawings] == [1, 1]
    assert [len(drawing.panels) for drawing in lone.drawings] == [1, 1]  # no inset
    assert lone.drawings[0].panels[0].spokes == []
