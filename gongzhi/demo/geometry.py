"""Simple GeoJSON for the demo street: rectangles cut from a box around (121.45E, 31.19N).

The street's ~2.7 km² box is cut into five vertical strips (block areas), each strip into
residential areas stacked north to south, each area into estates side by side, each estate
into grids; buildings are points on a lattice inside their grid. Crude, but every map has
something to draw and every shape lies inside its parent's.
"""

from dataclasses import dataclass
from typing import Any

CENTRE = (121.45, 31.19)
# 0.0175° of longitude ≈ 1.67 km and 0.0145° of latitude ≈ 1.61 km at 31°N: ≈ 2.69 km².
SPAN = (0.0175, 0.0145)


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    def split_columns(self, weights: list[float]) -> list["Box"]:
        total, edges, acc = sum(weights), [self.west], 0.0
        for w in weights:
            acc += w
            edges.append(self.west + (self.east - self.west) * acc / total)
        return [Box(edges[i], self.south, edges[i + 1], self.north) for i in range(len(weights))]

    def split_rows(self, weights: list[float]) -> list["Box"]:
        total, edges, acc = sum(weights), [self.north], 0.0
        for w in weights:
            acc += w
            edges.append(self.north - (self.north - self.south) * acc / total)
        return [Box(self.west, edges[i + 1], self.east, edges[i]) for i in range(len(weights))]

    def polygon(self) -> dict[str, Any]:
        ring = [
            [_r(self.west), _r(self.south)],
            [_r(self.east), _r(self.south)],
            [_r(self.east), _r(self.north)],
            [_r(self.west), _r(self.north)],
            [_r(self.west), _r(self.south)],
        ]
        return {"type": "Polygon", "coordinates": [ring]}

    def lattice_point(self, index: int, count: int) -> dict[str, Any]:
        """The index-th of `count` points spread on a lattice inside the box."""
        columns = max(1, round(count**0.5))
        rows = -(-count // columns)
        col, row = index % columns, index // columns
        lon = self.west + (self.east - self.west) * (col + 0.5) / columns
        lat = self.north - (self.north - self.south) * (row + 0.5) / rows
        return {"type": "Point", "coordinates": [_r(lon), _r(lat)]}


STREETS_PER_ROW = 5  # a district's streets side by side, five to a row, street 1 at CENTRE


def street_box(number: int = 1) -> Box:
    """The box of the district's street `number` (1-based): east of the one before it, the
    next row south of the first."""
    column, row = (number - 1) % STREETS_PER_ROW, (number - 1) // STREETS_PER_ROW
    lon, lat = CENTRE[0] + column * SPAN[0], CENTRE[1] - row * SPAN[1]
    return Box(lon - SPAN[0] / 2, lat - SPAN[1] / 2, lon + SPAN[0] / 2, lat + SPAN[1] / 2)


def district_box(streets: int) -> Box:
    """The box around the first `streets` streets' boxes."""
    boxes = [street_box(n) for n in range(1, streets + 1)]
    return Box(
        min(b.west for b in boxes),
        min(b.south for b in boxes),
        max(b.east for b in boxes),
        max(b.north for b in boxes),
    )


def _r(value: float) -> float:
    return round(value, 6)  # ~0.1 m: enough for a map, short in JSON
