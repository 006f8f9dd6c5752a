"""The HTTP API: django-ninja under /api/v1, OpenAPI at /api/docs.

Every operation needs a bearer token or a browser session (see auth.py), except creating a
token with a username and password. Errors share one shape (see errors.py).
"""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from gongzhi.api import errors
from gongzhi.api.auth import DEFAULT_AUTH
from gongzhi.api.parser import ObjectJSONParser
from gongzhi.api.routers import (
    audit,
    care,
    care_subjects,
    cases,
    community,
    community_lists,
    direct,
    exports,
    me,
    meetings,
    mobilisation,
    nodes,
    orders,
    people,
    posts,
    reports,
    routing,
    slips,
    tokens,
    topics,
    units,
    volunteers,
)


class GongzhiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        """ninja's document, with the error answers of every operation (errors.document)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        errors.document(schema)
        return schema


api = GongzhiAPI(
    title="gongzhi 共治 API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=DEFAULT_AUTH,
    parser=ObjectJSONParser(),
)
errors.install(api)

api.add_router("/v1/tokens", tokens.router)
api.add_router("/v1/nodes", nodes.router)
api.add_router("/v1/units", units.router)
api.add_router("/v1/posts", posts.router)
api.add_router("/v1/routing", routing.router)
api.add_router("/v1/people", people.router)
api.add_router("/v1/audit", audit.router)
api.add_router("/v1/cases", exports.router)  # before cases: its /{case_id} would take export.csv
api.add_router("/v1/cases", cases.router)
# The meetings routers, most specific first: ninja's path parameters are plain Django string
# converters, so the meetings router's /{meeting_id} would take /topics and /slips.
api.add_router("/v1/meetings", slips.completion_router)  # first: /slips/evidence/{id} is its own
api.add_router("/v1/meetings", topics.router)
api.add_router("/v1/meetings", slips.router)
api.add_router("/v1/meetings", meetings.router)
api.add_router("/v1/reports", reports.router)
api.add_router("/v1/care", care.router)
api.add_router("/v1/care", care_subjects.router)
api.add_router("/v1/community", community_lists.router)
api.add_router("/v1/community", community.router)
api.add_router("/v1/orders", orders.router)
api.add_router("/v1/direct", direct.router)
api.add_router("/v1/me", me.router)
api.add_router("/v1/mobilisation", mobilisation.router)
api.add_router("/v1/volunteers", volunteers.router)
