"""What the community services share: the permission check by place, field checks, and the
project's append-only event."""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from gongzhi.community.models import Project, ProjectEvent
from gongzhi.core import clock
from gongzhi.core.actors import Actor
from gongzhi.core.errors import ConflictError, PermissionDeniedError, invalid
from gongzhi.geo.models import Node
from gongzhi.orgs import access


def require_manage(actor: Actor, node: Node) -> None:
    """MANAGE_COMMUNITY over the node: its committee, its Party secretary, the cadres above."""
    if actor is None or not access.can(actor, access.MANAGE_COMMUNITY, node):
        raise PermissionDeniedError(_("您无权管理该辖区的共建清单"))


def may_manage(actor: Actor, node: Node) -> bool:
    return actor is not None and access.can(actor, access.MANAGE_COMMUNITY, node)


def text(value: str | None, field: str, message: str, *, limit: int) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise invalid(field, message)
    if len(cleaned) > limit:
        raise invalid(field, _("最多%(n)s个字符") % {"n": limit})
    return cleaned


def choice(value: str | int | None, field: str, choices: Any, message: str) -> Any:
    if value is None or value == "" or str(value) not in {str(v) for v in choices.values}:
        raise invalid(field, message)
    return type(choices.values[0])(value)


def window(start: date | None, end: date | None, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise invalid(field, _("截止日期不能早于开始日期"))


def amount(value: Any, field: str, *, allow_none: bool = True) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise invalid(field, _("请填写金额"))
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise invalid(field, _("应为数字")) from exc
    if not number.is_finite() or number < 0 or number >= Decimal("10000000000"):
        raise invalid(field, _("应为0到100亿之间的数"))
    return number.quantize(Decimal("0.01"))


def record(
    project: Project, action: str, actor: Actor | None, *, frm: str, note: str = "", **data: Any
) -> ProjectEvent:
    """Append the project's event (its state is already set on the row) and count it."""
    project.seq += 1
    project.save()
    return ProjectEvent.objects.create(
        project=project,
        action=action,
        from_state=frm,
        to_state=project.state,
        actor=actor if isinstance(actor, User) else None,  # None: the system (the sweep)
        at=clock.now(),
        note=note[:500],
        data=data,
    )


M = TypeVar("M", bound=models.Model)


def create_unique(message: str, model: type[M], **values: Any) -> M:
    """Insert a row whose uniqueness the caller checked; a race past the check is the same 409."""
    try:
        with transaction.atomic():
            return model._default_manager.create(**values)
    except IntegrityError as exc:
        raise ConflictError(message) from exc
