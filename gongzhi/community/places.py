"""Where things belong: the street of a node, the area's Party organisation, and the branch a
member's ledger is kept by (docs/community.md "Branches")."""

from gongzhi.geo import streets
from gongzhi.geo.models import Node
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg
from gongzhi.orgs.roles import PartyOrgKind


def street_code(node: Node) -> str:
    return streets.street_code(node.path) or node.code


def street_of(node: Node) -> Node:
    return streets.street_of(node)


def in_street(node: Node, street: Node) -> bool:
    return node.path.startswith(street.path)


def area_party_org(area: Node) -> PartyOrg | None:
    """The residential area's Party organisation (社区党委 or 党总支): who decides its 双报到."""
    return (
        PartyOrg.objects.filter(node=area)
        .exclude(kind=PartyOrgKind.GROUP)
        .select_related("node")
        .order_by("id")
        .first()
    )


def current_registration(member: PartyMember) -> DualRegistration | None:
    return (
        DualRegistration.objects.filter(member=member, state=DualRegistration.State.CONFIRMED)
        .select_related("node")
        .order_by("-registered_on", "-id")
        .first()
    )


def branch_of(member: PartyMember) -> PartyOrg | None:
    """The branch that keeps the member's ledger: for a registered member, the Party
    organisation of the area they are registered with (they serve there); otherwise their own
    organisation, a 党小组 rolled up into its 支部. None when the member belongs nowhere on the
    street's tree."""
    registration = current_registration(member)
    if registration is not None:
        org = area_party_org(registration.node)
        if org is not None:
            return org
    org = member.org
    if org.kind == PartyOrgKind.GROUP and org.parent_id is not None:
        org = PartyOrg.objects.select_related("node").get(pk=org.parent_id)
    return org
