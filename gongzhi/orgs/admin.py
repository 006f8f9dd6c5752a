"""The back office (Django admin), scoped by orgs.access exactly like the pages and the API.

All admin registrations live here, including the tree's and the access log's, because the
scoping rules live in orgs and lower packages may not import it. Writes that have rules
(tree paths, sealed personal data) go through the services.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import PiiAccessLog
from gongzhi.geo import services as geo_services
from gongzhi.geo.models import Node, NodeChange
from gongzhi.orgs import access, services
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

admin.site.site_header = "共治 后台管理"
admin.site.site_title = "共治"
admin.site.index_title = "街道后台"


class ScopedAdmin(admin.ModelAdmin):
    """Rows limited to the user's scope; changes need the manage power over the row's node."""

    scope_power = access.VIEW_TREE
    manage_power = access.MANAGE_ROSTER
    node_field = "node"  # the FK to geo.Node that places the row in the tree ("" for Node)
    form_node_field = ""  # the form field that places it, when not node_field (Node: "parent")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        prefix = self.node_field
        return super().get_queryset(request).filter(access.nodes_q(request.user, self.scope_power, prefix))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(
            request.user.is_active
            and request.user.is_staff
            and access.has_power(request.user, self.scope_power)
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def _node_of(self, obj: Any) -> Node:
        return obj if not self.node_field else getattr(obj, self.node_field)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not self.has_module_permission(request):
            return False
        if obj is None:
            return access.has_power(request.user, self.manage_power)
        return access.can(request.user, self.manage_power, self._node_of(obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request) and access.has_power(request.user, self.manage_power)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # records are retired (active period, 有效), never deleted

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The node a row is put at must be one the user manages too (not only the one it had)."""
        base = super().get_form(request, obj, change=change, **kwargs)
        field, power, user = self.form_node_field or self.node_field, self.manage_power, request.user
        if not field or field not in base.base_fields:
            return base
        message = _("您无权修改该辖区的结构") if power == access.MANAGE_TREE else _("您无权修改该辖区的名册")

        class ScopedForm(base):  # type: ignore[misc,valid-type]
            def clean(self) -> dict[str, Any]:
                data = super().clean() or {}
                node = data.get(field)
                if node is not None and not access.can(user, power, node):
                    raise ValidationError({field: [message]})
                to_root = node is None and (self.instance.pk is None or field in self.changed_data)
                if field == "parent" and to_root and not user.is_superuser:
                    raise ValidationError({field: [message]})  # a new root (a street) is the superuser's
                return data

        return ScopedForm


class NodeForm(forms.ModelForm):
    class Meta:
        model = Node
        fields = ["code", "name", "level", "parent", "address", "geometry"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        level, parent = data.get("level") or self.instance.level, data.get("parent")
        if level:
            geo_services.validate_parent(level=level, parent=parent)
        if self.instance.pk and parent and parent.path.startswith(self.instance.path):
            raise ValidationError({"parent": [_("不能把节点移到它自己或它的下级之下")]})
        return data


@admin.register(Node)
class NodeAdmin(ScopedAdmin):
    form = NodeForm
    node_field = ""
    form_node_field = "parent"
    manage_power = access.MANAGE_TREE
    list_display = ["code", "name", "level", "parent", "address"]
    list_filter = ["level"]
    search_fields = ["code", "name", "address"]
    raw_id_fields = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code", "level"] if obj else []

    def save_model(self, request: HttpRequest, obj: Node, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            saved = geo_services.node_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                level=data["level"],
                parent=data["parent"],
                address=data.get("address", ""),
                geometry=data.get("geometry"),
            )
            obj.pk = saved.pk
            return
        current = Node.objects.get(pk=obj.pk)
        geo_services.node_update(
            actor=request.user,
            node=current,
            name=data["name"],
            address=data.get("address", ""),
            geometry=data.get("geometry"),
        )
        if data.get("parent") and data["parent"].pk != current.parent_id:
            geo_services.node_move(actor=request.user, node=current, new_parent=data["parent"])


@admin.register(NodeChange)
class NodeChangeAdmin(ScopedAdmin):
    list_display = ["at", "node", "kind", "actor", "note"]
    list_filter = ["kind"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history is append-only

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class PersonForm(forms.ModelForm):
    """Clear phone/ID inputs that are sealed on save; blank keeps the stored value."""

    phone = forms.CharField(label=_("手机号"), required=False, help_text=_("留空则不修改"))
    id_number = forms.CharField(label=_("身份证号"), required=False, help_text=_("留空则不修改"))

    class Meta:
        model = Person
        fields = ["code", "name", "gender", "birth_date", "home", "lives_alone", "user"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        sealed: dict[str, str] = {}
        errors: dict[str, list[str]] = {}
        for field, sealer in (("phone", services.sealed_phone), ("id_number", services.sealed_id_number)):
            if data.get(field):
                try:
                    sealed.update(sealer(data[field]))
                except ValidationError as exc:
                    errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        self.sealed = sealed
        return data


@admin.register(Person)
class PersonAdmin(ScopedAdmin):
    form = PersonForm
    scope_power = access.VIEW_PEOPLE
    node_field = "home"
    list_display = ["code", "name", "gender", "birth_date", "phone_masked", "id_masked", "home"]
    search_fields = ["code", "name"]
    readonly_fields = ["phone_masked", "id_masked"]
    raw_id_fields = ["home", "user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return Person.objects.filter(access.people_q(request.user)).select_related("home")

    def _node_of(self, obj: Any) -> Node:
        return obj.home

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.home_id is None:
            return bool(request.user.is_superuser)
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        for field, value in form.sealed.items():
            setattr(obj, field, value)
        obj.save()


class RosterAdmin(ScopedAdmin):
    """Units and posts decide who gets cases: saved through orgs.services, which check the power
    over the old and the new node and append a RosterChange."""

    scope_power = access.VIEW_ROSTER

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj else []  # the code names the row in the services and the history

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service saved the duties (categories) with the post."""


@admin.register(Unit)
class UnitAdmin(RosterAdmin):
    list_display = ["code", "name", "kind", "node", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["node"]

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.unit_upsert(
            actor=request.user,
            code=obj.code,
            name=data["name"],
            kind=data["kind"],
            node=data["node"],
            office_phone=data.get("office_phone", ""),
            address=data.get("address", ""),
            active=data.get("active", True),
        )
        obj.pk = saved.pk


@admin.register(Post)
class PostAdmin(RosterAdmin):
    list_display = [
        "code",
        "node",
        "title",
        "unit",
        "person",
        "deputy",
        "role",
        "meeting_role",
        "active_until",
    ]
    list_filter = ["role", "meeting_role"]
    search_fields = ["code", "title", "title_en", "person__name"]
    raw_id_fields = ["node", "unit", "person", "deputy"]
    filter_horizontal = ["categories"]

    def save_model(self, request: HttpRequest, obj: Post, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.post_upsert(
            actor=request.user,
            code=obj.code,
            unit=data["unit"],
            node=data["node"],
            title=data["title"],
            duty=data.get("duty", ""),
            title_en=data.get("title_en", ""),
            duty_en=data.get("duty_en", ""),
            person=data["person"],
            deputy=data.get("deputy"),
            role=data["role"],
            meeting_role=data.get("meeting_role", ""),
            active_from=data["active_from"],
            active_until=data.get("active_until"),
            categories=list(data.get("categories", [])),
        )
        obj.pk = saved.pk


@admin.register(RosterChange)
class RosterChangeAdmin(ScopedAdmin):
    """Who changed which unit or post, and how: read-only, like the tree's history."""

    scope_power = access.VIEW_ROSTER
    list_display = ["at", "subject", "code", "kind", "node", "actor", "note"]
    list_filter = ["subject", "kind"]
    search_fields = ["code"]
    readonly_fields = ["subject", "code", "node", "kind", "before", "after", "actor", "at", "note"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # history is append-only

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PartyOrg)
class PartyOrgAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "node", "parent"]
    list_filter = ["kind"]
    raw_id_fields = ["node", "parent"]


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedAdmin):
    scope_power = access.VIEW_PEOPLE
    node_field = "org__node"
    list_display = ["person", "org", "member_type", "joined_on"]
    list_filter = ["member_type"]
    raw_id_fields = ["person", "org"]

    def _node_of(self, obj: Any) -> Node:
        return obj.org.node


@admin.register(DualRegistration)
class DualRegistrationAdmin(ScopedAdmin):
    list_display = ["__str__", "registered_on", "ended_on"]
    raw_id_fields = ["unit", "member", "node"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "parent", "active"]
    list_filter = ["active", "parent"]
    search_fields = ["code", "name", "name_en"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return access.has_power(request.user, access.MANAGE_TREE)

    has_add_permission = has_change_permission  # type: ignore[assignment]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PiiAccessLog)
class PiiAccessLogAdmin(admin.ModelAdmin):
    """The street auditor's view of who revealed whose personal data, and why."""

    list_display = ["at", "actor", "subject_label", "field", "purpose"]
    list_filter = ["field"]
    search_fields = ["subject_label", "actor__username", "purpose"]
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_staff and access.has_power(request.user, access.AUDIT))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
