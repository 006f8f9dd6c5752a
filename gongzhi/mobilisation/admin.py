"""The back office of mobilisation: the entrances (standing data: each gate's opening hours),
edited by whoever may mobilise over their node. Incidents, rotas and assignments are run from
their pages (the services keep their rules) and only shown here."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gongzhi.core.actors import Actor
from gongzhi.mobilisation.models import Entrance, Incident
from gongzhi.orgs import access


def mobilises(user: Actor) -> bool:
    return bool(
        isinstance(user, User)
        and user.is_active
        and user.is_staff
        and access.has_power(user, access.MOBILISE)
    )


@admin.register(Entrance)
class EntranceAdmin(admin.ModelAdmin):
    list_display = ("name", "node", "opens", "closes", "active")
    list_filter = ("active",)
    search_fields = ("name", "node__name")
    raw_id_fields = ("node",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entrance]:
        return super().get_queryset(request).filter(access.nodes_q(request.user, access.MOBILISE, "node"))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The gate's place must be one the user may mobilise over (a block cadre of one block
        cannot add a gate in another's)."""
        base = super().get_form(request, obj, change, **kwargs)
        user = request.user

        class ScopedForm(base):  # type: ignore[misc,valid-type]
            def clean_node(self) -> Any:
                node = self.cleaned_data.get("node")
                if node is not None and not access.can(user, access.MOBILISE, node):
                    raise ValidationError(_("出入口须设在您可启动应急动员的范围内"))
                return node

        return ScopedForm

    def has_module_permission(self, request: HttpRequest) -> bool:
        return mobilises(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return mobilises(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return mobilises(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return mobilises(request.user) and (
            obj is None or access.can(request.user, access.MOBILISE, obj.node)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an entrance may be on a past incident's posts: deactivate it


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "state", "declared_at", "closed_at")
    list_filter = ("kind", "state")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Incident]:
        qs = super().get_queryset(request)
        return qs.filter(pk__in=qs.filter(access.incidents_q(request.user)).values("pk"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return mobilises(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return mobilises(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# the 直报 duty roster and reports register themselves
from gongzhi.mobilisation import direct_admin  # noqa: E402, F401
