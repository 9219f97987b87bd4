"""The network map, drawn server-side as SVG: land, the hub's spokes and labelled cities.

Two layouts of the same map: a wide one (world with a Europe inset in a corner) and a
narrow one for phones (world above, Europe below), each with labels sized to stay at
least 11 CSS pixels at the narrowest width it is shown at (see static/css/map.css).
The member cities of Europe lie too close together at world scale, so they are drawn
enlarged in an inset; on the world panel they are dots inside a frame.

Labels are placed deterministically: each city tries candidate positions around its
marker, nearest first, and takes the first whose box stays inside its panel and meets
no other label, marker, spoke, leader line or frame.
"""

import functools
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from cities.models import City

LAND_FILE = Path(__file__).resolve().parent / "data" / "land.json"

# The cities drawn in the inset: Europe, roughly (Tel Aviv and Dubai are outside).
REGION = {"west": -25.0, "east": 32.0, "south": 35.0, "north": 65.0}
REGION_NAME = _("Europe")

MARKER_RADIUS = 4.0
HUB_RADIUS = 6.5


@dataclass(frozen=True)
class Layout:
    """A way of drawing the map: its width, label size and where the panels go."""

    name: str
    width: float
    font_size: float
    world_height: float  # the world panel's height (its window grows south to fill it)
    inset_width: float
    inset_height: float
    stacked: bool  # the inset below the world panel rather than over one of its corners
    padding: float  # degrees of longitude around the cities on the world panel
    # The narrowest the drawing is shown (CSS px of content: static/css/map.css shows the
    # wide one from a 768 px viewport, the narrow one from 320 px, less two 16 px margins).
    narrowest: float

    @property
    def smallest_label_px(self) -> float:
        """The label size in CSS pixels at the narrowest width the drawing is shown."""
        return self.font_size * self.narrowest / self.width


WIDE = Layout("wide", 960, 15, 500, 360, 250, stacked=False, padding=18, narrowest=736)
NARROW = Layout("narrow", 320, 13, 170, 320, 230, stacked=True, padding=12, narrowest=288)
LAYOUTS = (WIDE, NARROW)


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

    def contains(self, other: "Box") -> bool:
        return (
            self.left <= other.left
            and self.top <= other.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def grown(self, by: float) -> "Box":
        return Box(self.left - by, self.top - by, self.right + by, self.bottom + by)

    def crossed_by(self, segment: "Segment") -> bool:
        """Whether the segment passes through the box (Liang-Barsky clipping)."""
        x1, y1, x2, y2 = segment.x1, segment.y1, segment.x2, segment.y2
        dx, dy = x2 - x1, y2 - y1
        low, high = 0.0, 1.0
        for p, q in (
            (-dx, x1 - self.left),
            (dx, self.right - x1),
            (-dy, y1 - self.top),
            (dy, self.bottom - y1),
        ):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Window:
    """A rectangle of longitude and latitude shown in a rectangle of the SVG."""

    west: float
    east: float
    south: float
    north: float
    x: float
    y: float
    scale: float  # SVG units per degree of latitude
    stretch: float  # cos(mid latitude): a degree of longitude is this much narrower

    @property
    def box(self) -> Box:
        return Box(
            self.x,
            self.y,
            self.x + (self.east - self.west) * self.stretch * self.scale,
            self.y + (self.north - self.south) * self.scale,
        )

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            self.x + (lon - self.west) * self.stretch * self.scale,
            self.y + (self.north - lat) * self.scale,
        )


@dataclass
class Label:
    city: City
    text: str
    x: float  # the marker
    y: float
    radius: float
    label_x: float = 0
    label_y: float = 0
    anchor: str = "start"
    box: Box | None = None
    leader: Segment | None = None

    @property
    def marker(self) -> Box:
        r = self.radius
        return Box(self.x - r, self.y - r, self.x + r, self.y + r)


@dataclass
class Panel:
    """One rectangle of the map: the world, or the enlarged region."""

    name: str
    window: Window
    labels: list[Label] = field(default_factory=list)
    dots: list[tuple[float, float, bool]] = field(default_factory=list)  # x, y, is the hub
    spokes: list[Segment] = field(default_factory=list)
    hub: Label | None = None
    title: Label | None = None  # the inset's own name
    frame: Box | None = None  # the region's outline on the world panel
    land: str = ""

    @property
    def box(self) -> Box:
        return self.window.box

    @property
    def width(self) -> float:
        return self.box.right - self.box.left

    @property
    def height(self) -> float:
        return self.box.bottom - self.box.top

    @property
    def frame_width(self) -> float:
        return self.frame.right - self.frame.left if self.frame else 0

    @property
    def frame_height(self) -> float:
        return self.frame.bottom - self.frame.top if self.frame else 0


@dataclass
class Drawing:
    layout: Layout
    width: float
    height: float
    panels: list[Panel]
    connectors: list[Segment]

    @property
    def font_size(self) -> float:
        return self.layout.font_size

    @property
    def labels(self) -> list[Label]:
        return [label for panel in self.panels for label in panel.labels]


@dataclass
class NetworkMap:
    cities: list[City]
    hub: City | None
    drawings: list[Drawing]
    region_cities: list[City]

    @property
    def region_name(self) -> str:
        return str(REGION_NAME)

    @property
    def others(self) -> list[City]:
        return [city for city in self.cities if city is not self.hub]


# Text metrics: advances in ems of a wide sans-serif at weight 600 (DejaVu Sans Bold, what
# Linux browsers pick for system-ui; others are narrower), so that boxes are never too
# small. The browser test checks the real boxes.
WIDE_CHARACTERS = {"M": 1.03, "W": 1.03, "m": 1.04, "w": 0.92, " ": 0.35}
NARROW_CHARACTERS = set("ijlrtfI.,'")


def text_width(text: str, font_size: float) -> float:
    ems = sum(
        WIDE_CHARACTERS.get(char)
        or (0.45 if char in NARROW_CHARACTERS else 0.85 if char.isupper() else 0.7)
        for char in text
    )
    return ems * font_size


def _text_box(x: float, y: float, anchor: str, text: str, font_size: float) -> Box:
    width = text_width(text, font_size)
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    # y is the baseline: the font's ascent reaches about 0.95 em above it, its descent
    # 0.25 em below (the box a browser gives the text); a unit of air around it.
    return Box(left - 2, y - 0.97 * font_size - 1, left + width + 2, y + 0.28 * font_size + 1)


def _in_region(city: City) -> bool:
    lon, lat = float(city.longitude), float(city.latitude)
    return REGION["west"] <= lon <= REGION["east"] and REGION["south"] <= lat <= REGION["north"]


def network_map(cities: Iterable[City]) -> NetworkMap:
    """Lay out the network map for `cities` in every layout."""
    cities = list(cities)
    hub = next((city for city in cities if city.is_hub), None)
    region = [city for city in cities if _in_region(city)]
    if len(region) < 2 or len(region) == len(cities):
        region = []  # an inset is worth it only for a cluster among other cities
    drawings = [_draw(layout, cities, hub, region) for layout in LAYOUTS] if cities else []
    return NetworkMap(cities, hub, drawings, region)


def _draw(layout: Layout, cities: list[City], hub: City | None, region: list[City]) -> Drawing:
    lons = [float(city.longitude) for city in cities]
    lats = [float(city.latitude) for city in cities]
    pad = layout.padding
    west, east, north = min(lons) - pad, max(lons) + pad, min(max(lats) + pad * 0.6, 85)
    stretch = math.cos(math.radians((min(lats) + max(lats)) / 2))
    scale = layout.width / ((east - west) * stretch)
    # The window reaches south as far as the layout's height allows, and past every city.
    south = min(north - layout.world_height / scale, min(lats) - pad)
    world = Window(west, east, south, north, 0, 0, scale, stretch)
    world_panel = Panel("world", world)
    panels = [world_panel]
    connectors = []
    height = world.box.bottom

    inset_panel = None
    if region:
        inset_panel, frame, overlaid = _inset(layout, world, region, cities)
        world_panel.frame = frame
        panels.append(inset_panel)
        height = max(height, inset_panel.box.bottom)
        if overlaid:
            inset = inset_panel.box
            connectors = [
                Segment(frame.left, frame.bottom, inset.left, inset.top),
                Segment(frame.right, frame.bottom, inset.right, inset.top),
            ]

    in_region = {city.pk for city in region}
    for panel in panels:
        members = [city for city in cities if (city.pk in in_region) == (panel is inset_panel)]
        for city in members:
            x, y = panel.window.project(float(city.longitude), float(city.latitude))
            label = Label(city, str(city.name), x, y, HUB_RADIUS if city.is_hub else MARKER_RADIUS)
            panel.labels.append(label)
            if city.is_hub:
                panel.hub = label
        if panel is world_panel:
            world_panel.dots = [
                (*panel.window.project(float(city.longitude), float(city.latitude)), city.is_hub)
                for city in region
            ]
        hub_point = _hub_point(panel, hub)
        if hub_point:
            panel.spokes = [
                Segment(*hub_point, label.x, label.y)
                for label in panel.labels
                if label.city is not hub
            ]
        panel.land = land_path(panel.window)

    _place_labels(panels, connectors, layout.font_size)
    return Drawing(layout, layout.width, math.ceil(height), panels, connectors)


def _hub_point(panel: Panel, hub: City | None) -> tuple[float, float] | None:
    if hub is None:
        return None
    x, y = panel.window.project(float(hub.longitude), float(hub.latitude))
    return (x, y) if panel.box.contains(Box(x, y, x, y)) else None


def _inset(
    layout: Layout, world: Window, region: list[City], cities: list[City]
) -> tuple[Panel, Box, bool]:
    """The enlarged region fitted around its cities, its frame on the world panel, and
    whether it lies over a corner of the world panel (else below it)."""
    lons = [float(city.longitude) for city in region]
    lats = [float(city.latitude) for city in region]
    mid_lon, mid_lat = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    stretch = math.cos(math.radians(mid_lat))
    # Leave room for labels: the cities fill at most 60 % of the width and 50 % of the height.
    scale = min(
        layout.inset_width * 0.6 / max((max(lons) - min(lons)) * stretch, 1),
        layout.inset_height * 0.5 / max(max(lats) - min(lats), 1),
    )
    half_lon = layout.inset_width / (2 * scale * stretch)
    half_lat = layout.inset_height / (2 * scale)
    west, east = mid_lon - half_lon, mid_lon + half_lon
    south, north = mid_lat - half_lat, mid_lat + half_lat
    corner = None if layout.stacked else _free_corner(layout, world, cities)
    # Without a free corner the inset goes below the world.
    x, y = corner or ((layout.width - layout.inset_width) / 2, world.box.bottom + 8)
    window = Window(west, east, south, north, x, y, scale, stretch)
    panel = Panel("inset", window)
    panel.title = Label(None, str(REGION_NAME), 0, 0, 0)
    fx1, fy1 = world.project(west, north)
    fx2, fy2 = world.project(east, south)
    return panel, Box(fx1, fy1, fx2, fy2), corner is not None


def _free_corner(layout: Layout, world: Window, cities: list[City]) -> tuple[float, float] | None:
    """The first corner of the world panel (bottom left, bottom right, ...) with no city."""
    margin = 10
    box = world.box
    corners = [
        (margin, box.bottom - layout.inset_height - margin),
        (box.right - layout.inset_width - margin, box.bottom - layout.inset_height - margin),
        (margin, margin),
        (box.right - layout.inset_width - margin, margin),
    ]
    points = [world.project(float(c.longitude), float(c.latitude)) for c in cities]
    for x, y in corners:
        area = Box(x, y, x + layout.inset_width, y + layout.inset_height).grown(60)
        if not any(area.overlaps(Box(px, py, px, py)) for px, py in points):
            return x, y
    return None


def _candidates(label: Label, font_size: float) -> Iterator[tuple[float, float, str, int]]:
    """Label positions around the marker, nearest first: (x, y, anchor, distance)."""
    gap = label.radius + 3
    third = font_size / 3  # lifts the baseline so the text's middle meets the marker
    for distance in range(0, 100, 6):
        d = gap + distance
        yield label.x + d, label.y + third, "start", distance
        yield label.x - d, label.y + third, "end", distance
        yield label.x, label.y - d, "middle", distance
        yield label.x, label.y + d + font_size * 0.8, "middle", distance
        diagonal = d * 0.75
        yield label.x + diagonal, label.y - diagonal, "start", distance
        yield label.x - diagonal, label.y - diagonal, "end", distance
        yield label.x + diagonal, label.y + diagonal + font_size * 0.6, "start", distance
        yield label.x - diagonal, label.y + diagonal + font_size * 0.6, "end", distance


def _leader(label: Label, box: Box) -> Segment:
    """From the marker's edge to the nearest point of the label's box."""
    nx = min(max(label.x, box.left), box.right)
    ny = min(max(label.y, box.top), box.bottom)
    dx, dy = nx - label.x, ny - label.y
    length = math.hypot(dx, dy) or 1
    return Segment(
        label.x + dx / length * label.radius, label.y + dy / length * label.radius, nx, ny
    )


def _place_labels(panels: list[Panel], connectors: list[Segment], font_size: float) -> None:
    """Give every label the nearest candidate position that meets nothing else."""
    boxes: list[Box] = []  # placed labels
    leaders: list[Segment] = []
    for panel in panels:
        if panel.title:
            title = panel.title
            title.label_x, title.label_y = panel.box.left + 8, panel.box.top + 6 + font_size
            title.box = _text_box(title.label_x, title.label_y, "start", title.text, font_size)
            boxes.append(title.box)
    world = panels[0]
    for panel in panels:
        markers = [label.marker for label in panel.labels] + [
            Box(x - MARKER_RADIUS, y - MARKER_RADIUS, x + MARKER_RADIUS, y + MARKER_RADIUS)
            for x, y, _hub in panel.dots
        ]
        segments = panel.spokes + connectors
        # Labels of the world panel keep off the region's frame and the inset over it.
        keep_off = [box for box in (panel.frame,) if box]
        if panel is world:
            keep_off += [other.box for other in panels if other is not world]
        inside = panel.box.grown(-4)
        order = sorted(
            panel.labels,
            key=lambda label: (label.city is not None and not label.city.is_hub, label.x),
        )
        for label in order:
            # Nothing met first; failing that, a label may cross a line but still meets no
            # other label; failing that too, it goes beside its marker.
            for strict in (True, False):
                placed = _first_free(
                    label,
                    font_size,
                    inside=inside,
                    solid=boxes + markers + keep_off,
                    lines=segments + leaders if strict else [],
                    leaders=leaders if strict else [],
                )
                if placed:
                    break
            else:
                x, y = label.x + label.radius + 3, label.y + font_size / 3
                placed = x, y, "start", _text_box(x, y, "start", label.text, font_size), None
            x, y, label.anchor, label.box, label.leader = placed
            label.label_x, label.label_y = round(x, 1), round(y, 1)
            boxes.append(label.box)
            if label.leader:
                leaders.append(label.leader)


def _first_free(
    label: Label,
    font_size: float,
    *,
    inside: Box,
    solid: list[Box],
    lines: list[Segment],
    leaders: list[Segment],
) -> tuple[float, float, str, Box, Segment | None] | None:
    """The nearest candidate inside `inside` that overlaps no `solid` box nor crosses a line."""
    for x, y, anchor, distance in _candidates(label, font_size):
        box = _text_box(x, y, anchor, label.text, font_size)
        if not inside.contains(box):
            continue
        if any(box.overlaps(other) for other in solid):
            continue
        if any(box.crossed_by(line) for line in lines):
            continue
        leader = _leader(label, box) if distance else None
        if leader and (
            any(other.crossed_by(leader) for other in solid if other != label.marker)
            or any(_cross(leader, other) for other in leaders)
        ):
            continue
        return x, y, anchor, box, leader
    return None


def _cross(a: Segment, b: Segment) -> bool:
    """Whether two segments cross (touching ends do not count)."""

    def side(s: Segment, x: float, y: float) -> float:
        return (s.x2 - s.x1) * (y - s.y1) - (s.y2 - s.y1) * (x - s.x1)

    return (
        side(b, a.x1, a.y1) * side(b, a.x2, a.y2) < 0
        and side(a, b.x1, b.y1) * side(a, b.x2, b.y2) < 0
    )


@functools.cache
def _land_rings() -> list[tuple[tuple[float, float, float, float], list[list[float]]]]:
    rings = json.loads(LAND_FILE.read_text(encoding="utf-8"))["rings"]
    return [
        (
            (
                min(p[0] for p in ring),
                max(p[0] for p in ring),
                min(p[1] for p in ring),
                max(p[1] for p in ring),
            ),
            ring,
        )
        for ring in rings
    ]


def _simplified(points: list[tuple[float, float]], tolerance: float) -> list:
    """Douglas-Peucker: keep the points that stray more than `tolerance` from the chord."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        chord = Segment(*points[first], *points[last])
        furthest, index = tolerance, None
        for i in range(first + 1, last):
            distance = _distance(points[i], chord)
            if distance > furthest:
                furthest, index = distance, i
        if index is not None:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _distance(point: tuple[float, float], chord: Segment) -> float:
    x, y = point
    dx, dy = chord.x2 - chord.x1, chord.y2 - chord.y1
    if dx == dy == 0:
        return math.hypot(x - chord.x1, y - chord.y1)
    t = max(0.0, min(1.0, ((x - chord.x1) * dx + (y - chord.y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - chord.x1 - t * dx, y - chord.y1 - t * dy)


@functools.lru_cache(maxsize=32)
def land_path(window: Window) -> str:
    """The SVG path of the land in a window, in whole SVG units (the panel clips it)."""
    margin = 5
    commands = []
    for (west, east, south, north), ring in _land_rings():
        if (
            east < window.west - margin
            or west > window.east + margin
            or north < window.south - margin
            or south > window.north + margin
        ):
            continue
        projected = [window.project(lon, lat) for lon, lat in ring]
        xs, ys = [x for x, _ in projected], [y for _, y in projected]
        if max(xs) - min(xs) < 3 and max(ys) - min(ys) < 3:
            continue  # an island smaller than a marker
        points = []
        for x, y in _simplified(projected, 1.0):
            point = (round(x), round(y))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) < 3:
            continue
        (x0, y0), *rest = points
        steps = []
        px, py = x0, y0
        for x, y in rest:
            steps.append(f"{x - px} {y - py}")
            px, py = x, y
        commands.append(f"M{x0} {y0}l" + " ".join(steps) + "z")
    return "".join(commands)
