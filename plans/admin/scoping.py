"""What every plan-bound ModelAdmin shares: a user sees only what `visible_to` allows, an
object outside it is a 404 (never a redirect that hints it exists) on every page including
simple-history's, forms and sidebar filters offer only rows the user may use or see, and
only office staff of the object's plan (or a superuser) add, change or delete plan structure.
tests/test_url_matrix.py holds every URL to this."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from plans.models import Assignment, Plan, ReportingPeriod, Target, Task, Unit, office_plan_ids
from plans.permissions import is_office, is_office_anywhere


def plan_id_of(obj, plan_path: str) -> int | None:
    """Follow `plan_path` ("plan", "task__plan", "" for a Plan) from obj to its plan's id."""
    if not plan_path:
        return obj.pk
    *hops, last = plan_path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return getattr(obj, f"{last}_id")


def usable_rows(model, user):
    """The rows of `model` a user may link a plan's rows to: plans they are office staff of,
    and the tasks, sections, periods and targets of those plans. None for models every
    account may name (units: shared reference data)."""
    if issubclass(model, (Plan, Task, ReportingPeriod, Target)):  # Task covers its Section proxy
        rows = model._default_manager.all()
        if user.is_superuser:
            return rows
        managed = office_plan_ids(user)
        return rows.filter(pk__in=managed) if model is Plan else rows.filter(plan_id__in=managed)
    return None


class UsableChoices:
    """Mixin for a ModelAdmin or inline: every foreign key offers, and on POST accepts, only
    rows the user may use (usable_rows), whatever the widget (select or autocomplete) sent.
    A queryset a subclass chose itself is kept."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            rows = usable_rows(db_field.related_model, request.user)
            if rows is not None:
                kwargs["queryset"] = rows
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class VisibleOr404(UsableChoices):
    """Mixin for a ModelAdmin: an object outside get_queryset() is a 404 on its change, delete
    and history pages (never a redirect that hints it exists); its forms offer only usable
    rows (UsableChoices) and its sidebar only visible ones (VisibleChoicesFilter)."""

    def get_list_filter(self, request):
        return visible_choices(self.model, super().get_list_filter(request))

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

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """django-simple-history's page of one past version: for objects the user may see, and
        to read only. Its form would save through save_model, around the services' rules
        (and SIMPLE_HISTORY_REVERT_DISABLED only hides the button)."""
        self._visible_or_404(request, object_id)
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def units_of_plans(plans):
    """The units of `plans` (a Plan queryset or subquery of ids): those holding a role in one of
    their tasks, the members of such a collective (they report for it), the plans'
    coordinators and their indicators' owners. Read from the small tables only (assignments,
    collectives, plans, targets), never from the reports."""
    assigned = Assignment.objects.filter(task__plan_id__in=plans).values("unit_id")
    members = Unit.members.through.objects.filter(from_unit_id__in=assigned).values("to_unit_id")
    return Unit.objects.filter(
        Q(pk__in=assigned) | Q(pk__in=members)
        | Q(pk__in=Plan.objects.filter(pk__in=plans).values("coordinator_id"))
        | Q(pk__in=Target.objects.filter(plan_id__in=plans).values("owner_id"))
    )


def sidebar_units(user):
    """The units a sidebar offers a user: those of the plans the user sees (units_of_plans);
    None for a superuser (every unit)."""
    if user.is_superuser:
        return None
    return units_of_plans(Plan.objects.visible_to(user).values("pk"))


class VisibleChoicesFilter(admin.RelatedFieldListFilter):
    """A related field's sidebar filter offering only rows the user may see: the related
    model's own `visible_to` where it has one (plans, periods …), the units of the plans the
    user sees (sidebar_units), else the values the user's list holds. A superuser's offers
    every row."""

    def field_choices(self, field, request, model_admin):
        if request.user.is_superuser:
            return super().field_choices(field, request, model_admin)
        related = field.related_model._default_manager.all()
        if issubclass(field.related_model, Unit):
            allowed = sidebar_units(request.user).values("pk")
        elif hasattr(related, "visible_to"):
            allowed = related.visible_to(request.user).values("pk")
        else:
            allowed = model_admin.get_queryset(request).order_by().values(f"{self.field_path}__pk")
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"pk__in": allowed})


def visible_choices(model, list_filter) -> list:
    """`list_filter` with each plain related-field entry offering only visible choices."""
    entries = []
    for entry in list_filter:
        if isinstance(entry, str) and get_fields_from_path(model, entry)[-1].is_relation:
            entry = (entry, VisibleChoicesFilter)
        entries.append(entry)
    return entries


class PlanScopedAdmin(VisibleOr404):
    """Mixin for a ModelAdmin whose rows belong to a plan through `plan_path`."""

    plan_path = "plan"
    task_path = ""  # rows of one task ("task"): seen by whoever sees the task, not its whole plan

    def visible(self, queryset, user):
        if user.is_superuser:
            return queryset
        if self.task_path:
            return queryset.filter(**{f"{self.task_path}__in": Task.objects.visible_to(user).values("pk")})
        plans = Plan.objects.visible_to(user).values("pk")
        return queryset.filter(**{f"{self.plan_path}__in" if self.plan_path else "pk__in": plans})

    def get_queryset(self, request):
        return self.visible(super().get_queryset(request), request.user)

    def may_manage(self, request, obj) -> bool:
        return (
            is_office_anywhere(request.user) if obj is None
            else is_office(request.user, plan_id_of(obj, self.plan_path))
        )

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and is_office_anywhere(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_manage(request, obj)



class PlanScopedInline(UsableChoices):
    """Mixin for inlines under a plan-bound parent: only its plan's office staff edit them."""

    parent_plan_path = "plan"

    def _manages(self, request, obj) -> bool:
        return (
            is_office_anywhere(request.user) if obj is None
            else is_office(request.user, plan_id_of(obj, self.parent_plan_path))
        )

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._manages(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._manages(request, obj)
