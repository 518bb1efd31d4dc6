"""The query filters of each list endpoint. Malformed values (a non-numeric id, an unknown
status, a bad date) are a 400, never a 500."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter

from plans.indicators import IndicatorStatus
from plans.models import (
    Closure,
    IndicatorValue,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    SheetImport,
    SheetImportState,
    Target,
    Task,
    TaskStatus,
    Unit,
    UnitKind,
)
from plans.progress import Light
from plans.selectors.indicators import indicators_with_status
from plans.selectors.tasks import (
    overdue_tasks,
    tasks_due_by,
    tasks_due_from,
    tasks_in_period,
    tasks_matching,
    tasks_of_unit,
    tasks_with_light,
    tasks_with_role,
)

MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class StrictBooleanField(forms.Field):
    """true or false (also 1 or 0, any case). django-filter's own BooleanFilter reads any other
    value as "not given", so `late=maybe` listed every report: here it is an error."""

    widget = forms.TextInput
    default_error_messages = {"invalid": _("请填写 true 或 false (true or false)")}
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)  # not BooleanWidget, which maps junk to None
        super().__init__(*args, **kwargs)


class IdFilter(IntegerFilter):
    """A primary key: a positive integer (not a decimal, not out of range)."""

    field_class = IdField


class StableOrderingFilter(OrderingFilter):
    """`?ordering=due_date,-position,title`, with the id as the last tie-breaker so that
    pages never overlap."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering = [*ordering, "pk"]
        return ordering


class UnitFilter(filters.FilterSet):
    jurisdiction = filters.CharFilter(help_text="所属行政区，如“鹤壁市”。")
    kind = filters.ChoiceFilter(choices=UnitKind.choices)

    class Meta:
        model = Unit
        fields = ["jurisdiction", "kind"]


class PlanFilter(filters.FilterSet):
    plan_year = IntegerFilter(min_value=1, max_value=9999)
    jurisdiction = filters.CharFilter()

    class Meta:
        model = Plan
        fields = ["plan_year", "jurisdiction"]


class PeriodFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id")
    is_open = BooleanFilter()

    class Meta:
        model = ReportingPeriod
        fields = ["plan", "is_open"]


class TaskFilter(filters.FilterSet):
    """Expects the queryset of selectors.tasks.tasks_for_api (annotated by TaskQuerySet.with_schedule)."""

    plan = IdFilter(field_name="plan_id")
    unit = IdFilter(method="filter_unit", help_text="担任任一职责的单位；与 role 同用则限定该职责。")
    role = filters.ChoiceFilter(choices=Role.choices, method="filter_role", help_text="职责（与 unit 同用）。")
    status = filters.ChoiceFilter(choices=TaskStatus.choices)
    closure = filters.ChoiceFilter(choices=Closure.choices, help_text="办结状态：办理中、办结申请中、已办结、已销号。")
    overdue = BooleanFilter(method="filter_overdue", help_text="超期未完成。")
    due_before = filters.DateFilter(method="filter_due_before", help_text="首个完成时限不晚于该日。")
    due_after = filters.DateFilter(method="filter_due_after", help_text="首个完成时限不早于该日。")
    period = IdFilter(method="filter_period", help_text="在该报送周期有报告的任务。")
    search = filters.CharFilter(method="filter_search", max_length=200, help_text="标题、内容或单位名称包含该文字。")
    light = filters.ChoiceFilter(choices=Light.choices, method="filter_light", help_text="红黄绿灯（推算）。")

    class Meta:
        model = Task
        fields = [
            "plan", "unit", "role", "status", "closure", "overdue", "due_before", "due_after", "period", "search",
            "light",
        ]

    def filter_unit(self, queryset, name, value):
        return tasks_of_unit(queryset, value, role=self.form.cleaned_data.get("role"))

    def filter_role(self, queryset, name, value):
        if self.form.cleaned_data.get("unit"):
            return queryset  # applied together with the unit
        return tasks_with_role(queryset, value)

    def filter_overdue(self, queryset, name, value):
        return overdue_tasks(queryset, value, timezone.localdate())

    def filter_due_before(self, queryset, name, value):
        return tasks_due_by(queryset, value)

    def filter_due_after(self, queryset, name, value):
        return tasks_due_from(queryset, value)

    def filter_period(self, queryset, name, value):
        return tasks_in_period(queryset, value)

    def filter_search(self, queryset, name, value):
        return tasks_matching(queryset, value)

    def filter_light(self, queryset, name, value):
        """The light is derived in Python, as in the admin's LightFilter (the same selector)."""
        return tasks_with_light(queryset, value, timezone.localdate())


class ReportFilter(filters.FilterSet):
    """Expects the queryset of selectors.reports.reports_for_api (annotated by with_late)."""

    plan = IdFilter(field_name="period__plan_id")  # the plan's periods, read off the (period, task, unit) index
    period = IdFilter(field_name="period_id")
    unit = IdFilter(field_name="unit_id")
    task = IdFilter(field_name="task_id")
    state = filters.ChoiceFilter(choices=ReportState.choices)
    late = BooleanFilter(field_name="is_late", help_text="逾期未报（推算）。")

    class Meta:
        model = ProgressReport
        fields = ["plan", "period", "unit", "task", "state", "late"]


class SheetImportFilter(filters.FilterSet):
    plan = IdFilter(field_name="period__plan_id")
    period = IdFilter(field_name="period_id")
    state = filters.ChoiceFilter(choices=SheetImportState.choices)

    class Meta:
        model = SheetImport
        fields = ("plan", "period", "state")


class IndicatorFilter(filters.FilterSet):
    """Expects the queryset of selectors.indicators.indicators_for_api (plan and owner selected)."""

    plan = IdFilter(field_name="plan_id")
    task = IdFilter(field_name="task_id")
    owner = IdFilter(field_name="owner_id", help_text="责任单位 id。")
    active = BooleanFilter(field_name="is_active", help_text="有效（修订稿删去的指标为无效）。")
    plan_level = BooleanFilter(
        field_name="task", lookup_expr="isnull", help_text="true：只要方案总体目标；false：只要任务的指标。",
    )
    status = filters.ChoiceFilter(
        choices=IndicatorStatus.choices, method="filter_status",
        help_text="最近一期读数的状态（推算，见 latest.status）。",
    )

    class Meta:
        model = Target
        fields = ["plan", "task", "owner", "active", "plan_level", "status"]

    def filter_status(self, queryset, name, value):
        return indicators_with_status(queryset, value, timezone.localdate())


class IndicatorValueFilter(filters.FilterSet):
    target = IdFilter(field_name="target_id", help_text="指标 id。")
    plan = IdFilter(field_name="target__plan_id")
    period = IdFilter(field_name="period_id")
    owner = IdFilter(field_name="target__owner_id", help_text="指标的责任单位 id。")

    class Meta:
        model = IndicatorValue
        fields = ["target", "plan", "period", "owner"]
