"""Delete the demo district (or a demo street made before districts) and everything hanging
from it: every street of the district, its office, and each street's own calendar days.

Raw deletes (QuerySet._raw_delete, as Django's own fast delete path uses), because the ORM's
collector would load ~200k rows and trip over the tree's PROTECT self-reference. Foreign keys
are deferred to commit on SQLite and PostgreSQL, so the order below need only leave nothing
dangling at the end. Packages that add rows pointing at nodes, persons or users (cases,
meetings...) add their deletes here: the year of history (meetings and their slips, topics,
events; cases and their events) goes first, then the accounts the history made for the
post-holders who sign (named demo-fl-...), with what the notification outbox holds for them.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from gongzhi.api.models import ApiToken
from gongzhi.care import models as care
from gongzhi.care.services import CONTACT_SUBJECT
from gongzhi.cases.models import Attachment, Case, CaseEvent, StreetCategoryLimit
from gongzhi.community import models as community
from gongzhi.core.models import OutboxMessage, PiiAccessLog, WorkDay
from gongzhi.demo.care import DEMO_GATEWAY_NAME
from gongzhi.demo.district import DISTRICT_CODE, FIRST
from gongzhi.demo.logins import DEMO_PASSWORD, SUPERUSER, USERNAMES
from gongzhi.geo.levels import Level
from gongzhi.geo.models import PATH_SEP, Node, NodeChange
from gongzhi.meetings.models import (
    CaseStudy,
    Disclosure,
    DisclosureEvent,
    Evaluation,
    Meeting,
    MeetingEvent,
    Minutes,
    Participant,
    Signature,
    Slip,
    SlipParty,
    Topic,
)
from gongzhi.mobilisation import models as mob
from gongzhi.mobilisation.direct_chain import SMS_KIND
from gongzhi.notify.models import Delivery, InboxItem
from gongzhi.orders.models import Order, OrderEvent, OrderPhoto, ServiceModule, TeamMember
from gongzhi.orgs.models import DualRegistration, PartyMember, PartyOrg, Person, Post, Unit
from gongzhi.reports.models import CategoryTotal, DayTotal, Fact, Report, ReportNote


def demo_exists() -> bool:
    return Node.objects.filter(code=FIRST.code).exists()


def demo_streets() -> set[str]:
    """The codes of the demo district's streets already there (none before districts)."""
    under = f"{PATH_SEP}{DISTRICT_CODE}{PATH_SEP}"
    return set(Node.objects.filter(path__startswith=under, level=Level.STREET).values_list("code", flat=True))


def _demo_root() -> str:
    """The path everything of the demo hangs from: the district's, or street 1's when it was
    made before the demo had a district."""
    for code in (DISTRICT_CODE, FIRST.code):
        path = Node.objects.filter(code=code, parent__isnull=True).values_list("path", flat=True).first()
        if path:
            return path
    return f"{PATH_SEP}{DISTRICT_CODE}{PATH_SEP}"


def _prefixed(field: str, prefixes: list[str]) -> Q:
    found = Q(pk__in=[])
    for prefix in prefixes:
        found |= Q(**{f"{field}__startswith": prefix})
    return found


@transaction.atomic
def reset_demo() -> dict[str, int]:
    """Delete the demo rows; return how many rows of each kind went."""
    under = _demo_root()
    streets = list(
        Node.objects.filter(path__startswith=under, level=Level.STREET).values_list("code", flat=True)
    )
    codes = [*streets, DISTRICT_CODE]
    # persons FL-P…, TY-S…, SFQ-S…; the accounts the history made for post-holders, demo-fl-…
    people = Person.objects.filter(_prefixed("code", [f"{code}-" for code in codes]))
    signers = _prefixed("username", [f"demo-{code.lower()}-" for code in codes])
    users = get_user_model().objects.filter(Q(username__in=_demo_usernames()) | signers)
    deleted: dict[str, int] = {}
    user_model = get_user_model()
    NodeChange.objects.filter(actor__in=users).update(actor=None)
    CaseEvent.objects.filter(actor__in=users).exclude(case__node_path__startswith=under).update(actor=None)
    meetings = Meeting.objects.filter(node_path__startswith=under)
    slips = Slip.objects.filter(meeting__in=meetings)
    topics = Topic.objects.filter(node_path__startswith=under)
    cases = Case.objects.filter(node_path__startswith=under)
    events = CaseEvent.objects.filter(case__in=cases)
    messages = OutboxMessage.objects.filter(recipient__in=users)
    disclosures = Disclosure.objects.filter(node_path__startswith=under)
    subjects = care.CareSubject.objects.filter(node_path__startswith=under)
    _delete_consent_forms(subjects)
    members = PartyMember.objects.filter(person__in=people)
    claims = community.PointClaim.objects.filter(member__in=members)
    _delete_evidence(claims)
    projects = community.Project.objects.filter(node_path__startswith=under)
    pledges = community.Pledge.objects.filter(project__in=projects)
    needs = community.Need.objects.filter(node_path__startswith=under)
    registrations = DualRegistration.objects.filter(node__path__startswith=under)
    commitments = community.Commitment.objects.filter(registration__in=registrations)
    pairs = community.ContactPair.objects.filter(node_path__startswith=under)
    incidents = mob.Incident.objects.filter(street__path__startswith=under)
    vols = community.Volunteer.objects.filter(node_path__startswith=under)
    tasks = community.VolunteerTask.objects.filter(node_path__startswith=under)
    _allow_ledger_purge()
    steps = {
        # First: its subjects (people, cases) are read while they still exist.
        "pii_log": PiiAccessLog.objects.filter(
            Q(subject_model="orgs.person", subject_id__in=people.values("pk"))
            | Q(subject_model="cases.case", subject_id__in=cases.values("pk"))  # contact reveals
            | Q(subject_model="care.caresubject", subject_id__in=subjects.values("pk"))
            | Q(
                subject_model=CONTACT_SUBJECT,
                subject_id__in=care.EmergencyContact.objects.filter(subject__in=subjects).values("pk"),
            )
            | Q(actor__in=users)
        ),
        # the reports' derived rows (the rollup's facts and totals, the 日报/周报 and their
        # notes), written by `gongzhi serve`'s beat or reports_rollup once the demo runs: they
        # name its cases, nodes, posts and users
        "report_notes": ReportNote.objects.filter(Q(report__node_path__startswith=under) | Q(by__in=users)),
        "reports": Report.objects.filter(node_path__startswith=under),
        "report_facts": Fact.objects.filter(Q(node_path__startswith=under) | Q(case__in=cases)),
        "report_day_totals": DayTotal.objects.filter(area__path__startswith=under),
        "report_category_totals": CategoryTotal.objects.filter(node__path__startswith=under),
        # 直报 (demo.direct): the reports with their steps, then the duty roster; before the
        # cases (a converted report names its case), people, users and nodes
        "direct_photos": mob.DirectPhoto.objects.filter(report__street__path__startswith=under),
        "direct_follow_ups": mob.DirectFollowUp.objects.filter(report__street__path__startswith=under),
        "direct_events": mob.DirectEvent.objects.filter(report__street__path__startswith=under),
        "direct_reports": mob.DirectReport.objects.filter(street__path__startswith=under),
        "direct_duty_days": mob.DutyDay.objects.filter(street__path__startswith=under),
        "direct_leaders": mob.DutyLeader.objects.filter(street__path__startswith=under),
        "direct_robot_deliveries": Delivery.objects.filter(message__in=_robot_messages(under)),
        "direct_robot_messages": _robot_messages(under),
        # orders (docs/services.md): the street's modules and everything ordered there; before
        # the cases (a converted order names its case), people, posts, units and nodes
        "order_photos": OrderPhoto.objects.filter(event__order__node_path__startswith=under),
        "order_events": OrderEvent.objects.filter(order__node_path__startswith=under),
        "orders": Order.objects.filter(node_path__startswith=under),
        "team_members": TeamMember.objects.filter(module__street__path__startswith=under),
        "module_places": ServiceModule.places.through.objects.filter(
            servicemodule__street__path__startswith=under
        ),
        "modules": ServiceModule.objects.filter(street__path__startswith=under),
        # mobilisation (demo.mobilisation): the incidents over the street, then its entrances
        "mobilisation_swaps": mob.SwapRequest.objects.filter(assignment__shift__post__incident__in=incidents),
        "mobilisation_assignments": mob.Assignment.objects.filter(shift__post__incident__in=incidents),
        "mobilisation_rotas": mob.Rota.objects.filter(incident__in=incidents),
        "mobilisation_shifts": mob.Shift.objects.filter(post__incident__in=incidents),
        "mobilisation_items": mob.CoverageItem.objects.filter(incident__in=incidents),
        "mobilisation_posts": mob.DutyPost.objects.filter(incident__in=incidents),
        "mobilisation_events": mob.IncidentEvent.objects.filter(incident__in=incidents),
        "mobilisation_zone": mob.Incident.zone.through.objects.filter(incident__in=incidents),
        "mobilisation_units": mob.Incident.units.through.objects.filter(incident__in=incidents),
        "mobilisation_incidents": incidents,
        "mobilisation_entrances": mob.Entrance.objects.filter(node__path__startswith=under),
        # volunteers (demo.volunteers): the time bank is append-only (purged as the ledger is)
        "volunteer_signups": community.TaskSignup.objects.filter(Q(volunteer__in=vols) | Q(task__in=tasks)),
        "volunteer_tasks": tasks,
        "volunteer_hours": community.HoursEntry.objects.filter(volunteer__in=vols),
        "volunteer_availability": community.Availability.objects.filter(volunteer__in=vols),
        "volunteer_days_away": community.Absence.objects.filter(volunteer__in=vols),
        "volunteers": vols,
        # care (demo.care): everything hangs from the subjects but the rounds, rules and gateway
        "care_visits": care.Visit.objects.filter(subject__in=subjects),
        "care_rounds": care.VisitRound.objects.filter(node_path__startswith=under),
        "care_alerts": care.Alert.objects.filter(subject__in=subjects),
        "care_last_seen": care.LastSeen.objects.filter(subject__in=subjects),
        "care_events": care.Event.objects.filter(subject__in=subjects),
        "care_away": care.AwayPeriod.objects.filter(subject__in=subjects),
        "care_overrides": care.RuleOverride.objects.filter(subject__in=subjects),
        "care_devices": care.Device.objects.filter(
            Q(household__path__startswith=under) | Q(subject__in=subjects)
        ),
        "care_consents": care.Consent.objects.filter(subject__in=subjects),
        "care_contacts": care.EmergencyContact.objects.filter(subject__in=subjects),
        "care_assignments": care.Assignment.objects.filter(subject__in=subjects),
        "care_subjects": subjects,
        "care_rules": care.Rule.objects.filter(street__path__startswith=under),
        "care_gateway": care.Gateway.objects.filter(name=DEMO_GATEWAY_NAME),
        # community (demo.community*): the ledger, the lists and projects, 双报到's process
        "community_appeals": community.Appeal.objects.filter(entry__member__in=members),
        "community_point_entries": community.PointEntry.objects.filter(member__in=members),
        "community_point_claims": claims,
        "community_point_rules": community.PointRule.objects.filter(street__path__startswith=under),
        "community_grade_bands": community.GradeBand.objects.filter(street__path__startswith=under),
        "community_evaluations": community.ProjectEvaluation.objects.filter(project__in=projects),
        "community_signatures": community.PledgeSignature.objects.filter(pledge__in=pledges),
        "community_pledge_versions": community.PledgeVersion.objects.filter(pledge__in=pledges),
        "community_pledges": pledges,
        "community_project_events": community.ProjectEvent.objects.filter(project__in=projects),
        "community_milestones": community.Milestone.objects.filter(project__in=projects),
        "community_project_needs": community.Project.needs.through.objects.filter(project__in=projects),
        "community_project_resources": community.Project.resources.through.objects.filter(
            project__in=projects
        ),
        "community_projects": projects,
        "community_matches": community.Match.objects.filter(need__in=needs),
        "community_needs": needs,
        "community_resources": community.Resource.objects.filter(node_path__startswith=under),
        "community_contact_visits": community.ContactVisit.objects.filter(pair__in=pairs),
        "community_contact_pairs": pairs,
        "community_service_records": community.ServiceRecord.objects.filter(commitment__in=commitments),
        "community_commitments": commitments,
        "community_registration_events": community.RegistrationEvent.objects.filter(
            registration__in=registrations
        ),
        "disclosure_events": DisclosureEvent.objects.filter(
            Q(disclosure__in=disclosures) | Q(actor__in=users)
        ),
        "disclosures": disclosures,
        "meeting_events": MeetingEvent.objects.filter(
            Q(meeting__in=meetings) | Q(topic__in=topics) | Q(slip__in=slips) | Q(actor__in=users)
        ),
        "case_studies": CaseStudy.objects.filter(slip__in=slips),
        "evaluations": Evaluation.objects.filter(slip__in=slips),
        "signatures": Signature.objects.filter(slip__in=slips),
        "slip_parties": SlipParty.objects.filter(slip__in=slips),
        "slip_cases": Slip.cases.through.objects.filter(slip__in=slips),
        "slips": slips,
        "minutes": Minutes.objects.filter(meeting__in=meetings),
        "topic_cases": Topic.cases.through.objects.filter(topic__in=topics),
        "topics": topics,
        "participant_posts": Participant.also_posts.through.objects.filter(participant__meeting__in=meetings),
        "participants": Participant.objects.filter(meeting__in=meetings),
        "joint_nodes": Meeting.joint_nodes.through.objects.filter(meeting__in=meetings),
        "meetings": meetings,
        "attachments": Attachment.objects.filter(event__in=events),
        "case_events": events,
        "case_assisting": Case.assisting_posts.through.objects.filter(case__in=cases),
        "cases": cases,
        "deliveries": Delivery.objects.filter(message__in=messages),
        "inbox": InboxItem.objects.filter(Q(user__in=users) | Q(message__in=messages)),
        "outbox": messages,
        "api_tokens": ApiToken.objects.filter(user__in=users),
        "admin_log": LogEntry.objects.filter(user__in=users),
        "user_groups": user_model.groups.through.objects.filter(user__in=users),
        "user_permissions": user_model.user_permissions.through.objects.filter(user__in=users),
        "registrations": registrations,
        "post_categories": Post.categories.through.objects.filter(post__node__path__startswith=under),
        "posts": Post.objects.filter(Q(node__path__startswith=under) | Q(person__in=people)),
        "members": members,
        "party_orgs": PartyOrg.objects.filter(node__path__startswith=under),
        "units": Unit.objects.filter(node__path__startswith=under),
        "persons": people,
        "users": users,
        "street_limits": StreetCategoryLimit.objects.filter(street__path__startswith=under),
        "street_days": WorkDay.objects.filter(street__in=streets),
        "node_changes": NodeChange.objects.filter(node__path__startswith=under),
        "nodes": Node.objects.filter(path__startswith=under),
    }
    for name, qs in steps.items():
        deleted[name] = qs._raw_delete(qs.db)
    return deleted


def _robot_messages(under: str) -> QuerySet[OutboxMessage]:
    """The 直报 chain's rows without a recipient (the group robots, the texts) of the demo
    street's places."""
    kinds = Q(kind__startswith="direct.") | Q(kind=SMS_KIND)
    return OutboxMessage.objects.filter(kinds, recipient__isnull=True, node_path__startswith=under)


def _delete_consent_forms(subjects: QuerySet[care.CareSubject]) -> None:
    """The scanned consent forms (files in MEDIA_ROOT) of the demo's subjects."""
    for name in care.Consent.objects.filter(subject__in=subjects).values_list("form", flat=True):
        if name:
            default_storage.delete(name)


def _delete_evidence(claims: QuerySet[community.PointClaim]) -> None:
    """The evidence photos (files in MEDIA_ROOT) of the demo members' claims."""
    for name in set(claims.exclude(evidence="").values_list("evidence", flat=True)):
        default_storage.delete(name)


def _allow_ledger_purge() -> None:
    """The ledger's tables refuse DELETE on PostgreSQL but in a transaction that says it purges
    (community.append_only): this one, for the demo's rows only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL gongzhi.allow_purge = 'on'")


def _demo_usernames() -> list[str]:
    """The demo's users; `admin` only while it still has the demo password (it may be yours)."""
    names = [n for n in USERNAMES if n != SUPERUSER]
    admin = get_user_model().objects.filter(username=SUPERUSER).first()
    if admin is not None and check_password(DEMO_PASSWORD, admin.password):
        names.append(SUPERUSER)
    return names
