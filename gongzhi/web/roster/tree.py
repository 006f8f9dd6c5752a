"""The tree browser: the user's root nodes, a node with its children, htmx expand, GeoJSON."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.geo import selectors as geo_selectors
from gongzhi.geo.models import Node
from gongzhi.orgs import access, selectors
from gongzhi.web.common.home import node_cards
from gongzhi.web.http import not_found, page, require_power


def _node_or_404(request: HttpRequest, code: str) -> Node:
    node = selectors.node_get(user=request.user, code=code)
    if node is None:
        raise not_found()
    return node


@page
def tree(request: HttpRequest) -> HttpResponse:
    require_power(request, access.VIEW_TREE)
    return render(
        request, "web/roster/tree.html", {"cards": node_cards(request, access.root_nodes(request.user))}
    )


@page
def tree_node(request: HttpRequest, code: str) -> HttpResponse:
    node = _node_or_404(request, code)
    children = list(selectors.node_children(user=request.user, node=node))
    return render(
        request,
        "web/roster/tree_node.html",
        {
            "node": node,
            "trail": list(selectors.node_trail(user=request.user, node=node)),
            "card": node_cards(request, [node])[0],
            "children": node_cards(request, children),
        },
    )


@page
def tree_children(request: HttpRequest, code: str) -> HttpResponse:
    """htmx fragment: a node's children, each expandable in turn."""
    node = _node_or_404(request, code)
    children = list(selectors.node_children(user=request.user, node=node))
    return render(request, "web/roster/_children.html", {"children": node_cards(request, children)})


@page
def tree_geojson(request: HttpRequest, code: str) -> HttpResponse:
    node = _node_or_404(request, code)
    collection = geo_selectors.geojson_feature_collection(geo_selectors.descendants(node))
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False, cls=DjangoJSONEncoder),
        content_type="application/geo+json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{node.code}.geojson"'
    return response
