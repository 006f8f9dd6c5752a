"""Writes for units, people, posts and the Party side. Each checks the actor's MANAGE_ROSTER power
over the node it touches (`actor=None` is the system: the command-line import, the demo, test
factories), validates, then writes in one transaction. Units and posts decide who gets cases,
so each change of them appends a `RosterChange` (who, when, before and after)."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.core import accesslog, clock, pii
from gongzhi.core.actors import Actor, recorded_or_system
from gongzhi.core.errors import PermissionDeniedError, invalid
from gongzhi.geo.levels import Level
from gongzhi.geo.models import Node
from gongzhi.orgs import access, selectors
from gongzhi.orgs.models import (
    Category,
    DualRegistration,
    PartyMember,
    PartyOrg,
    Person,
    Post,
    RosterChange,
    Unit,
)
from gongzhi.orgs.roles import MeetingRole, MemberType, PartyOrgKind, PostRole, UnitKind

REVEALABLE_FIELDS = {"phone": "phone_enc", "id_number": "id_enc"}
PERSON_SUBJECT = "orgs.person"  # PiiAccessLog.subject_model of a person's reveal


def require_roster_power(actor: Actor | None, *nodes: Node | None) -> None:
    """PermissionDeniedError (403) unless `actor` may manage the roster at every node given
    (None entries are skipped; `actor=None` is the system)."""
    if actor is None:
        return
    if not actor.is_authenticated or not all(
        access.can(actor, access.MANAGE_ROSTER, node) for node in nodes if node is not None
    ):
        raise PermissionDeniedError(_("您无权修改该辖区的名册"))


def _require_person_power(actor: Actor | None, code: str, home: Node | None) -> None:
    """A resident is managed where they live (and where they lived, when moving them); someone
    with no home on the tree by whoever holds the roster power and already sees them."""
    stored = Person.objects.select_related("home").filter(code=code).first()
    if home is None and (stored is None or stored.home is None):
        if actor is not None and not (
            access.has_power(actor, access.MANAGE_ROSTER)
            and (stored is None or access.can_see_person(actor, stored))
        ):
            raise PermissionDeniedError(_("您无权修改该辖区的名册"))
        return
    require_roster_power(actor, home, stored.home if stored else None)


# --- personal data ------------------------------------------------------------------------------


def sealed_phone(raw: str) -> dict[str, str]:
    """Encrypted, hashed and masked forms of a phone number (validated)."""
    phone = pii.normalise_phone(raw)
    if phone and not pii.PHONE_RE.match(phone):
        raise invalid("phone", _("手机号应为11位数字，以1开头"))
    return {
        "phone_enc": pii.encrypt(phone),
        "phone_hash": pii.lookup_hash(phone),
        "phone_masked": pii.mask_phone(phone),
    }


def sealed_id_number(raw: str) -> dict[str, str]:
    number = pii.normalise_id(raw)
    if number and not pii.ID_RE.match(number):
        raise invalid("id_number", _("身份证号应为18位，最后一位可为X"))
    return {
        "id_enc": pii.encrypt(number),
        "id_hash": pii.lookup_hash(number),
        "id_masked": pii.mask_id(number),
    }


def person_fields(
    *,
    name: str,
    phone: str = "",
    id_number: str = "",
    gender: str = "",
    birth_date: date | None = None,
    home: Node | None = None,
    lives_alone: bool = False,
) -> dict[str, Any]:
    """Validate a person's fields and return them ready to save (personal data sealed)."""
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("姓名不能为空")]
    if gender and gender not in Person.Gender.values:
        errors["gender"] = [_("性别应为“男”或“女”")]
    if home is not None and home.level != Level.HOUSEHOLD:
        errors["home"] = [_("居住地应为“户”一级的节点")]
    fields: dict[str, Any] = {}
    for sealer, raw in ((sealed_phone, phone), (sealed_id_number, id_number)):
        try:
            fields.update(sealer(raw))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    fields.update(name=name.strip(), gender=gender, birth_date=birth_date, home=home, lives_alone=lives_alone)
    return fields


@transaction.atomic
def person_upsert(*, actor: Actor | None, code: str, **values: Any) -> Person:
    """Create a person, or update the one with this code (imports re-run safely)."""
    _require_person_power(actor, code, values.get("home"))
    fields = person_fields(**values)
    person, _created = Person.objects.update_or_create(code=code, defaults=fields)
    return person


SEALED_PREFIXES = {"phone": "phone", "id_number": "id"}


@transaction.atomic
def person_upsert_keeping(
    *, actor: Actor | None, code: str, keep: tuple[str, ...] = (), **values: Any
) -> Person:
    """person_upsert, but the numbers named in `keep` ("phone", "id_number") stay as stored:
    an exported sheet carries only masked numbers, and re-importing it must not wipe them."""
    _require_person_power(actor, code, values.get("home"))
    fields = person_fields(**values)
    for name in keep:
        for suffix in ("_enc", "_hash", "_masked"):
            fields.pop(SEALED_PREFIXES[name] + suffix)
    person, _created = Person.objects.update_or_create(code=code, defaults=fields)
    return person


@transaction.atomic
def person_reveal(*, actor: Actor, person: Person, field: str, purpose: str) -> str:
    """Return a personal field in clear, after writing who asked, for whom and why."""
    if field not in REVEALABLE_FIELDS:
        raise invalid("field", _("不能查看该字段"))
    purpose = accesslog.required_purpose(purpose)
    if not access.can_reveal(actor, person, field):
        raise PermissionDeniedError(_("无权查看此人的个人信息"))
    accesslog.record(
        actor=actor,
        subject_model=PERSON_SUBJECT,
        subject_id=person.pk,
        subject_label=f"{person.name}（{person.code}）",
        field=field,
        purpose=purpose,
    )
    return pii.decrypt(getattr(person, REVEALABLE_FIELDS[field]))


SEARCH_SUBJECT = "search.person"  # PiiAccessLog.subject_model of a search by number
SEARCH_FIELDS = {"phone": "search_phone", "id_number": "search_id_number"}
_SEARCH_LABELS = {"phone": "按手机号查找", "id_number": "按身份证号查找"}  # the log's language


@transaction.atomic
def person_number_search(*, actor: Actor, search: pii.NumberSearch, purpose: str = "") -> QuerySet[Person]:
    """Look people up by a whole phone or ID number, writing who searched, for what (masked),
    why (when given) and how many in scope matched. The number stays out of the row."""
    found = selectors.person_by_number(user=actor, search=search)
    hits = found.count()
    accesslog.record(
        actor=actor,
        subject_model=SEARCH_SUBJECT,
        subject_id=0,
        subject_label=f"{_SEARCH_LABELS[search.kind]} {search.masked}，命中 {hits} 人",
        field=SEARCH_FIELDS[search.kind],
        purpose=(purpose or "").strip() or "未填写",
    )
    return found


# --- units and posts ---------------------------------------------------------------------------


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "kind": unit.kind,
        "node": unit.node.code,
        "office_phone": unit.office_phone,
        "address": unit.address,
        "active": unit.active,
    }


def post_snapshot(post: Post) -> dict[str, Any]:
    """A post's values by codes (persons by their code, never their numbers)."""
    return {
        "unit": post.unit.code,
        "node": post.node.code,
        "title": post.title,
        "duty": post.duty,
        "title_en": post.title_en,
        "duty_en": post.duty_en,
        "person": post.person.code,
        "deputy": post.deputy.code if post.deputy_id and post.deputy else None,
        "role": post.role,
        "meeting_role": post.meeting_role,
        "active_from": post.active_from.isoformat(),
        "active_until": post.active_until.isoformat() if post.active_until else None,
        "categories": sorted(post.categories.values_list("code", flat=True)),
    }


def _record_roster_change(
    actor: Actor | None,
    subject: str,
    code: str,
    node: Node,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    if before == after:
        return  # an import re-run over the same rows changes nothing, so records nothing
    RosterChange.objects.create(
        subject=subject,
        code=code,
        node=node,
        kind=RosterChange.Kind.CREATE if before is None else RosterChange.Kind.UPDATE,
        before=before or {},
        after=after,
        actor=recorded_or_system(actor),
        at=clock.now(),
    )


@transaction.atomic
def unit_upsert(
    *,
    actor: Actor | None,
    code: str,
    name: str,
    kind: str,
    node: Node,
    office_phone: str = "",
    address: str = "",
    active: bool = True,
) -> Unit:
    stored = Unit.objects.select_related("node").filter(code=code).first()
    require_roster_power(actor, node, stored.node if stored else None)
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("单位名称不能为空")]
    if kind not in UnitKind.values:
        errors["kind"] = [_("单位类型无效")]
    if errors:
        raise ValidationError(errors)
    before = unit_snapshot(stored) if stored else None
    unit, _created = Unit.objects.update_or_create(
        code=code,
        defaults={
            "name": name.strip(),
            "kind": kind,
            "node": node,
            "office_phone": office_phone,
            "address": address,
            "active": active,
        },
    )
    _record_roster_change(actor, RosterChange.Subject.UNIT, code, node, before, unit_snapshot(unit))
    return unit


ENGLISH_LIMITS = {"title_en": 100, "duty_en": 500}  # Post's max_length


@transaction.atomic
def post_upsert(
    *,
    actor: Actor | None,
    code: str,
    unit: Unit,
    node: Node,
    title: str,
    person: Person,
    role: str,
    active_from: date,
    duty: str = "",
    deputy: Person | None = None,
    meeting_role: str = "",
    active_until: date | None = None,
    categories: list[Category] | None = None,
    title_en: str | None = None,
    duty_en: str | None = None,
) -> Post:
    """Create or update the post `code`. `title_en` / `duty_en` (shown in English mode): None
    keeps what the post has (a caller or a sheet that does not know them), "" clears."""
    stored = Post.objects.select_related("unit", "node", "person", "deputy").filter(code=code).first()
    require_roster_power(actor, node, stored.node if stored else None)
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("岗位名称不能为空")]
    if role not in PostRole.values:
        errors["role"] = [_("角色无效")]
    if meeting_role and meeting_role not in MeetingRole.values:
        errors["meeting_role"] = [_("居务会席位无效")]
    if deputy is not None and deputy.pk == person.pk:
        errors["deputy"] = [_("替补不能是责任人本人")]
    if active_until is not None and active_until < active_from:
        errors["active_until"] = [_("截止日期不能早于起始日期")]
    english = {
        "title_en": (title_en if title_en is not None else stored.title_en if stored else "").strip(),
        "duty_en": (duty_en if duty_en is not None else stored.duty_en if stored else "").strip(),
    }
    for field, value in english.items():
        limit = ENGLISH_LIMITS[field]
        if len(value) > limit:
            errors[field] = [_("英文最多%(n)d个字符") % {"n": limit}]
    if errors:
        raise ValidationError(errors)
    before = post_snapshot(stored) if stored else None
    post, _created = Post.objects.update_or_create(
        code=code,
        defaults={
            "unit": unit,
            "node": node,
            "title": title.strip(),
            "duty": duty,
            **english,
            "person": person,
            "deputy": deputy,
            "role": role,
            "meeting_role": meeting_role,
            "active_from": active_from,
            "active_until": active_until,
        },
    )
    if categories is not None:
        post.categories.set(categories)
    _record_roster_change(actor, RosterChange.Subject.POST, code, node, before, post_snapshot(post))
    return post


# --- Party side --------------------------------------------------------------------------------


@transaction.atomic
def party_org_upsert(
    *, actor: Actor | None, code: str, name: str, kind: str, node: Node, parent: PartyOrg | None = None
) -> PartyOrg:
    require_roster_power(actor, node)
    if kind not in PartyOrgKind.values:
        raise invalid("kind", _("党组织类型无效"))
    org, _created = PartyOrg.objects.update_or_create(
        code=code, defaults={"name": name, "kind": kind, "node": node, "parent": parent}
    )
    return org


@transaction.atomic
def party_member_upsert(
    *, actor: Actor | None, person: Person, org: PartyOrg, member_type: str, joined_on: date | None = None
) -> PartyMember:
    require_roster_power(actor, org.node)
    if member_type not in MemberType.values:
        raise invalid("member_type", _("党员类型无效"))
    member, _created = PartyMember.objects.update_or_create(
        person=person, defaults={"org": org, "member_type": member_type, "joined_on": joined_on}
    )
    return member


@transaction.atomic
def dual_registration_create(
    *,
    actor: Actor | None,
    node: Node,
    registered_on: date,
    unit: Unit | None = None,
    member: PartyMember | None = None,
    service_offer: str = "",
) -> DualRegistration:
    """双报到 of a unit or of an in-service member with a residential area."""
    require_roster_power(actor, node)
    if (unit is None) == (member is None):
        raise invalid("unit", _("报到主体须为一个单位或一名党员"))
    if node.level != Level.AREA:
        raise invalid("node", _("双报到应报到到居民区"))
    if member is not None and member.member_type != MemberType.IN_SERVICE:
        raise invalid("member", _("只有在职党员需要到居住地报到"))
    return DualRegistration.objects.create(
        unit=unit, member=member, node=node, registered_on=registered_on, service_offer=service_offer
    )
