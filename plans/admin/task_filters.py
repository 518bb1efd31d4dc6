"""The task list's sidebar filters (unit, level, section, light, overdue, period). Each offers
its choices once a plan is chosen, so a page never scans every plan's rows, and only rows of
the plans the user sees: a plan, unit, section or period named in the address that the user
does not see lends the sidebar nothing."""
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.admin.common import DerivedYesNoFilter
from plans.admin.scoping import sidebar_units
from plans.models import Assignment, Plan, ReportingPeriod, Section, Task, Unit
from plans.progress import Light
from plans.selectors.tasks import (
    overdue_tasks,
    tasks_at_level,
    tasks_in_period,
    tasks_of_unit,
    tasks_under_section,
    tasks_with_light,
)


def chosen_plan_id(request) -> str | None:
    plan_id = request.GET.get("plan__id__exact", "")
    return plan_id if plan_id.isdigit() else None


def visible_plans(request):
    """The ids of the plans the user sees, as a subquery."""
    return Plan.objects.visible_to(request.user).values("pk")


class UnitFilter(admin.SimpleListFilter):
    """Tasks where a unit holds any role. Offered once a plan is chosen (its units): a province
    has hundreds of units, and listing them all would cost every page a scan of every
    assignment."""

    title = _("单位")
    parameter_name = "assignments__unit__id__exact"

    def lookups(self, request, model_admin):
        plan_id, unit_id = chosen_plan_id(request), self.value() or ""
        if plan_id:
            assigned = Assignment.objects.filter(task__plan_id=plan_id, task__plan_id__in=visible_plans(request))
            units = Unit.objects.filter(pk__in=assigned.values("unit_id"))
        elif unit_id.isdigit():
            units = sidebar_units(request.user)
            units = (Unit.objects.all() if units is None else units).filter(pk=unit_id)
        else:
            return []
        return [(unit.pk, str(unit)) for unit in units]

    def queryset(self, request, queryset):
        if self.value():
            return tasks_of_unit(queryset, self.value())
        return queryset


class LevelFilter(admin.SimpleListFilter):
    """The node's depth; the levels of the chosen plan, else 1 to 4 (no scan of every task)."""

    title = _("层级")
    parameter_name = "level__exact"

    def lookups(self, request, model_admin):
        plan_id = chosen_plan_id(request)
        levels = (
            Task.objects.filter(plan_id=plan_id, plan_id__in=visible_plans(request))
            .order_by("level").values_list("level", flat=True).distinct()
            if plan_id else range(1, 5)
        )
        return [(level, str(level)) for level in levels]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return tasks_at_level(queryset, self.value())
        return queryset


class SectionFilter(admin.SimpleListFilter):
    """Tasks anywhere below a section. Offered once a plan is chosen (or a section is)."""

    title = _("所属章节")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        plan_id, section_id = request.GET.get("plan__id__exact", ""), self.value() or ""
        sections = Section.objects.sections().filter(plan_id__in=visible_plans(request))
        if plan_id.isdigit():
            sections = sections.filter(plan_id=plan_id)
        elif section_id.isdigit():
            sections = sections.filter(plan__nodes=section_id)
        else:
            return []
        return [(section.pk, str(section)) for section in sections]

    def queryset(self, request, queryset):
        if self.value():
            return tasks_under_section(queryset, self.value())
        return queryset


class LightFilter(admin.SimpleListFilter):
    """红黄绿灯, derived from deadlines, status and the latest approved percent (never stored)."""

    title = _("红黄绿灯")
    parameter_name = "light"

    def lookups(self, request, model_admin):
        return Light.choices

    def queryset(self, request, queryset):
        if self.value() not in Light.values:
            return queryset
        return tasks_with_light(queryset, self.value(), timezone.localdate())


class OverdueFilter(DerivedYesNoFilter):
    """是/否 through the same selector as the API's ?overdue= (not DerivedYesNoFilter.matching)."""

    title = _("超期未完成")
    parameter_name = "overdue"

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        return overdue_tasks(queryset, self.value() == "yes", timezone.localdate())


class PeriodFilter(admin.SimpleListFilter):
    """Tasks with a report in the chosen reporting period. Offered once a plan is chosen."""

    title = _("报送周期")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        """Offered once a plan is chosen (its periods), not years of every plan's periods."""
        periods = ReportingPeriod.objects.visible_to(request.user)
        plan_id, period_id = chosen_plan_id(request), self.value() or ""
        if plan_id:
            periods = periods.filter(plan_id=plan_id)
        elif period_id.isdigit():
            periods = periods.filter(pk=period_id)
        else:
            return []
        return [(period.pk, f"{period.plan.title[:12]} {period.label}") for period in periods.select_related("plan")]

    def queryset(self, request, queryset):
        if self.value():
            return tasks_in_period(queryset, self.value())
        return queryset

