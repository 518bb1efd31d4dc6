"""The task tree: sections, tasks, and what hangs off a task (assignments, deadlines, targets,
its reports shown read-only). Changelists run a constant number of queries (tests/admin/test_admin.py)."""
from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from plans import services
from plans.admin.common import ReadOnlyInline, changelist_url, unit_names
from plans.admin.plans import TargetWrites
from plans.admin.scoping import PlanScopedAdmin, PlanScopedInline, UsableChoices
from plans.admin.task_actions import TaskWorkflowActions
from plans.admin.writes import ServiceInline, ServiceModelAdmin
from plans.admin.task_filters import (
    LevelFilter,
    LightFilter,
    OverdueFilter,
    PeriodFilter,
    SectionFilter,
    UnitFilter,
)
from plans.models import Assignment, Closure, Deadline, NodeKind, ProgressReport, Role, Section, Target, Task
from plans.progress import Light
from plans.selectors.tasks import descendant_of


class AssignmentWrites:
    """A unit's role on a task, from the task's page or the assignment's own."""

    def write(self, request, assignment, values, expected_version):
        if assignment.pk is None:
            task = values.pop("task", None) or assignment.task
            return services.assignment_create(user=request.user, task=task, **values)
        return services.assignment_update(
            user=request.user, assignment=assignment, expected_version=expected_version, **values,
        )

    def remove(self, request, assignment, expected_version):
        services.assignment_delete(user=request.user, assignment=assignment, expected_version=expected_version)


class DeadlineWrites:
    def write(self, request, deadline, values, expected_version):
        if deadline.pk is None:
            task = values.pop("task", None) or deadline.task
            return services.deadline_create(user=request.user, task=task, **values)
        return services.deadline_update(
            user=request.user, deadline=deadline, expected_version=expected_version, **values,
        )

    def remove(self, request, deadline, expected_version):
        services.deadline_delete(user=request.user, deadline=deadline, expected_version=expected_version)


class AssignmentInline(AssignmentWrites, ServiceInline, PlanScopedInline, admin.TabularInline):
    model = Assignment
    extra = 0
    ordering = ["role", "position"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["is_lead"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")


class DeadlineInline(DeadlineWrites, ServiceInline, PlanScopedInline, admin.TabularInline):
    model = Deadline
    extra = 0
    ordering = ["position"]
    readonly_fields = ["original_date", "extensions"]  # moved only by an approved 延期申请


class TaskTargetInline(TargetWrites, ServiceInline, PlanScopedInline, admin.TabularInline):
    """A task's own targets; their order among the plan's targets is kept in the target admin.
    One added here joins the task's plan after its last target (services.task_target_create)."""

    model = Target
    fk_name = "task"
    fields = ["indicator", "comparator", "value", "unit", "year", "text"]
    extra = 0
    ordering = ["position"]

    def write(self, request, target, values, expected_version):
        if target.pk is None:
            return services.task_target_create(user=request.user, task=target.task, **values)
        return super().write(request, target, values, expected_version)


class ProgressReportInline(ReadOnlyInline, UsableChoices, admin.TabularInline):
    """Reports are written on their own page, through the reporting services."""

    model = ProgressReport
    fields = ["period", "unit", "status", "percent", "state", "submitted_at"]
    ordering = ["period__start", "unit__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("period__plan", "unit")


class NodeAdmin(ServiceModelAdmin, PlanScopedAdmin, admin.ModelAdmin):
    """What sections and tasks share: the node's place in its plan's tree. Only TaskAdmin adds
    simple_history's views: they fail on the Section proxy (its Meta lacks the history manager)."""

    kind = None  # a NodeKind, set by subclasses

    # what an office types; path, level and position follow from the parent, the label and the
    # plan's order (services.node_create/node_update), source_line is the importer's
    node_fields = ["plan", "parent", "label", "title", "text"]
    source_fieldset = (_("来源"), {"fields": ["source_line", "created_at", "updated_at"]})

    def visible(self, queryset, user):
        return queryset.visible_to(user)

    def get_readonly_fields(self, request, obj=None):
        return ["completed_at", "source_line", "created_at", "updated_at"]  # completed_at follows the status

    def get_fieldsets(self, request, obj=None):
        """A new node has no source yet: its add page leaves that fieldset out."""
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj else [fieldset for fieldset in fieldsets if fieldset is not self.source_fieldset]

    def write(self, request, node, values, expected_version):
        if node.pk is None:
            return services.node_create(user=request.user, plan=values.pop("plan"), kind=self.kind, **values)
        return services.node_update(user=request.user, node=node, expected_version=expected_version, **values)

    def remove(self, request, node, expected_version):
        services.node_delete(user=request.user, node=node, expected_version=expected_version)


@admin.register(Section)
class SectionAdmin(NodeAdmin):
    kind = NodeKind.SECTION
    list_display = ["path", "short_title", "plan", "level", "task_count"]
    list_display_links = ["path", "short_title"]
    list_filter = ["plan", "level"]
    list_select_related = ["plan"]
    search_fields = ["title", "path"]
    autocomplete_fields = ["plan", "parent"]
    fieldsets = [
        (None, {"fields": NodeAdmin.node_fields}),
        NodeAdmin.source_fieldset,
    ]

    def get_queryset(self, request):
        tasks_below = (
            Task.objects.tasks()
            .filter(descendant_of(OuterRef("pk")))
            .order_by()
            .values("plan")
            .annotate(total=Count("pk"))
            .values("total")
        )
        return (
            super().get_queryset(request)
            .sections()
            .annotate(task_total=Coalesce(Subquery(tasks_below, output_field=IntegerField()), Value(0)))
        )

    @admin.display(description=_("标题"), ordering="title")
    def short_title(self, section):
        return Truncator(section.title).chars(40)

    @admin.display(description=_("下属任务"), ordering="task_total")
    def task_count(self, section):
        url = changelist_url(Task, plan__id__exact=section.plan_id, section=section.pk)
        return format_html('<a href="{}">{}</a>', url, section.task_total)


@admin.register(Task)
class TaskAdmin(TaskWorkflowActions, NodeAdmin, SimpleHistoryAdmin):
    kind = NodeKind.TASK
    # plan by plan in document order, read straight off the (plan, position) index: a page of
    # tasks costs one page however many plans there are (Meta's "plan" would sort by the
    # plan's year and title first, over every task)
    ordering = ["plan_id", "position"]
    list_display = [
        "path",
        "short_title",
        "plan",
        "lead_unit",
        "responsible_units",
        "supporting_units",
        "implementing_units",
        "first_due",
        "status",
        "light",
    ]
    list_display_links = ["path", "short_title"]
    list_filter = [
        "plan", SectionFilter, UnitFilter, "assignments__role",
        "status", LightFilter, PeriodFilter, OverdueFilter, LevelFilter, "is_active",
    ]
    list_select_related = ["plan", "parent"]
    show_full_result_count = False  # one count of the filtered tasks, not a second of all of them
    search_fields = ["title", "text", "assignments__unit__name", "assignments__unit__short_name"]
    autocomplete_fields = ["plan", "parent"]
    fieldsets = [
        (None, {"fields": NodeAdmin.node_fields}),
        (_("进展"), {"fields": ["status", "completed_at", "closure", "closed_at", "is_active"]}),
        NodeAdmin.source_fieldset,
    ]
    inlines = [AssignmentInline, DeadlineInline, TaskTargetInline, ProgressReportInline]


    def has_change_permission(self, request, obj=None):
        """A task 已销号 is shown read only (plans.permissions.can_change_node); its page keeps
        the 重新打开 button for the office."""
        if obj is not None and obj.closure == Closure.CLOSED:
            return False
        return super().has_change_permission(request, obj)
    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "closure", "closed_at"]  # moved by the cycle's services

    def lookup_allowed(self, lookup, value, request=None):
        """UnitFilter keeps the parameter of the related-field filter it replaced (links to it exist)."""
        return lookup == UnitFilter.parameter_name or super().lookup_allowed(lookup, value, request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.path == reverse("admin:autocomplete") and request.GET.get("field_name") == "parent":
            return queryset  # a task's parent is a section or another task
        return queryset.tasks().for_admin_list().with_schedule()

    @staticmethod
    def _assigned(task, role):
        return [assignment for assignment in task.assignments.all() if assignment.role == role]

    @admin.display(description=_("标题"), ordering="title")
    def short_title(self, task):
        return Truncator(task.title).chars(40)

    @admin.display(description=_("牵头单位"))
    def lead_unit(self, task):
        return unit_names(assignment for assignment in task.assignments.all() if assignment.is_lead)

    @admin.display(description=_("责任单位"))
    def responsible_units(self, task):
        return unit_names(self._assigned(task, Role.RESPONSIBLE))

    @admin.display(description=_("配合单位"))
    def supporting_units(self, task):
        return unit_names(self._assigned(task, Role.SUPPORTING))

    @admin.display(description=_("负责落实"))
    def implementing_units(self, task):
        return unit_names(self._assigned(task, Role.IMPLEMENTING))

    @admin.display(description=_("首个完成时限"), ordering="due_date", empty_value="-")
    def first_due(self, task):
        return task.due_date

    @admin.display(description=_("红黄绿灯"))
    def light(self, task):
        value = task.light(timezone.localdate())
        return format_html(
            '<span class="light light-{}" title="{}">●</span> {}', value, Light(value).label, Light(value).label,
        )


# --- what hangs off a task ----------------------------------------------------------------
@admin.register(Assignment)
class AssignmentAdmin(AssignmentWrites, ServiceModelAdmin, PlanScopedAdmin, SimpleHistoryAdmin):
    plan_path = "task__plan"
    task_path = "task"
    list_display = ["task", "unit", "role", "position", "is_lead"]
    list_filter = ["role", "is_lead", "task__plan"]
    list_select_related = ["task", "unit"]
    search_fields = ["task__title", "task__path", "unit__name", "unit__short_name"]
    autocomplete_fields = ["task", "unit"]
    readonly_fields = ["is_lead"]
    fields = ["task", "unit", "role", "position", "is_lead"]


@admin.register(Deadline)
class DeadlineAdmin(DeadlineWrites, ServiceModelAdmin, PlanScopedAdmin, SimpleHistoryAdmin):
    plan_path = "task__plan"
    task_path = "task"
    list_display = ["task", "kind", "date", "text", "rule"]
    list_filter = ["kind", "task__plan"]
    list_select_related = ["task"]
    search_fields = ["text", "task__title", "task__path"]
    autocomplete_fields = ["task"]
    date_hierarchy = "date"
    fields = ["task", "kind", "date", "rule", "text", "position"]
