"""Make cities/data/land.json, the outline of the land on the network map, once.

Source: Natural Earth 1:110m Admin 0 Countries (public domain, naturalearthdata.com),
as shipped in the `naturalearth_lowres` shapefile of the geopandas 0.14.4 wheel on PyPI
(geopandas dropped its bundled data in 1.0). Run it again only to change the
simplification:

    pip download --no-deps geopandas==0.14.4 -d /tmp/ne
    unzip -o /tmp/ne/geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*' -d /tmp/ne
    python scripts/make_land.py \
        /tmp/ne/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

The shapefile is read with the standard library (polygons only: shape type 5), each
ring simplified (Douglas-Peucker, TOLERANCE degrees) and rounded to two decimals;
Antarctica is left out (it is never on the map).
"""

import json
import struct
import sys
from pathlib import Path

TOLERANCE = 0.08  # degrees: under a pixel at the Europe inset's scale
OUTPUT = Path(__file__).resolve().parent.parent / "cities" / "data" / "land.json"
ABOUT = (
    "Land outlines for the network map: Natural Earth 1:110m Admin 0 Countries "
    "(public domain, https://www.naturalearthdata.com/about/terms-of-use/), from the "
    "naturalearth_lowres shapefile shipped in the geopandas 0.14.4 wheel, simplified "
    "by scripts/make_land.py. Each ring is a list of [longitude, latitude]."
)


def read_rings(path: Path) -> list[list[tuple[float, float]]]:
    """Every ring of every polygon record of a shapefile, as (lon, lat) pairs."""
    data = path.read_bytes()
    rings = []
    offset = 100  # the file header
    while offset < len(data):
        _number, length = struct.unpack(">ii", data[offset : offset + 8])
        record = data[offset + 8 : offset + 8 + length * 2]
        offset += 8 + length * 2
        (shape_type,) = struct.unpack("<i", record[:4])
        if shape_type != 5:
            continue
        box = struct.unpack("<4d", record[4:36])
        if box[3] < -60:  # Antarctica
            continue
        num_parts, num_points = struct.unpack("<ii", record[36:44])
        parts = list(struct.unpack(f"<{num_parts}i", record[44 : 44 + 4 * num_parts]))
        start = 44 + 4 * num_parts
        points = [
            struct.unpack("<2d", record[start + 16 * i : start + 16 * (i + 1)])
            for i in range(num_points)
        ]
        for first, end in zip(parts, [*parts[1:], num_points], strict=True):
            rings.append(points[first:end])
    return rings


def _distance(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return ((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5


def simplify(points: list, tolerance: float) -> list:
    """Douglas-Peucker: keep the points that stray more than `tolerance` from the chord."""
    if len(points) < 3:
        return points
    index, furthest = 0, -1.0
    for i in range(1, len(points) - 1):
        distance = _distance(points[i], points[0], points[-1])
        if distance > furthest:
            index, furthest = i, distance
    if furthest <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def main(source: str) -> None:
    rings = []
    for ring in read_rings(Path(source)):
        simple = [(round(x, 2), round(y, 2)) for x, y in simplify(ring, TOLERANCE)]
        if len(simple) >= 4:  # a closed ring of at least three corners
            rings.append([list(point) for point in simple])
    OUTPUT.write_text(
        json.dumps({"about": ABOUT, "rings": rings}, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    sys.stdout.write(f"{OUTPUT}: {len(rings)} rings, {sum(len(r) for r in rings)} points\n")


if __name__ == "__main__":
    main(sys.argv[1])
