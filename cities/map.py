"""The network map: cities placed by their coordinates, drawn server-side as SVG."""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from cities.models import City

WIDTH, MAX_HEIGHT, MIN_HEIGHT, MARGIN = 960, 560, 200, 40
FONT_SIZE = 13
CHAR_WIDTH = 7.4  # average advance of the label font at FONT_SIZE, for overlap checks
MARKER_RADIUS = 5


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: "Box") -> bool:
        return not (
            self.right <= other.left
            or other.right <= self.left
            or self.bottom <= other.top
            or other.bottom <= self.top
        )

    def inside(self, height: float) -> bool:
        return self.left >= 0 and self.top >= 0 and self.right <= WIDTH and self.bottom <= height


@dataclass
class MapPoint:
    city: City
    x: float
    y: float
    label_x: float = 0
    label_y: float = 0
    anchor: str = "start"
    leader: bool = False


@dataclass
class NetworkMap:
    width: int
    height: int
    points: list[MapPoint]
    hub: MapPoint | None

    @property
    def spokes(self) -> list[MapPoint]:
        """The cities connected to the hub."""
        return [point for point in self.points if point is not self.hub]


def _project(cities: list[City]) -> tuple[list[MapPoint], int]:
    """Place cities with an equirectangular projection fitted to their bounding box.

    The map is as wide as the page allows and as high as the cities need.
    """
    lons = [float(city.longitude) for city in cities]
    lats = [float(city.latitude) for city in cities]
    mid_lat = math.radians((max(lats) + min(lats)) / 2)
    x_stretch = math.cos(mid_lat)
    span_x = max((max(lons) - min(lons)) * x_stretch, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (MAX_HEIGHT - 2 * MARGIN) / span_y)
    height = max(MIN_HEIGHT, round(span_y * scale + 2 * MARGIN))
    offset_x = (WIDTH - span_x * scale) / 2
    offset_y = (height - span_y * scale) / 2
    points = [
        MapPoint(
            city=city,
            x=round(offset_x + (lon - min(lons)) * x_stretch * scale, 1),
            y=round(offset_y + (max(lats) - lat) * scale, 1),
        )
        for city, lon, lat in zip(cities, lons, lats, strict=True)
    ]
    return points, height


def _candidates(point: MapPoint) -> Iterable[tuple[float, float, str, bool]]:
    """Label positions to try, nearest first: beside the marker, then further off with a leader."""
    gap = MARKER_RADIUS + 4
    yield point.x + gap, point.y + FONT_SIZE / 3, "start", False
    yield point.x - gap, point.y + FONT_SIZE / 3, "end", False
    yield point.x, point.y - gap, "middle", False
    yield point.x, point.y + gap + FONT_SIZE, "middle", False
    for step in range(1, 8):
        offset = step * (FONT_SIZE + 4)
        for dy in (-offset, offset):
            yield point.x + gap + 6, point.y + dy, "start", True
            yield point.x - gap - 6, point.y + dy, "end", True


def _label_box(x: float, y: float, anchor: str, text: str) -> Box:
    width = len(text) * CHAR_WIDTH
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return Box(left - 2, y - FONT_SIZE, left + width + 2, y + 3)


def _place_labels(points: list[MapPoint], height: int) -> None:
    """Give each label the first candidate position that overlaps no marker or placed label."""
    taken = [
        Box(p.x - MARKER_RADIUS, p.y - MARKER_RADIUS, p.x + MARKER_RADIUS, p.y + MARKER_RADIUS)
        for p in points
    ]
    for point in sorted(points, key=lambda p: (-p.city.is_hub, p.y, p.x)):
        text = str(point.city.name)
        fallback = None
        for x, y, anchor, leader in _candidates(point):
            box = _label_box(x, y, anchor, text)
            if not box.inside(height):
                continue
            fallback = fallback or (x, y, anchor, leader, box)
            if not any(box.overlaps(other) for other in taken):
                fallback = (x, y, anchor, leader, box)
                break
        if fallback is None:  # a map too small for the label: keep it beside the marker
            x, y, anchor, leader = next(iter(_candidates(point)))
            fallback = (x, y, anchor, leader, _label_box(x, y, anchor, text))
        point.label_x, point.label_y, point.anchor, point.leader, box = fallback
        point.label_x, point.label_y = round(point.label_x, 1), round(point.label_y, 1)
        taken.append(box)


def network_map(cities: Iterable[City]) -> NetworkMap:
    """Lay out the network map for `cities` (the hub connected to every other city)."""
    cities = list(cities)
    if not cities:
        return NetworkMap(WIDTH, MIN_HEIGHT, [], None)
    points, height = _project(cities)
    _place_labels(points, height)
    hub = next((point for point in points if point.city.is_hub), None)
    return NetworkMap(WIDTH, height, points, hub)
