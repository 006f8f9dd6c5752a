"""Every list of cases a user can reach is a subset of what orgs.access lets them see.

Every role of PostRole (plus a superuser, a resident with no post and an account with no
person) × every case-listing endpoint (API, pages, exports, the map's data, the KPI drill-down
for a node, a unit and a post, the cases linked to topics and slips, the admin), fetched over
real HTTP from the live server. The ids each answer lists must lie inside the ids allowed,
computed here from the user's grants (access.scope), not from the selectors; a list that
states a count must list exactly that many rows.

`CASE_LISTS` names every route that lists cases; `NOT_CASE_LISTS` says why each other route
does not. A route added to the URL conf and named in neither fails
`test_every_route_is_classified`: a new case list cannot ship without a row in this matrix.

Two streets (docs/tenancy.md): beside street S (a root) stands district D holding street T,
with its own staff and cases. Every user of S, whatever the role, has no grant in T, so every
list above is also the proof that nothing of T shows in S (and the district's staff and T's
cadre see nothing of S); `test_streets_stay_apart` adds what is not a list of one's scope:
duplicate suggestions (for the system and a superuser too), the public board, Open311.
"""

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.test.utils import modify_settings
from django.urls import URLPattern, URLResolver, get_resolver
from pytest_django.live_server_helper import LiveServer

from gongzhi.api import services as api_services
from gongzhi.api.tests.conftest import build_world, caller
from gongzhi.api.tests.test_meetings import _frozen, build_mw, make_discussed, make_issued  # noqa: F401
from gongzhi.cases import duplicates
from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case, pk_from_number
from gongzhi.cases.states import OPEN_STATES, Source
from gongzhi.core import clock
from gongzhi.geo import services as geo_services
from gongzhi.geo.models import Node
from gongzhi.meetings.models import Meeting, Slip, Topic
from gongzhi.meetings.tests.conftest import NOW
from gongzhi.orgs import access
from gongzhi.orgs.models import Category, Post
from gongzhi.orgs.roles import PostRole, UnitKind
from gongzhi.testing.factories import make_district, make_staff
from gongzhi.testing.reference import ensure_reference_data
from gongzhi.web.public import streets as public_streets

# Every test reads the module's world (`matrix`) in a transaction of its own.
pytestmark = pytest.mark.django_db

# The matrix's rows: who holds each role in the API world (conftest.py + test_meetings' mw).
ROLE_USERS = {
    PostRole.STREET_CADRE: "street",
    PostRole.STREET_ADMIN: "admin",
    PostRole.AUDITOR: "auditor",  # in the street office's own unit (below)
    PostRole.BLOCK_CADRE: "block",
    PostRole.PARTY_SECRETARY: "secretary",
    PostRole.COMMITTEE_STAFF: "committee",
    PostRole.GRID_WORKER: "grid",
    PostRole.DEPARTMENT: "ws",  # health, at K2, answering for one category (below)
    PostRole.PROPERTY_STAFF: "wy",  # at E1, answering for LD01
    PostRole.PARTNER: "ywh",  # the owners' committee: meetings, no cases
    PostRole.DISTRICT_ADMIN: "district_admin",  # at district D: street T, not S
    PostRole.DISTRICT_CADRE: "district",
}
# superuser; a resident with no post; no person at all; street T's cadre (the other street)
OTHERS = ("root", "resident", "nobody", "t_street")
MATRIX_USERS = (*ROLE_USERS.values(), *OTHERS)

# (node, category or None, days before NOW it was reported): overdue, routed and unrouted cases
# across both blocks, so every role's scope cuts the street differently.
REPORTS = [
    ("S-R1-B1", "LD01", 10),
    ("S-R1-B1", None, 0),
    ("S-R1-G2", "LD01", 3),
    ("S-R2", None, 10),
    ("S-R2", "HEALTH", 1),
    ("S-R3-B1", "LD01", 10),
    ("S-R3-B1", "HEALTH", 0),
    ("S-R3", None, 2),
    ("S-K2", "HEALTH", 12),
    ("S", None, 5),
    # street T, under district D: what no user of S may see
    ("T-R1-B1", "LD01", 10),
    ("T-R1-B1", None, 0),
    ("T-R1", "HEALTH", 3),
    ("T", None, 5),
]


@dataclass
class Matrix:
    api: Callable[..., httpx.Response]
    base: str
    users: dict[str, Any]
    topic: int
    slip: int
    meeting: int
    http: httpx.Client  # for the pages: one client (a new one per request built an SSL context each time)
    sessions: dict[str, str] = field(default_factory=dict)

    def web(self, who: str, path: str) -> httpx.Response:
        self.http.cookies.clear()  # nothing a page set carries over: only `who`'s session is sent
        cookie = f"{settings.SESSION_COOKIE_NAME}={self.sessions[who]}"
        response = self.http.get(path, headers={"Cookie": cookie})
        assert response.status_code < 500, (who, path, response.text[:500])
        return response

    def get(self, who: str, path: str) -> httpx.Response:
        return self.api("GET", path, as_=who)


def allowed_ids(user: Any) -> set[int]:
    """The cases the user may see, from their grants read row by row (the definition in
    orgs.access, written out here rather than through any selector or cases_q)."""
    s = access.scope(user)
    rows = Case.objects.values_list(
        "pk",
        "node_path",
        "category_id",
        "post__person_id",
        "post__deputy_id",
        "reporter_id",
        "reporter_user_id",
    )
    found = set()
    for pk, path, category, holder, deputy, reporter, reporter_user in rows:
        by_place = any(access.VIEW_CASES in g.powers and path.startswith(g.path) for g in s.grants)
        by_category = any(
            g.role == PostRole.DEPARTMENT and category in g.category_ids and path.startswith(g.path)
            for g in s.grants
        )
        mine = s.person_id is not None and s.person_id in (holder, deputy, reporter)
        if s.superuser or by_place or by_category or mine or (s.user_id and reporter_user == s.user_id):
            found.add(pk)
    return found


# --- reading the answers -------------------------------------------------------------------------

CASE_LINK = re.compile(r'href="/cases/(\d+)/|name="cases" value="(\d+)"|/admin/cases/case/(\d+)/change/')


@dataclass
class Answer:
    status: int
    ids: set[int] = field(default_factory=set)
    stated: int | None = None  # a count the answer states, when it states one
    listed: int | None = None  # rows listed (with repeats), to compare with `stated`
    counts: dict[str, int] | None = None  # per-area figures (the map)


def html_ids(response: httpx.Response) -> Answer:
    if response.status_code != 200:
        return Answer(response.status_code)
    found = [int(next(g for g in m.groups() if g)) for m in CASE_LINK.finditer(response.text)]
    stated = re.search(r"共 (\d+) 件|· (\d+) 条</p>", response.text)
    count = int(next(g for g in stated.groups() if g)) if stated else None
    return Answer(200, set(found), count, len(set(found)))


def csv_ids(response: httpx.Response) -> Answer:
    if response.status_code != 200:
        return Answer(response.status_code)
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    column = table[0].index("工单编号")
    ids = [pk_from_number(row[column].lstrip("'")) for row in table[1:]]
    assert None not in ids, table[:3]
    return Answer(200, {i for i in ids if i is not None}, len(ids), len(set(ids)))


def api_pages(m: Matrix, who: str, path: str, key: str = "id") -> Answer:
    """Every page of a {count, items} list (offset pages, or next_cursor where it is given)."""
    ids: list[int] = []
    sep = "&" if "?" in path else "?"
    response = m.get(who, f"{path}{sep}limit=7")
    if response.status_code != 200:
        return Answer(response.status_code)
    body = response.json()
    stated = body["count"]
    while True:
        ids += [item[key] for item in body["items"]]
        if body.get("next_cursor"):
            body = m.get(who, f"{path}{sep}limit=7&cursor={quote(body['next_cursor'])}").json()
        elif "next_cursor" not in body and len(ids) < stated and body["items"]:
            body = m.get(who, f"{path}{sep}limit=7&offset={len(ids)}").json()
        else:
            break
    assert len(ids) == len(set(ids)), (who, path, "a row listed twice across pages")
    return Answer(200, set(ids), stated, len(ids))


def linked_ids(m: Matrix, who: str, path: str) -> Answer:
    response = m.get(who, path)
    if response.status_code != 200:
        return Answer(response.status_code)
    body = response.json()
    rows = body.get("items", [body])
    return Answer(200, {pk for row in rows for pk in row["cases"]})


def map_counts(m: Matrix, who: str) -> Answer:
    response = m.web(who, "/cases/map/data.json")
    if response.status_code != 200:
        return Answer(response.status_code)
    features = response.json()["features"]
    return Answer(200, counts={f["properties"]["code"]: f["properties"]["open"] for f in features})


def queue_count(m: Matrix, who: str) -> Answer:
    response = m.web(who, "/cases/queue/count/")
    if response.status_code != 200:
        return Answer(response.status_code)
    queue = html_ids(m.web(who, "/cases/queue/")).ids
    received = Case.objects.filter(pk__in=queue, state="received").count()
    return Answer(200, queue, int(response.text.strip()), received)


# --- the registry ----------------------------------------------------------------------------------

PERIOD = f"start={(NOW - timedelta(days=30)).date()}&end={(NOW + timedelta(days=1)).date()}"


def subjects(m: Matrix) -> list[str]:
    """The KPI subjects a drill-down may be asked for: by place, by unit, by post."""
    auditor_unit = Post.objects.get(code="POST-auditor").unit.code
    wy_unit = Post.objects.get(code="POST-wy").unit.code
    return [
        "",
        "node=S",
        "node=S-R1",
        "node=S-R3",
        f"unit={auditor_unit}",  # the street office: the auditor's own unit
        f"unit={wy_unit}",
        "post=POST-wy",
        "post=POST-street",
        "post=POST-ws",
    ]


def drill_probes(slash: str, reader: Callable[[Matrix, str, str], Answer]) -> Callable[[Matrix], dict]:
    def probes(m: Matrix) -> dict[str, Callable[[str], Answer]]:
        out = {}
        for subject in subjects(m):
            for kpi, part in (
                ("close_rate", "denominator"),
                ("backlog", "denominator"),
                ("backlog", "numerator"),
                ("close_rate", "rest"),
            ):
                query = "&".join(q for q in (subject, PERIOD, f"part={part}") if q)
                path = f"/reports/kpis/{kpi}/cases{slash}?{query}"
                out[path] = lambda who, path=path: reader(m, who, path)
        return out

    return probes


def figure_probes(slash: str, reader: Callable[[Matrix, str, str], Answer]) -> Callable[[Matrix], dict]:
    """The lists behind the reports' and the command centre's figures (reports.drill.figure)."""

    def probes(m: Matrix) -> dict[str, Callable[[str], Answer]]:
        out = {}
        for subject in subjects(m):
            for measure, extra in (("received", ""), ("overdue", ""), ("received", "category=none")):
                query = "&".join(q for q in (subject, PERIOD, extra) if q)
                path = f"/reports/figures/{measure}/cases{slash}?{query}"
                out[path] = lambda who, path=path: reader(m, who, path)
        return out

    return probes


def web_html(path: str) -> Callable[[Matrix], dict]:
    return lambda m: {path: lambda who: html_ids(m.web(who, path))}


def web_csv(path: str) -> Callable[[Matrix], dict]:
    return lambda m: {path: lambda who: csv_ids(m.web(who, path))}


CASE_LISTS: dict[str, Callable[[Matrix], dict[str, Callable[[str], Answer]]]] = {
    "api:case_list": lambda m: {
        p: (lambda who, p=p: api_pages(m, who, p))
        for p in ("/cases", "/cases?node=S-R1", "/cases?node=S-R3", "/cases?state=received", "/cases?node=T")
    },
    "api:case_export_csv": lambda m: {
        p: (lambda who, p=p: csv_ids(m.get(who, p)))
        for p in ("/cases/export.csv", "/cases/export.csv?node=S-K2")
    },
    "api:kpi_cases": drill_probes("", lambda m, who, p: api_pages(m, who, p)),
    "api:figure_cases": figure_probes("", lambda m, who, p: api_pages(m, who, p)),
    "api:topic_list": lambda m: {"/meetings/topics": lambda who: linked_ids(m, who, "/meetings/topics")},
    "api:topic_to_vet": lambda m: {
        "/meetings/topics/to-vet": lambda who: linked_ids(m, who, "/meetings/topics/to-vet")
    },
    "api:topic_detail": lambda m: {
        f"/meetings/topics/{m.topic}": lambda who: linked_ids(m, who, f"/meetings/topics/{m.topic}")
    },
    "api:slip_detail": lambda m: {
        f"/meetings/slips/{m.slip}": lambda who: linked_ids(m, who, f"/meetings/slips/{m.slip}")
    },
    "web:case_list": lambda m: {
        p: (lambda who, p=p: html_ids(m.web(who, p)))
        for p in (
            "/cases/",
            "/cases/?node=S-R1",
            "/cases/?node=S-R3",
            "/cases/?overdue=1",
            "/cases/?due_soon=1",
            "/cases/?node=T",
        )
    },
    "web:case_queue": web_html("/cases/queue/"),
    "web:case_queue_count": lambda m: {"/cases/queue/count/": lambda who: queue_count(m, who)},
    "web:case_mine": web_html("/cases/mine/?all=1"),
    "web:case_overdue": lambda m: {
        p: (lambda who, p=p: html_ids(m.web(who, p)))
        for p in ("/cases/overdue/", "/cases/overdue/?node=S-R3")
    },
    "web:case_map_data": lambda m: {"/cases/map/data.json": lambda who: map_counts(m, who)},
    "web:kpis_cases": drill_probes("/", lambda m, who, p: html_ids(m.web(who, p))),
    "web:figure_cases": figure_probes("/", lambda m, who, p: html_ids(m.web(who, p))),
    "web:case_list_export": web_csv("/cases/export.csv"),
    "web:case_queue_export": web_csv("/cases/queue/export.csv"),
    "web:case_mine_export": web_csv("/cases/mine/export.csv?all=1"),
    "web:case_overdue_export": web_csv("/cases/overdue/export.csv"),
    "web:topics": web_html("/meetings/topics/?node=S-R1"),
    "web:topic_vet_queue": web_html("/meetings/topics/vet/"),
    "web:meeting_detail": lambda m: {
        f"/meetings/{m.meeting}/": lambda who: html_ids(m.web(who, f"/meetings/{m.meeting}/"))
    },
    "web:slip_detail": lambda m: {
        f"/meetings/slips/{m.slip}/": lambda who: html_ids(m.web(who, f"/meetings/slips/{m.slip}/"))
    },
    "admin:cases_case_changelist": web_html("/admin/cases/case/"),
}

_WRITES = "a write (POST/PUT): lists nothing"
_ONE_CASE = "one case, through cases.selectors.case_get (404 outside the scope)"
_FIGURES = "figures only, from the KPI tables or scoped counts; their tiles link to the drill-down"
_NO_CASES = "lists no cases (tree, roster, people, audit, tokens, meetings without their cases)"
_CARE = "care subjects, alerts and visits, cut by access.care_subjects_q (care/tests/test_visits.py)"
_COMMUNITY = (
    "community lists (needs, resources, projects, pledges, 定点联系), cut by access.community_q; a need"
    " names its source case by id only (community/tests/test_projects.py, test_api.py)"
)
_PUBLIC_COMMUNITY = "public community lists, scrubbed through core.scrub; no case is listed (test_pages.py)"
_PUBLIC = "public and the same for every visitor: accepted cases' scrubbed text only (core.scrub)"
NOT_CASE_LISTS: dict[str, str] = {
    **dict.fromkeys(
        [
            "api:token_create", "api:token_revoke", "api:node_create", "api:node_update", "api:node_move",
            "api:person_reveal", "api:case_create", "api:case_create_batch", "api:case_action",
            "api:case_action_upload", "api:topic_propose", "api:topic_vet", "api:topic_schedule",
            "api:topic_discuss", "api:topic_refer", "api:slip_create", "api:slip_edit", "api:slip_issue",
            "api:slip_sign", "api:slip_revise", "api:slip_link_case", "api:slip_void", "api:slip_evaluate",
            "api:meeting_create", "api:meeting_invite", "api:meeting_attendance", "api:meeting_hold",
            "api:meeting_cancel", "api:minutes_write", "api:minutes_finalise", "api:minutes_amend",
            "api:report_note", "api:care_ingest", "web:logout", "web:person_reveal", "web:import_upload", "web:case_act",
            "web:meeting_create", "web:meeting_act", "web:meeting_attend", "web:topic_propose",
            "web:topic_vet", "web:slip_act", "web:study_create", "web:study_tell", "web:disclosure_create",
            "web:disclosure_act", "web:reports_note", "web:report", "web:patrol", "web:hotline_import",
            "web:callback", "api:completion_submit", "api:completion_confirm", "api:completion_return",
            "web:slip_completion",
        ],
        _WRITES,
    ),
    **dict.fromkeys(
        [
            "api:case_detail", "api:case_events", "api:attachment_file", "web:case_detail",
            "web:case_attachment",
        ],
        _ONE_CASE,
    ),
    # duplicates come from duplicates_for, which filters with access.cases_q (test_cases.py)
    "api:case_suggestions": _ONE_CASE + "; its duplicate candidates are filtered by access.cases_q",
    **dict.fromkeys(["api:case_contact_reveal", "web:case_contact_reveal"], _ONE_CASE + "; reveals its contact"),
    **dict.fromkeys(["api:case_suggest", "web:report_suggest"], "a category suggestion for a text: lists no cases"),
    **dict.fromkeys(
        ["api:person_number_search", "web:inbox", "web:inbox_open", "web:inbox_read_all", "api:me_todos"],
        "lists no cases (people found by number; the user's own messages, whose links open scoped pages;"
        " the user's to-do counts, each the count of a scoped list: reports.todos, web/tests/test_todos.py)",
    ),
    **dict.fromkeys(
        [
            "api:kpi_list", "api:ranking", "api:report_list", "api:report_detail", "web:home",
            "web:dashboard", "web:dashboard_data", "web:kpis", "web:kpis_rankings", "web:reports",
            "web:reports_detail", "web:reports_docx", "web:reports_xlsx", "web:case_map",
        ],
        _FIGURES,
    ),
    **dict.fromkeys(
        [
            "api:openapi-json", "api:openapi-view", "api:api-root", "api:token_list", "api:node_list",
            "api:node_detail", "api:node_children", "api:node_geojson", "api:node_history", "api:unit_list",
            "api:unit_detail", "api:post_list", "api:post_detail", "api:person_list", "api:person_detail",
            "api:pii_access_list", "api:slip_list", "api:slip_events", "api:meeting_list",
            "api:meeting_detail", "api:meeting_events", "web:login", "web:tree", "web:tree_node",
            "web:tree_children", "web:tree_geojson", "web:roster", "web:people", "web:person_detail",
            "web:audit_pii", "web:audit_pii_export", "web:imports", "web:import_template",
            "web:import_export", "web:report_done", "web:report_buildings", "web:report_places",
            "web:hotline_template", "web:meetings", "web:slips", "web:studies", "web:study_photo",
            "web:disclosures", "web:disclosure_detail", "web:meeting_minutes_docx",
            "web:meeting_minutes_pdf", "web:meeting_signin_docx", "web:meeting_signin_pdf",
            "web:slip_docx", "web:slip_pdf", "web:slips_export", "web:people_export", "web:roster_export",
            "api:completion_report", "api:evidence_file", "web:slip_evidence",
            "web:routing_coverage", "api:routing_coverage",
        ],
        _NO_CASES,
    ),
    **dict.fromkeys(
        [
            "api:alert_ack", "api:alert_list", "api:alert_outcome", "api:round_create", "api:visit_create",
            "api:visit_list", "api:visits_due", "web:care_ack", "web:care_home", "web:care_outcome",
            "web:care_subject", "web:care_visit", "web:care_board", "web:care_board_map", "web:care_enrol",
            "web:care_enrol_person", "web:care_consent", "web:care_consent_withdraw", "web:care_away",
            "web:care_away_end", "web:care_contacts", "web:care_contact_reveal", "api:care_board_summary",
            "api:care_board_map_counts", "api:care_candidates", "api:care_subject_list",
            "api:care_subject_detail", "api:care_subject_enrol", "api:care_consent_record",
            "api:care_consent_withdraw", "api:care_away_record", "api:care_away_end", "api:care_contact_add",
            "api:care_contact_reveal", "web:care_consent_form", "api:care_consent_form",
            "web:care_device_bind", "api:care_device_bind",
        ],
        _CARE,
    ),
    **dict.fromkeys(
        [
            "api:community_need_list", "api:community_need_create", "api:community_need_proposals", "api:community_need_match", "api:community_resource_list",
            "api:community_resource_create", "api:community_project_list", "api:community_project_create", "api:community_project_get", "api:community_project_publish",
            "api:community_project_claim", "api:community_pledge_sign", "api:community_pledge_revise", "api:community_milestone_done", "api:community_project_finish",
            "api:community_project_evaluate", "api:community_pair_list", "api:community_pair_create", "api:community_visit_create",
            "web:community_home", "web:community_need_new", "web:community_need", "web:community_need_match", "web:community_resource_new",
            "web:community_project_new", "web:community_project", "web:community_project_act", "web:community_contacts", "web:community_export",
            "web:community_import", "web:community_template",
        ],
        _COMMUNITY,
    ),
    # the city's ranking of districts and streets: counts from the city database (gongzhi.city)
    **dict.fromkeys(["web:city", "web:city_data"], "figures only, from the city database; no case"),
    **dict.fromkeys(
        ["web:public_community", "web:public_community_project", "web:public_community_evaluate"],
        _PUBLIC_COMMUNITY,
    ),
    **dict.fromkeys(
        [
            "web:public_board", "web:public_cases", "web:public_cases_export", "web:public_photo",
            "web:public_decisions", "web:public_disclosures", "open311:services", "open311:service",
            "open311:requests", "open311:request", "open311:token",
        ],
        _PUBLIC,
    ),
    # 双报到 and the points ledger: registrations, members' statements and branch figures
    # (community.selectors, access.registrations_q / ledger_q); no case
    **dict.fromkeys(
        [
            "api:registration_list", "api:registration_queue", "api:registration_apply",
            "api:registration_decide", "api:commitment_add", "api:service_record", "api:registration_end",
            "api:registration_move", "api:member_statement", "api:my_statement", "api:claim_propose",
            "api:claim_decide", "api:entry_reverse", "api:appeal_file", "api:appeal_decide",
            "api:assessment", "api:rankings", "web:community_ledger", "web:community_apply",
            "web:community_queue", "web:community_decide", "web:community_member", "web:community_claim",
            "web:community_branch", "web:community_approvals", "web:community_claim_decide",
            "web:community_appeal", "web:community_appeal_decide", "web:community_letter",
        ],
        "双报到 and the points ledger (community.selectors): lists no cases",
    ),
    # mobilisation (incidents, rota, my shifts, board) and volunteers (access.incidents_q; no case)
    **dict.fromkeys(
        [
            "api:incident_list", "api:incident_declare", "api:incident_get", "api:shifts_plan", "api:rota_solve",
            "api:assignment_list", "api:incident_board", "api:incident_close", "api:incident_report",
            "api:my_shifts", "api:check_in", "api:check_out", "api:swap_request", "api:swap_decide", "api:no_show", "api:refill",
            "api:item_done", "api:volunteer_register", "api:volunteer_me", "api:task_list", "api:task_accept",
            "web:mobilisation_home", "web:mobilisation_new", "web:mobilisation_mine", "web:mobilisation_duty",
            "web:mobilisation_incident", "web:mobilisation_act", "web:mobilisation_board", "web:mobilisation_report",
            "web:community_volunteer", "web:community_task_accept", "web:community_volunteer_edit",
            "api:volunteer_me_update",
        ],
        "incidents, shifts, coverage items and volunteers (mobilisation.selectors, access.incidents_q); no case",
    ),
    # the street's points rules in Excel (community.rule_sheets): rules only
    **dict.fromkeys(
        ["web:community_rules", "web:community_rules_export", "web:community_rules_template"],
        "the street's points rules (community.rule_sheets): lists no cases",
    ),
    # service orders (docs/services.md): cut by access.orders_q; a converted order names its case
    # by id only (orders/tests/test_access.py, test_api.py)
    **dict.fromkeys(
        [
            "api:order_modules_list", "api:order_create", "api:order_list", "api:order_detail",
            "api:order_events", "api:order_take", "api:order_action", "web:order_new", "web:order_done",
            "web:order_follow", "web:order_pool", "web:order_detail", "web:order_take", "web:order_serve",
            "web:order_act", "api:order_figures_get", "web:order_photo",
        ],
        "service orders (orders.selectors over access.orders_q): lists no cases",
    ),
    # 直报: reports cut by access.direct_reports_q; a converted one names its case by id only,
    # linked on the page when cases_q lets the reader open it (mobilisation/tests/direct/)
    **dict.fromkeys(
        [
            "api:direct_list", "api:direct_create", "api:direct_create_upload", "api:direct_get",
            "api:direct_ack", "api:direct_follow_up", "api:direct_close", "api:direct_convert_case",
            "api:direct_convert_mobilisation", "api:direct_misuse", "web:direct_home", "web:direct_new",
            "web:direct_detail", "web:direct_ack", "web:direct_act", "web:direct_follow_up",
            "web:direct_photo",
        ],
        "直报 (mobilisation.direct_selectors, access.direct_reports_q): lists no cases",
    ),
    # one case, to whoever holds its number and code or a signed link (docs/tracking.md)
    **dict.fromkeys(
        ["web:track", "web:track_link", "web:track_photo"],
        "one case by its number and code, or a signed link; no list (web/tests/test_tracking.py)",
    ),
}  # fmt: skip


def _routes(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_every_route_is_classified():
    """A route of the pages, the API or Open311 that is in neither table is a list nobody has
    checked against the scope: add it to CASE_LISTS (with its probes) or to NOT_CASE_LISTS."""
    names = {n for n in _routes(get_resolver().url_patterns) if n.split(":")[0] in {"web", "api", "open311"}}
    unclassified = names - set(CASE_LISTS) - set(NOT_CASE_LISTS)
    assert not unclassified, f"classify these routes in the case-scope matrix: {sorted(unclassified)}"
    assert not set(CASE_LISTS) & set(NOT_CASE_LISTS)
    admin = set(_routes(get_resolver().url_patterns))
    assert (set(CASE_LISTS) | set(NOT_CASE_LISTS)) - {"admin:cases_case_changelist"} <= names
    assert "admin:cases_case_changelist" in admin


# --- the world --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix(django_db_setup: None, django_db_blocker: Any) -> Iterator[Matrix]:
    """The matrix's world, built once for the module and read by every test in it (each test in
    a transaction of its own, rolled back: no flush and no rebuild between them). The rows are
    committed, for the module's own live server to read, and flushed at the end of the module,
    as a transactional test ends. The one test that writes for the server to read
    (test_streets_stay_apart) is transactional and runs last."""
    server = LiveServer("localhost")
    try:
        with (
            modify_settings(ALLOWED_HOSTS={"append": "localhost"}),
            httpx.Client(base_url=f"{server.url}/api/v1", timeout=30) as api_client,
            httpx.Client(base_url=server.url, timeout=30) as http,
        ):
            with django_db_blocker.unblock(), clock.freeze(NOW):
                ensure_reference_data()
                world = build_world()
                api = caller(api_client, world)
                mw = build_mw(world)
                make_issued(api, mw, make_discussed(api, mw))
                built = build_matrix(api, world, server.url, http)
            yield built
    finally:
        server.stop()
        with django_db_blocker.unblock():
            call_command("flush", verbosity=0, interactive=False, database="default", reset_sequences=False)


def build_matrix(api: Callable[..., httpx.Response], world: Any, base: str, http: httpx.Client) -> Matrix:
    health = Category.objects.filter(parent__isnull=False).exclude(code="LD01").order_by("code").first()
    assert health is not None
    Post.objects.get(code="POST-ws").categories.set([health])  # K2's; K1's go to the street
    Post.objects.get(code="POST-street").categories.set([health])
    # The auditor sits in the street office's unit, beside the street cadre whose post answers
    # for most of the street's cases: the unit's drill-down must still list none to them.
    street_unit = Post.objects.get(code="POST-street").unit
    Post.objects.filter(code="POST-auditor").update(unit=street_unit)
    users = dict(world.users)
    users["root"] = get_user_model().objects.create_user("root", password="x", is_superuser=True)
    world.users["root"] = users["root"]
    world.keys["root"] = api_services.token_create(user=users["root"], name="root")[1]
    other = make_district()  # district D and its street T, with their own staff
    for key, role, at in (
        ("t_street", PostRole.STREET_CADRE, other.street),
        ("district", PostRole.DISTRICT_CADRE, other.district),
        ("district_admin", PostRole.DISTRICT_ADMIN, other.district),
    ):
        users[key] = world.users[key] = make_staff(key, role, at, unit_kind=UnitKind.STREET_OFFICE)
        world.keys[key] = api_services.token_create(user=users[key], name=key)[1]
    for node_code, category, days in REPORTS:
        street = users["t_street" if node_code.startswith("T") else "street"]
        code = health.code if category == "HEALTH" else category
        with clock.freeze(NOW - timedelta(days=days)):
            intake = case_services.Intake(
                node=Node.objects.get(code=node_code),
                text=f"{node_code} 的问题",
                source=Source.API,
                category=Category.objects.get(code=code) if code else None,
            )
            case_services.case_create(actor=street, intake=intake)
    resident = users["resident"]
    with clock.freeze(NOW - timedelta(days=4)):
        intake = case_services.Intake(
            node=Node.objects.get(code="S-R3-B1"),
            text="居民自己报的",
            source=Source.RESIDENT,
            reporter=resident.person,
        )
        case_services.case_create(actor=resident, intake=intake)
    # Every account may open the admin (a staff flag gives no rows: the admin scopes by access).
    get_user_model().objects.filter(pk__in=[u.pk for u in users.values()]).update(is_staff=True)
    sessions = {}
    for who in MATRIX_USERS:
        client = Client()
        client.force_login(get_user_model().objects.get(pk=users[who].pk))
        sessions[who] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Case.objects.count() < 50, "each page lists everything: no page walk on the HTML lists"
    return Matrix(
        api=api,
        base=base,
        users=users,
        topic=Topic.objects.get().pk,
        slip=Slip.objects.get().pk,
        meeting=Meeting.objects.get().pk,
        http=http,
        sessions=sessions,
    )


def _check(where: str, answer: Answer, allowed: set[int]) -> list[str]:
    problems = []
    if answer.status not in (200, 400, 403, 404, 422):  # a list, or a refusal (no rows)
        problems.append(f"{where}: status {answer.status}")
    if answer.status != 200:
        return problems
    if not answer.ids <= allowed:
        problems.append(f"{where}: lists cases outside the scope {sorted(answer.ids - allowed)}")
    if answer.stated is not None and answer.stated != answer.listed:
        problems.append(f"{where}: states {answer.stated}, lists {answer.listed}")
    if answer.counts is not None:
        open_allowed = Case.objects.filter(pk__in=allowed, state__in=list(OPEN_STATES))
        for code, n in answer.counts.items():
            path = Node.objects.get(code=code).path
            expected = open_allowed.filter(node_path__startswith=path).count()
            if n != expected:
                problems.append(f"{where}: {code} shows {n} open cases, the scope holds {expected}")
    return problems


# The users are checked in two files (this one and test_case_scope_matrix_rest.py), so that
# `make test` (xdist, a file per worker) runs both halves at once.
HALF = len(MATRIX_USERS) // 2


@pytest.mark.parametrize("who", MATRIX_USERS[:HALF])
def test_every_case_list_is_inside_the_scope(matrix, who):
    check_user(matrix, who)


def check_user(matrix: Matrix, who: str) -> None:
    """Every probe of every case list, as `who`: the ids inside the scope, the counts honest."""
    user = get_user_model().objects.get(pk=matrix.users[who].pk)
    allowed = allowed_ids(user)
    assert allowed == set(Case.objects.filter(access.cases_q(user)).values_list("pk", flat=True))
    problems: list[str] = []
    visited = 0
    with clock.freeze(NOW):
        for route, probes in CASE_LISTS.items():
            for where, probe in probes(matrix).items():
                answer = probe(who)
                visited += 1
                problems += _check(f"{route} {where}", answer, allowed)
    assert visited == len(CASE_LISTS) + EXTRA_PROBES
    assert not problems, "\n".join(problems)


# Probes beyond one per route: case list variants (3 + 1), exports (1), the drill-downs
# (2 × (9 subjects × 4 parts - 1)), the figures' lists (2 × (9 subjects × 3 measures - 1)),
# the case list page's place and overdue filters (4) and the overdue list's place (1).
# Each list of cases also asked for the other street's node (2).
EXTRA_PROBES = 3 + 1 + 2 * (9 * 4 - 1) + 2 * (9 * 3 - 1) + 4 + 1 + 2


def test_the_leaks_that_were_found_are_closed(matrix):
    """The auditor (no case access) listed every case of the street office's unit through the
    drill-down; now a unit's or post's figures are a 403 for them, and no list names a case."""
    with clock.freeze(NOW):
        unit = Post.objects.get(code="POST-auditor").unit.code
        for path in (f"/reports/kpis/close_rate/cases?unit={unit}&{PERIOD}", f"/reports/kpis?unit={unit}"):
            assert matrix.get("auditor", path).status_code == 403
        assert (
            matrix.get("street", f"/reports/kpis/close_rate/cases?unit={unit}&{PERIOD}").json()["count"] > 0
        )
        assert matrix.web("auditor", f"/reports/kpis/close_rate/cases/?unit={unit}").status_code == 403
        # the partner sits at the meeting, but the topic's case is not theirs to read
        topic = matrix.get("ywh", f"/meetings/topics/{matrix.topic}")
        assert topic.status_code == 200 and topic.json()["cases"] == []
        assert matrix.get("jwh", f"/meetings/topics/{matrix.topic}").json()["cases"] != []


@pytest.mark.django_db(transaction=True)  # its writes must reach the live server; it runs last
def test_streets_stay_apart(matrix, settings):
    """What the lists above do not cover, between street S and street T (district D): duplicate
    suggestions never cross a street (not even for the system or a superuser, who may see both),
    each street has its own public board, and Open311 serves one jurisdiction at a time."""
    geo_services.node_update(actor=None, node=Node.objects.get(code="T"), jurisdiction_id="taoyuan.example")
    geo_services.node_update(actor=None, node=Node.objects.get(code="S"), jurisdiction_id="fenglin.example")
    text, lat, lon = "楼道里堆满了纸箱和旧家具，消防通道被堵死", 31.2, 121.4
    made = {}
    with clock.freeze(NOW - timedelta(hours=2)):
        for code, who in (("S-R1-B1", "street"), ("T-R1-B1", "t_street")):
            intake = case_services.Intake(
                node=Node.objects.get(code=code), text=text, source=Source.API, lat=lat, lon=lon
            )
            made[code] = case_services.case_create(actor=matrix.users[who], intake=intake)
    s_case, t_case = made["S-R1-B1"], made["T-R1-B1"]
    s_ids = set(Case.objects.filter(node_path__startswith="/S/").values_list("pk", flat=True))
    t_ids = set(Case.objects.filter(node_path__startswith="/D/T/").values_list("pk", flat=True))
    with clock.freeze(NOW):
        # duplicates: the same text at the same point, 0 m apart, one in each street
        for case in (s_case, t_case):
            found = {c.case.pk for c in duplicates.candidates(node=case.node, text=text, lat=lat, lon=lon)}
            assert found and found <= (s_ids if case is s_case else t_ids), found
        for who in ("root", "t_street", "district"):
            body = matrix.get(who, f"/cases/{t_case.pk}/suggestions").json()
            assert {d["id"] for d in body["duplicates"]} <= t_ids, (who, body["duplicates"])
        assert matrix.get("street", f"/cases/{t_case.pk}/suggestions").status_code == 404
        # counts: another street's node is unknown to the district outside it and to T's cadre
        for who, node_code in (("t_street", "S"), ("district", "S"), ("street", "T"), ("committee", "T")):
            answer = matrix.get(who, f"/reports/kpis?node={node_code}")  # as a missing code
            assert answer.status_code == 422 and f"{node_code} 不存在" in str(answer.json()), (
                who,
                answer.text,
            )
            assert "没有找到该位置" in matrix.web(who, f"/cases/?node={node_code}").text, (
                who
            )  # as a missing code
        # the public board: a chooser, then each street's own (texts and areas of that street only)
        cache.delete(public_streets.STREETS_KEY)  # another test's street list may be cached
        with httpx.Client(base_url=matrix.base, timeout=30) as c:
            chooser = c.get("/public/")
            assert chooser.status_code == 200 and "street=S" in chooser.text and "street=T" in chooser.text
            board_t = c.get("/public/?street=T").text
            assert "桃源居民区" in board_t and "东安居民区" not in board_t and "南丹居民区" not in board_t
            board_s = c.get("/public/?street=S").text
            assert "桃源" not in board_s
            for path in (
                "/public/cases/",
                "/public/decisions/",
                "/public/disclosures/",
                "/public/cases/export.csv",
            ):
                assert c.get(path).status_code == 404, path  # which street's?
                assert c.get(f"{path}?street=NOPE").status_code == 404, path
                assert c.get(f"{path}?street=T").status_code == 200, path
            # Open311: one jurisdiction at a time; none or an unknown one is an errors[] answer
            missing = c.get("/open311/v2/requests.json")
            assert missing.status_code == 400 and "jurisdiction_id" in missing.json()[0]["description"]
            unknown = c.get("/open311/v2/services.json?jurisdiction_id=nope.example")
            assert unknown.status_code == 404 and "nope.example" in unknown.json()[0]["description"]
            listed = c.get("/open311/v2/requests.json?jurisdiction_id=taoyuan.example&status=open").json()
            numbers = {r["service_request_id"] for r in listed}
            assert t_case.number in numbers and s_case.number not in numbers
            assert {pk_from_number(n) for n in numbers} <= t_ids
            other = c.get(f"/open311/v2/requests/{s_case.number}.json?jurisdiction_id=taoyuan.example")
            assert other.status_code == 404
            mine = c.get(f"/open311/v2/requests/{s_case.number}.json?jurisdiction_id=fenglin.example")
            assert mine.status_code == 200
