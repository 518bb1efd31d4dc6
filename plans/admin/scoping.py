"""What every plan-bound ModelAdmin shares: a user sees only what `visible_to` allows, an
object outside it is a 404 (never a redirect that hints it exists), and only office staff of
the object's plan (or a superuser) add, change or delete plan structure."""
from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.http import Http404

from plans.models import Plan
from plans.permissions import is_office, is_office_anywhere


def plan_id_of(obj, plan_path: str) -> int | None:
    """Follow `plan_path` ("plan", "task__plan", "" for a Plan) from obj to its plan's id."""
    if not plan_path:
        return obj.pk
    *hops, last = plan_path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id")


class VisibleOr404:
    """Mixin for a ModelAdmin: an object outside get_queryset() is a 404 on its change, delete
    and history pages (never a redirect that hints it exists)."""

    def _visible_or_404(self, request, object_id):
        if object_id and not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._visible_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)


class PlanScopedAdmin(VisibleOr404):
    """Mixin for a ModelAdmin whose rows belong to a plan through `plan_path`."""

    plan_path = "plan"

    def visible(self, queryset, user):
        if user.is_superuser:
            return queryset
        plans = Plan.objects.visible_to(user).values("pk")
        return queryset.filter(**{f"{self.plan_path}__in" if self.plan_path else "pk__in": plans})

    def get_queryset(self, request):
        return self.visible(super().get_queryset(request), request.user)

    def may_manage(self, request, obj) -> bool:
        return is_office_anywhere(request.user) if obj is None else is_office(request.user, plan_id_of(obj, self.plan_path))

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and is_office_anywhere(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_manage(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """A plan chosen in a form is one the user manages."""
        if db_field.related_model is Plan and not request.user.is_superuser:
            kwargs["queryset"] = Plan.objects.filter(office_staff=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)



class PlanScopedInline:
    """Mixin for inlines under a plan-bound parent: only its plan's office staff edit them."""

    parent_plan_path = "plan"

    def _manages(self, request, obj) -> bool:
        return is_office_anywhere(request.user) if obj is None else is_office(request.user, plan_id_of(obj, self.parent_plan_path))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._manages(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._manages(request, obj)
