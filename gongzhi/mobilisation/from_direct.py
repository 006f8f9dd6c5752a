"""One tap from a 直报 to an incident (docs/mobilisation.md "直报"): registered in
direct_hooks by the app's ready(). The incident covers the report's residential area (or the
reported node itself when it lies above any area) and takes the report's kind where the two
lists share it; the declaring rules are incident_declare's own (MOBILISE, a place in the
street), so converting is refused exactly as declaring would be."""

from django.urls import reverse

from gongzhi.core.actors import Actor
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.mobilisation import direct_hooks, incidents
from gongzhi.mobilisation.choices import IncidentKind
from gongzhi.mobilisation.models import DirectKind, DirectReport
from gongzhi.orgs import access

KINDS = {DirectKind.FIRE: IncidentKind.FIRE, DirectKind.EPIDEMIC: IncidentKind.EPIDEMIC}


def zone_of(node: Node) -> Node:
    """The residential area holding the node, else the node itself."""
    if node.level <= Level.AREA:
        return node
    area = Node.objects.filter(level=Level.AREA, path__in=access.prefixes(node.path)).first()
    return area or node


def mobilise(*, actor: Actor, report: DirectReport) -> direct_hooks.Opened:
    incident = incidents.incident_declare(
        actor=actor,
        kind=KINDS.get(DirectKind(report.kind), IncidentKind.OTHER),
        title=f"{report.get_kind_display()}·{report.node.name}",
        nodes=[zone_of(report.node)],
        note=report.text[:500],
    )
    return direct_hooks.Opened(
        incident_id=incident.pk, link=reverse("web:mobilisation_incident", args=[incident.pk])
    )
