"""The demo street's jurisdiction tree, built in memory (unsaved Node objects).

Codes follow one scheme (street 1's shown; street k's start with its own code, demo.district):
FL (street), FL-K1 (block), FL-R01 (residential area; no block in
the code, since codes survive moves), FL-R01-E1 (estate), FL-R01-E1-G1 (grid),
FL-R01-E1-B001 (building), FL-R01-E1-B001-302 (household, by room number). Paths are made
by geo.services.path_for, as node_create makes them.
"""

import random
from dataclasses import dataclass, field

from gongzhi.demo import calibration as cal
from gongzhi.demo import names
from gongzhi.demo.district import current
from gongzhi.demo.geometry import Box, street_box
from gongzhi.demo.rows import new
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.geo.services import path_for


@dataclass
class EstateParts:
    node: Node
    name: str
    road: str
    lane: int
    has_property: bool
    grids: list[Node] = field(default_factory=list)
    buildings: list[Node] = field(default_factory=list)
    households: list[Node] = field(default_factory=list)


@dataclass
class AreaParts:
    node: Node
    block: Node
    estates: list[EstateParts] = field(default_factory=list)


@dataclass
class StreetTree:
    street: Node
    blocks: list[Node]
    areas: list[AreaParts]
    # Household nodes in the order of the household plans, their building and area index.
    households: list[Node] = field(default_factory=list)
    household_building: list[Node] = field(default_factory=list)
    household_area: list[int] = field(default_factory=list)

    def levels(self) -> list[list[Node]]:
        """Nodes level by level, parents before children (the order they must be inserted)."""
        estates = [e for a in self.areas for e in a.estates]
        return [
            [self.street],
            self.blocks,
            [a.node for a in self.areas],
            [e.node for e in estates],
            [g for e in estates for g in e.grids],
            [b for e in estates for b in e.buildings],
            [h for e in estates for h in e.households],
        ]


def _node(code: str, name: str, level: int, parent: Node | None, **extra: object) -> Node:
    return Node(code=code, name=name, level=level, parent=parent, path=path_for(code, parent), **extra)


def build_tree(rng: random.Random, household_count: int, district: Node | None = None) -> StreetTree:
    """The street being built (demo.district.current()), under `district` when given."""
    here = current()
    box = street_box(here.number)
    street = _node(here.code, here.name, Level.STREET, district, geometry=box.polygon())
    street.address = here.local("枫林路 100号")
    block_boxes = box.split_columns([float(n) for n in cal.AREAS_PER_BLOCK])
    blocks = [
        _node(here.code_of(f"K{i + 1}"), names.BLOCK_NAMES[i], Level.BLOCK, street, geometry=b.polygon())
        for i, b in enumerate(block_boxes)
    ]
    area_count = sum(cal.AREAS_PER_BLOCK)
    estates_per_area = [cal.ESTATES // area_count] * area_count
    for i in rng.sample(range(area_count), cal.ESTATES % area_count):
        estates_per_area[i] += 1
    estate_names = names.estate_names(rng, cal.ESTATES)
    without_property = _estates_without_property(rng, estates_per_area)

    areas: list[AreaParts] = []
    lanes: dict[str, set[int]] = {}
    for block_index, block in enumerate(blocks):
        rows = block_boxes[block_index].split_rows([1.0] * cal.AREAS_PER_BLOCK[block_index])
        for area_box in rows:
            number = len(areas) + 1
            n_estates = estates_per_area[number - 1]
            first = sum(estates_per_area[: number - 1])
            code = here.code_of(f"R{number:02d}")
            area_node = _node(
                code, f"{estate_names[first]}居民区", Level.AREA, block, geometry=area_box.polygon()
            )
            area = AreaParts(node=area_node, block=block)
            road = rng.choice(names.ROADS)
            estate_boxes = area_box.split_columns([rng.uniform(0.6, 1.4) for _ in range(n_estates)])
            for j, estate_box in enumerate(estate_boxes):
                lane = _free_lane(rng, lanes.setdefault(road, set()))
                e_code = f"{code}-E{j + 1}"
                e_name = estate_names[first + j]
                estate_node = _node(
                    e_code,
                    e_name,
                    Level.ESTATE,
                    area_node,
                    geometry=estate_box.polygon(),
                    address=f"{road} {lane}弄",
                )
                area.estates.append(
                    EstateParts(estate_node, e_name, road, lane, (first + j) not in without_property)
                )
                _add_grids(rng, area.estates[-1], estate_box)
            area_node.address = f"{road} {area.estates[0].lane}弄 1号（居委会）"
            areas.append(area)

    tree = StreetTree(street=street, blocks=blocks, areas=areas)
    _add_homes(rng, tree, household_count)
    return tree


def _estates_without_property(rng: random.Random, estates_per_area: list[int]) -> set[int]:
    """Indices of the estates with no property company: at most one per residential area,
    so that every area still has a property company to sit at its 居务会."""
    starts = [sum(estates_per_area[:i]) for i in range(len(estates_per_area))]
    chosen_areas = rng.sample(range(len(estates_per_area)), cal.ESTATES_WITHOUT_PROPERTY)
    return {starts[a] + estates_per_area[a] - 1 for a in chosen_areas}


def _free_lane(rng: random.Random, used: set[int]) -> int:
    while True:
        lane = rng.randint(1, 999)
        if lane not in used:
            used.add(lane)
            return lane


def _add_grids(rng: random.Random, estate: EstateParts, estate_box: Box) -> None:
    count = rng.randint(*cal.GRIDS_PER_ESTATE)
    for k, grid_box in enumerate(estate_box.split_rows([1.0] * count)):
        estate.grids.append(
            _node(
                f"{estate.node.code}-G{k + 1}",
                f"{estate.name}第{k + 1}网格",
                Level.GRID,
                estate.node,
                geometry=grid_box.polygon(),
            )
        )


def _add_homes(rng: random.Random, tree: StreetTree, household_count: int) -> None:
    """Share households among estates (larger and smaller estates), then fill buildings
    floor by floor and hang each building under a grid of its estate."""
    estates = [(i, e) for i, a in enumerate(tree.areas) for e in a.estates]
    weights = [rng.uniform(0.5, 1.6) for _ in estates]
    counts = _apportion(household_count, weights)
    for (area_index, estate), n_homes in zip(estates, counts, strict=True):
        n_buildings = max(len(estate.grids), -(-n_homes // cal.HOUSEHOLDS_PER_BUILDING))
        flats_per_floor = rng.choice((2, 3, 4))
        per_building = _apportion(n_homes, [1.0] * n_buildings)
        grid_boxes = [Box(*_bounds(g)) for g in estate.grids]
        for b, n_flats in enumerate(per_building):
            grid_index = b * len(estate.grids) // n_buildings
            grid = estate.grids[grid_index]
            in_grid = [x for x in range(n_buildings) if x * len(estate.grids) // n_buildings == grid_index]
            number = b + 1
            building = _node(
                f"{estate.node.code}-B{number:03d}",
                f"{estate.name}{number}号楼",
                Level.BUILDING,
                grid,
                address=f"{estate.road} {estate.lane}弄 {number}号",
                geometry=grid_boxes[grid_index].lattice_point(in_grid.index(b), len(in_grid)),
            )
            estate.buildings.append(building)
            for f in range(n_flats):
                room = (f // flats_per_floor + 1) * 100 + f % flats_per_floor + 1
                code = f"{building.code}-{room}"
                home = new(  # parent_id is set once the building has its id
                    Node,
                    code=code,
                    name=f"{number}号{room}室",
                    level=Level.HOUSEHOLD,
                    path=path_for(code, building),
                    address=f"{building.address} {room}室",
                )
                estate.households.append(home)
                tree.households.append(home)
                tree.household_building.append(building)
                tree.household_area.append(area_index)


def _apportion(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _bounds(node: Node) -> tuple[float, float, float, float]:
    ring = node.geometry["coordinates"][0]  # type: ignore[index]
    return ring[0][0], ring[0][1], ring[2][0], ring[2][1]
