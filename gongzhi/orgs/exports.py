"""What the people search and the 三定 roster export (docs/exports.md).

Not to be confused with orgs.imports.export, which writes the import templates back (a
round trip for editing). These are the lists as the pages show them: names as the pages
show them, the birth year (the person page shows no more), phone and ID numbers masked.
Both hold personal data, so each export writes an access-log row (core.exports.export_log).
"""

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext_lazy

from gongzhi.core import i18n
from gongzhi.core.exports import Column, Spec, YesNo, column, label_column, localized_column
from gongzhi.orgs.models import Person, Post
from gongzhi.orgs.roles import THE_EIGHT, THE_ONE, MeetingRole

PEOPLE = Spec(
    stem="people",
    title=gettext_lazy("人员查询结果"),
    columns=(
        column(gettext_lazy("编码"), "code", width=14),
        column(gettext_lazy("姓名"), "name", width=10),
        label_column(gettext_lazy("性别"), "gender", Person.Gender, 6),
        column(gettext_lazy("出生年份"), "birth_date", lambda d: d.year if d else None, 8),
        column(gettext_lazy("手机号（脱敏）"), "phone_masked", width=14),
        column(gettext_lazy("身份证号（脱敏）"), "id_masked", width=20),
        column(gettext_lazy("住址"), "home__name", width=20),
        column(gettext_lazy("住址编码"), "home__code", width=16),
        label_column(gettext_lazy("独居"), "lives_alone", YesNo, 6),
    ),
    personal=True,
)


def _with_categories(chunk: list[dict[str, Any]]) -> None:
    """The matters each post answers for (one query per chunk)."""
    names: dict[int, list[str]] = {}
    links = Post.categories.through.objects.filter(post_id__in=[r["id"] for r in chunk])
    in_english = i18n.english()
    rows = links.order_by("category__code").values_list("post_id", "category__name", "category__name_en")
    for post_id, name, name_en in rows:
        names.setdefault(post_id, []).append(i18n.pick(name, name_en, in_english=in_english))
    for row in chunk:
        row["categories"] = "、".join(names.get(row["id"], []))


ROSTER = Spec(
    stem="roster",
    title=gettext_lazy("三定名册"),
    columns=(
        label_column(gettext_lazy("席位"), "meeting_role", MeetingRole, 14, empty=gettext_lazy("工作人员")),
        localized_column(gettext_lazy("岗位"), "title", 14),
        column(gettext_lazy("单位"), "unit__name", width=18),
        column(gettext_lazy("负责辖区"), "node__name", width=16),
        localized_column(gettext_lazy("职责"), "duty", 30),
        Column(gettext_lazy("负责事项"), ("id",), lambda r: r["categories"], 24),
        column(gettext_lazy("责任人"), "person__name", width=10),
        column(gettext_lazy("电话（脱敏）"), "person__phone_masked", width=14),
        column(gettext_lazy("AB岗"), "deputy__name", width=10),
        column(gettext_lazy("AB岗电话（脱敏）"), "deputy__phone_masked", width=14),
    ),
    personal=True,
    enrich=_with_categories,
)


def in_seat_order(posts: QuerySet[Post]) -> QuerySet[Post]:
    """The roster's rows in the page's order: the 1, the 8 in their order, the X seats, then
    staff without a seat."""
    fixed = [THE_ONE, *THE_EIGHT]
    rank = Case(
        *(When(meeting_role=role, then=Value(i)) for i, role in enumerate(fixed)),
        When(meeting_role="", then=Value(len(fixed) + 1)),
        default=Value(len(fixed)),
        output_field=IntegerField(),
    )
    return posts.order_by(rank, "meeting_role", "node__path", "title")
