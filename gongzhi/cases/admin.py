"""The back office for cases, scoped by orgs.access like the orgs admin.

- 分类处置规则 (CategoryPolicy): an inline on the category admin and a list of its own with the
  rules editable in place. Policies are street-wide, so only street admins (MANAGE_TREE) or
  superusers change them; other staff who work cases see them read-only.
- 工单 (Case): read-only, limited to the cases the user may see (access.cases_q), with the
  events inline; the contact phone only masked. Cases change through the workflow, never here.
- Open311 接口密钥: created with the clear key shown once (only a keyed hash is stored), and
  revoked by an action. Street admins only.

The category admin is registered by orgs (which may not import cases); this module replaces
it with a subclass carrying the policy inline.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from gongzhi.cases.models import Case, CaseEvent, CategoryPolicy, pk_from_number
from gongzhi.cases.open311 import keys
from gongzhi.cases.open311_keys import Open311Key
from gongzhi.cases.states import State
from gongzhi.core.actors import Actor
from gongzhi.orgs import access
from gongzhi.orgs.admin import CategoryAdmin as OrgsCategoryAdmin
from gongzhi.orgs.models import Category

MAX_LIMIT = 999  # a deadline in working hours or days; more than this is a typing slip


def _active_staff(user: Actor) -> bool:
    return isinstance(user, User) and user.is_active and user.is_staff


def is_street_admin(user: Actor) -> bool:
    """Street-wide settings (policies, integration keys): MANAGE_TREE, held only by street admins."""
    return _active_staff(user) and access.has_power(user, access.MANAGE_TREE)


def works_cases(user: Actor) -> bool:
    """Staff who see cases in some scope: VIEW_CASES posts, departments (by category), superusers."""
    if not _active_staff(user):
        return False
    scope = access.scope(user)
    return access.has_power(user, access.VIEW_CASES) or bool(scope.department_categories())


# --- 分类处置规则 ---------------------------------------------------------------------------------


class CategoryPolicyForm(forms.ModelForm):
    class Meta:
        model = CategoryPolicy
        fields = [
            "limit_amount",
            "limit_unit",
            "lead_unit_kind",
            "must_try_locally",
            "local_only",
            "photo_before",
            "photo_after",
        ]

    def clean_limit_amount(self) -> int:
        amount = self.cleaned_data["limit_amount"]
        if amount is None or not 1 <= amount <= MAX_LIMIT:
            raise ValidationError(_("处置时限应在1到%(n)d之间") % {"n": MAX_LIMIT})
        return int(amount)


class PolicyPermissions:
    """View for staff who work cases or see the tree; change for street admins only."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return is_street_admin(user) or works_cases(user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_street_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_street_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a category without a policy falls back to the default limit: edit instead


class CategoryPolicyInline(PolicyPermissions, admin.StackedInline):
    model = CategoryPolicy
    form = CategoryPolicyForm
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = _lazy("分类处置规则")
    verbose_name_plural = _lazy("分类处置规则")


admin.site.unregister(Category)


@admin.register(Category)
class CategoryAdmin(OrgsCategoryAdmin):
    """The orgs category admin plus the 小类's handling rules."""

    list_display = ["code", "name", "parent", "active", "limit"]
    list_select_related = ["parent", "policy"]
    search_fields = ["code", "name"]
    inlines = [CategoryPolicyInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_street_admin(request.user) or works_cases(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_street_admin(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_street_admin(request.user)

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        if obj is not None and obj.parent_id is None:
            return []  # a 大类 groups 小类; rules belong to the 小类
        return super().get_inline_instances(request, obj)

    @admin.display(description=_lazy("处置时限"))
    def limit(self, obj: Category) -> str:
        policy = getattr(obj, "policy", None)
        return f"{policy.limit_amount}{policy.get_limit_unit_display()}" if policy else ""


@admin.register(CategoryPolicy)
class CategoryPolicyAdmin(PolicyPermissions, admin.ModelAdmin):
    """All the rules on one page, editable in place (street admins)."""

    form = CategoryPolicyForm
    list_display = [
        "category_code",
        "category",
        "limit_amount",
        "limit_unit",
        "lead_unit_kind",
        "must_try_locally",
        "local_only",
        "photo_before",
        "photo_after",
    ]
    list_display_links = ["category_code"]
    list_editable = [
        "limit_amount",
        "limit_unit",
        "lead_unit_kind",
        "must_try_locally",
        "local_only",
        "photo_before",
        "photo_after",
    ]
    list_filter = ["limit_unit", "lead_unit_kind", "must_try_locally", "local_only"]
    search_fields = ["category__code", "category__name", "category__name_en"]
    list_select_related = ["category"]
    ordering = ["category__code"]
    list_per_page = 200

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form", CategoryPolicyForm)  # the same checks when edited in the list
        return super().get_changelist_form(request, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("category", *CategoryPolicyForm.Meta.fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["category"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "category":  # only 小类 without a policy yet
            kwargs["queryset"] = Category.objects.filter(parent__isnull=False, policy__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_lazy("编码"), ordering="category__code")
    def category_code(self, obj: CategoryPolicy) -> str:
        return obj.category.code


# --- 工单 --------------------------------------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return works_cases(request.user)  # the parent case is already in the user's scope

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    # `data` is left out: channel payloads (Open311 attributes) may carry what the reporter typed.
    fields = readonly_fields = ("seq", "at", "action", "from_label", "to_label", "actor", "note")
    ordering = ["seq"]

    @admin.display(description=_lazy("原状态"))
    def from_label(self, obj: CaseEvent) -> str:
        return str(State(obj.from_state).label) if obj.from_state in State.values else obj.from_state

    @admin.display(description=_lazy("新状态"))
    def to_label(self, obj: CaseEvent) -> str:
        return str(State(obj.to_state).label) if obj.to_state in State.values else obj.to_state

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return super().get_queryset(request).select_related("actor")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through the workflow (the case pages and the API)."""

    list_display = [
        "number",
        "state",
        "category",
        "node",
        "rung",
        "post",
        "dispatch_due",
        "handle_due",
        "verify_due",
        "created_at",
    ]
    list_filter = ["state", "rung", "source"]
    list_select_related = ["category", "node", "post__node", "post__person"]
    search_fields = ["external_id"]
    search_help_text = _lazy("按工单号或外部编号查找")
    ordering = ["-created_at", "-pk"]
    show_full_result_count = False  # no second COUNT(*) over a street's million cases
    inlines = [CaseEventInline]
    fields = readonly_fields = (
        "number",
        "state",
        "rung",
        "source",
        "external_id",
        "category",
        "node",
        "address",
        "text",
        "post",
        "master",
        "contact_name",
        "contact_phone_masked",
        "dispatch_due",
        "handle_due",
        "verify_due",
        "park_review_on",
        "satisfaction",
        "rework_count",
        "created_at",
        "updated_at",
        "closed_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return super().get_queryset(request).filter(access.cases_q(request.user))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Case], search_term: str
    ) -> tuple[QuerySet[Case], bool]:
        pk = pk_from_number(search_term)
        if pk is not None:
            return queryset.filter(pk=pk), False
        return super().get_search_results(request, queryset, search_term)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return works_cases(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return works_cases(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_lazy("工单号"), ordering="-created_at")
    def number(self, obj: Case) -> str:
        return obj.number


# --- Open311 接口密钥 -------------------------------------------------------------------------------

CREATED_PAGE = engines["django"].from_string(
    """{% extends "admin/base_site.html" %}{% load i18n %}
{% block title %}{% translate "密钥已创建" %}{% endblock %}
{% block content %}
<h1>{% blocktranslate with name=row.name %}Open311 接口密钥“{{ name }}”已创建{% endblocktranslate %}</h1>
<p><strong>{% translate "密钥只显示这一次，请立即复制并交给对接方妥善保存；本系统只保存它的摘要，之后无法再查看。" %}</strong></p>
<p><code id="open311-key" style="font-size:1.2em">{{ key }}</code></p>
<p><a class="button" href="{{ list_url }}">{% translate "返回密钥列表" %}</a></p>
{% endblock %}"""
)


class Open311KeyForm(forms.ModelForm):
    class Meta:
        model = Open311Key
        fields = ["name"]


class SecretKeyAdmin(admin.ModelAdmin):
    """An integration key's admin (Open311 keys, care gateways): street admins create and
    revoke keys, nobody edits or deletes one."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_street_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_street_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_street_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a key is created and revoked, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoked keys stay listed: who had access, and until when

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return is_street_admin(request.user)


@admin.register(Open311Key)
class Open311KeyAdmin(SecretKeyAdmin):
    form = Open311KeyForm
    list_display = ["name", "prefix_shown", "created_at", "last_used_at", "revoked_at", "active"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("name",) if obj is None else ("name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: Open311Key, form: Any, change: bool) -> None:
        row, clear = keys.key_create(name=form.cleaned_data["name"])
        obj.pk, obj.prefix, obj.created_at = row.pk, row.prefix, row.created_at
        request._open311_clear_key = clear  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: Open311Key, post_url_continue: Any = None
    ) -> HttpResponse:
        clear = getattr(request, "_open311_clear_key", "")
        context = {
            **self.admin_site.each_context(request),
            "row": obj,
            "key": clear,
            "list_url": reverse("admin:cases_open311key_changelist"),
            "opts": self.opts,
        }
        response = HttpResponse(CREATED_PAGE.render(context, request))
        response["Cache-Control"] = "no-store"  # the clear key must not linger in any cache
        return response

    @admin.action(description=_lazy("吊销所选密钥"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Open311Key]) -> None:
        count = 0
        for row in queryset.filter(revoked_at__isnull=True):
            keys.key_revoke(key=row)
            count += 1
        self.message_user(
            request,
            ngettext("已吊销 %(n)d 个密钥。", "已吊销 %(n)d 个密钥。", count) % {"n": count},
            messages.SUCCESS,
        )

    @admin.display(description=_lazy("前缀"))
    def prefix_shown(self, obj: Open311Key) -> str:
        return f"{obj.prefix}…"

    @admin.display(description=_lazy("有效"), boolean=True)
    def active(self, obj: Open311Key) -> bool:
        return obj.revoked_at is None
