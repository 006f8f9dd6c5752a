"""The street a node belongs to: the tenant of a deployment (docs/tenancy.md, ADR 0035).

A street is a root of the tree, or a child of a district (区) root. A district holds only
streets, so a node's street is the first segment of its path, or the first two when the first
is a district. The district roots come from the reference snapshot (core.refdata, reloaded
when a node changes), so `street_path` reads no row on a hot path.
"""

from gongzhi.core import refdata
from gongzhi.geo.levels import Level
from gongzhi.geo.models import PATH_SEP, Node


def district_paths() -> frozenset[str]:
    """The paths of the district roots (none in a deployment of one street)."""
    return refdata.snapshot().get(  # type: ignore[no-any-return]
        "district_paths",
        "all",
        lambda _key: frozenset(Node.objects.filter(level=Level.DISTRICT).values_list("path", flat=True)),
    )


def street_path(path: str) -> str:
    """The path of the street holding the node at `path` ("" for a district itself or "")."""
    parts = [p for p in path.split(PATH_SEP) if p]
    if not parts:
        return ""
    root = PATH_SEP + parts[0] + PATH_SEP
    if root not in district_paths():
        return root
    return PATH_SEP + PATH_SEP.join(parts[:2]) + PATH_SEP if len(parts) > 1 else ""


def street_code(path: str) -> str:
    """The code of the street holding the node at `path` ("" for a district)."""
    street = street_path(path)
    return street.strip(PATH_SEP).split(PATH_SEP)[-1] if street else ""


def street_of(node: Node) -> Node:
    """The street node holding `node` (the node itself when it is a street or a district)."""
    code = street_code(node.path)
    return node if not code or node.code == code else Node.objects.get(code=code)


def streets() -> list[Node]:
    """Every street of the deployment, by path."""
    return list(Node.objects.filter(level=Level.STREET).defer("geometry").order_by("path"))
