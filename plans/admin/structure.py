"""The admin: every model browsable in Chinese, so that right after a plan is imported an
office can walk plan → sections → tasks and see each task's units by role, its deadlines
and its targets. Changelists run a constant number of queries (see tests/test_admin.py)."""
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from plans import services
from plans.admin.common import DerivedYesNoFilter, OfficeEditsMixin, ReadOnlyInline
from plans.admin.scoping import PlanScopedAdmin, PlanScopedInline, UsableChoices
from plans.progress import Light
from plans.models import (
    Assignment,
    Deadline,
    NodeKind,
    Plan,
    PlanIssuer,
    ProgressReport,
    ReportingPeriod,
    Role,
    Section,
    Target,
    Task,
    Unit,
    UnitAlias,
)

admin.site.site_header = _("行动方案督办系统")
admin.site.site_title = _("行动方案督办系统")
admin.site.index_title = _("督办管理")

# A task sits at most four levels deep, with unnumbered paragraphs one level further down;
# five parent hops reach every descendant of a section.
_MAX_DEPTH = 5


def _descendant_of(section) -> Q:
    """Nodes below `section` (an instance, a primary key or an OuterRef), at any depth."""
    return Q(*(Q(**{"__".join(["parent"] * hops): section}) for hops in range(1, _MAX_DEPTH + 1)), _connector=Q.OR)


def _changelist_url(model, **params) -> str:
    return f"{reverse(f'admin:plans_{model._meta.model_name}_changelist')}?{urlencode(params)}"


def _unit_names(assignments) -> str:
    return format_html_join("、", "{}", ((str(assignment.unit),) for assignment in assignments)) or "-"


# --- units --------------------------------------------------------------------------------
class UnitAliasInline(OfficeEditsMixin, admin.TabularInline):
    model = UnitAlias
    extra = 0


@admin.register(Unit)
class UnitAdmin(OfficeEditsMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "jurisdiction", "kind", "parent"]
    list_filter = ["kind", "jurisdiction"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "aliases__name"]
    autocomplete_fields = ["parent", "members"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "jurisdiction", "kind", "parent"]}),
        (_("集合单位"), {"fields": ["members"]}),
        (_("记录"), {"fields": ["created_at"]}),
    ]
    inlines = [UnitAliasInline]


@admin.register(UnitAlias)
class UnitAliasAdmin(OfficeEditsMixin, admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "unit"]
    list_filter = ["jurisdiction"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name", "unit__short_name"]
    autocomplete_fields = ["unit"]


# --- plans --------------------------------------------------------------------------------
class PlanIssuerInline(PlanScopedInline, admin.TabularInline):
    parent_plan_path = ""
    model = PlanIssuer
    extra = 0
    ordering = ["position"]
    autocomplete_fields = ["unit"]


class PlanTargetInline(PlanScopedInline, admin.TabularInline):
    """The plan's overall targets (目标); a task's own targets are shown under the task."""

    parent_plan_path = ""

    model = Target
    fk_name = "plan"
    exclude = ["task"]
    extra = 0
    ordering = ["position"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(task__isnull=True)


@admin.register(Plan)
class PlanAdmin(PlanScopedAdmin, SimpleHistoryAdmin):
    plan_path = ""
    list_display = ["title", "doc_number", "jurisdiction", "plan_year", "coordinator", "section_count", "task_count"]
    list_filter = ["plan_year", "jurisdiction", "reporting_frequency"]
    list_select_related = ["coordinator"]
    search_fields = ["title", "key", "doc_number"]
    autocomplete_fields = ["coordinator", "office_staff"]
    readonly_fields = ["source_name", "source_sha256", "source_text", "created_at", "updated_at", "is_published", "published_at", "public_page"]
    fieldsets = [
        (None, {"fields": ["title", "key", "doc_number", "jurisdiction", "plan_year", "issued_on", "coordinator"]}),
        (_("督办"), {"fields": ["office_staff"]}),
        (_("公开发布"), {"fields": ["is_published", "published_at", "public_page"]}),
        (_("实施期"), {"fields": ["period_start", "period_end", "valid_until"]}),
        (
            _("报送要求"),
            {"fields": ["reporting_frequency", "reporting_month", "reporting_day", "reporting_rule_text", "holiday_shift"]},
        ),
        (_("来源"), {"classes": ["collapse"], "fields": ["source_name", "source_sha256", "source_text"]}),
        (_("记录"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [PlanIssuerInline, PlanTargetInline]
    actions = ["generate_periods", "publish", "withdraw"]

    @admin.action(description=_("按报送要求生成报送周期"), permissions=["change"])
    def generate_periods(self, request, queryset):
        created = 0
        for plan in queryset:
            try:
                created += len(services.periods_generate(user=request.user, plan=plan))
            except PermissionDenied as refusal:
                self.message_user(request, f"{plan}: {refusal}", messages.ERROR)
        self.message_user(request, _("新建报送周期 %(count)d 个。") % {"count": created}, messages.SUCCESS)

    def _set_published(self, request, queryset, published: bool) -> list[Plan]:
        """Publish or withdraw each chosen plan the user manages; the others are named."""
        done, refused = [], []
        for plan in queryset:
            try:
                done.append(services.plan_publish(user=request.user, plan=plan, published=published))
            except PermissionDenied:
                refused.append(str(plan))
        if refused:
            self.message_user(request, _("无权发布或撤回：%(plans)s") % {"plans": "、".join(refused)}, messages.ERROR)
        return done

    @admin.action(description=_("公开发布（无需登录即可查看公开进展页面）"), permissions=["change"])
    def publish(self, request, queryset):
        for plan in self._set_published(request, queryset, True):
            url = request.build_absolute_uri(reverse("public-plan", args=[plan.pk]))
            self.message_user(request, format_html(_("《{}》已公开发布：<a href=\"{}\">{}</a>"), plan, url, url), messages.SUCCESS)

    @admin.action(description=_("撤回公开发布"), permissions=["change"])
    def withdraw(self, request, queryset):
        for plan in self._set_published(request, queryset, False):
            self.message_user(request, _("《%(title)s》已撤回公开，公开页面不再可访问。") % {"title": plan}, messages.SUCCESS)

    @admin.display(description=_("公开页面"))
    def public_page(self, plan):
        if not plan.pk or not plan.is_published:
            return _("未公开发布。在方案列表中选中本方案，执行“公开发布”。")
        url = reverse("public-plan", args=[plan.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    def get_queryset(self, request):
        # ordered explicitly: a grouped query drops Meta.ordering, and the autocomplete pages it
        return super().get_queryset(request).annotate(
            section_total=Count("nodes", filter=Q(nodes__kind=NodeKind.SECTION)),
            task_total=Count("nodes", filter=Q(nodes__kind=NodeKind.TASK)),
        ).order_by(*Plan._meta.ordering)

    @admin.display(description=_("章节"), ordering="section_total")
    def section_count(self, plan):
        return format_html('<a href="{}">{}</a>', _changelist_url(Section, plan__id__exact=plan.pk), plan.section_total)

    @admin.display(description=_("任务"), ordering="task_total")
    def task_count(self, plan):
        return format_html('<a href="{}">{}</a>', _changelist_url(Task, plan__id__exact=plan.pk), plan.task_total)


# --- sections and tasks -------------------------------------------------------------------
def _chosen_plan_id(request) -> str | None:
    plan_id = request.GET.get("plan__id__exact", "")
    return plan_id if plan_id.isdigit() else None


class UnitFilter(admin.SimpleListFilter):
    """Tasks where a unit holds any role. Offered once a plan is chosen (its units): a province
    has hundreds of units, and listing them all would cost every page a scan of every
    assignment."""

    title = _("单位")
    parameter_name = "assignments__unit__id__exact"

    def lookups(self, request, model_admin):
        plan_id, unit_id = _chosen_plan_id(request), self.value() or ""
        if plan_id:
            units = Unit.objects.filter(pk__in=Assignment.objects.filter(task__plan_id=plan_id).values("unit_id"))
        elif unit_id.isdigit():
            units = Unit.objects.filter(pk=unit_id)
        else:
            return []
        return [(unit.pk, str(unit)) for unit in units]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(pk__in=Assignment.objects.filter(unit_id=self.value()).values("task_id"))
        return queryset


class LevelFilter(admin.SimpleListFilter):
    """The node's depth; the levels of the chosen plan, else 1 to 4 (no scan of every task)."""

    title = _("层级")
    parameter_name = "level__exact"

    def lookups(self, request, model_admin):
        plan_id = _chosen_plan_id(request)
        levels = (
            Task.objects.filter(plan_id=plan_id).order_by("level").values_list("level", flat=True).distinct()
            if plan_id else range(1, 5)
        )
        return [(level, str(level)) for level in levels]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(level=self.value())
        return queryset


class SectionFilter(admin.SimpleListFilter):
    """Tasks anywhere below a section. Offered once a plan is chosen (or a section is)."""

    title = _("所属章节")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        plan_id, section_id = request.GET.get("plan__id__exact", ""), self.value() or ""
        if plan_id.isdigit():
            sections = Section.objects.sections().filter(plan_id=plan_id)
        elif section_id.isdigit():
            sections = Section.objects.sections().filter(plan__nodes=section_id)
        else:
            return []
        return [(section.pk, str(section)) for section in sections]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(_descendant_of(self.value()))
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
        today = timezone.localdate()
        ids = [task.pk for task in queryset.with_schedule().order_by() if task.light(today) == self.value()]
        return queryset.filter(pk__in=ids)


class OverdueFilter(DerivedYesNoFilter):
    title = _("超期未完成")
    parameter_name = "overdue"

    def matching(self, today):
        return Task.objects.overdue(today).values("pk")


class PeriodFilter(admin.SimpleListFilter):
    """Tasks with a report in the chosen reporting period. Offered once a plan is chosen."""

    title = _("报送周期")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        """Offered once a plan is chosen (its periods), not years of every plan's periods."""
        periods = ReportingPeriod.objects.filter(plan__in=Plan.objects.visible_to(request.user).values("pk"))
        plan_id, period_id = _chosen_plan_id(request), self.value() or ""
        if plan_id:
            periods = periods.filter(plan_id=plan_id)
        elif period_id.isdigit():
            periods = periods.filter(pk=period_id)
        else:
            return []
        return [(period.pk, f"{period.plan.title[:12]} {period.label}") for period in periods.select_related("plan")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(pk__in=ProgressReport.objects.filter(period_id=self.value()).values("task_id"))
        return queryset


class AssignmentInline(PlanScopedInline, admin.TabularInline):
    model = Assignment
    extra = 0
    ordering = ["role", "position"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["is_lead"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit")


class DeadlineInline(PlanScopedInline, admin.TabularInline):
    model = Deadline
    extra = 0
    ordering = ["position"]


class TaskTargetFormSet(BaseInlineFormSet):
    def save_new(self, form, commit=True):
        """A target added under a task belongs to the task's plan, after the plan's last target."""
        task = self.instance
        last = Target.objects.filter(plan_id=task.plan_id).aggregate(last=Max("position"))["last"]
        form.instance.plan_id = task.plan_id
        form.instance.position = 0 if last is None else last + 1
        if form.instance.owner_id is None:  # the task's lead unit enters its values
            form.instance.owner_id = task.assignments.filter(is_lead=True).values_list("unit_id", flat=True).first()
        return super().save_new(form, commit=commit)


class TaskTargetInline(PlanScopedInline, admin.TabularInline):
    """A task's own targets; their order among the plan's targets is kept in the target admin."""

    model = Target
    fk_name = "task"
    formset = TaskTargetFormSet
    fields = ["indicator", "comparator", "value", "unit", "year", "text"]
    extra = 0
    ordering = ["position"]


class ProgressReportInline(ReadOnlyInline, UsableChoices, admin.TabularInline):
    """Reports are written on their own page, through the reporting services."""

    model = ProgressReport
    fields = ["period", "unit", "status", "percent", "state", "submitted_at"]
    ordering = ["period__start", "unit__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("period__plan", "unit")


class NodeAdmin(PlanScopedAdmin, admin.ModelAdmin):
    """What sections and tasks share: the node's place in its plan's tree. Only TaskAdmin adds
    simple_history's views: they fail on the Section proxy (its Meta lacks the history manager)."""

    kind = None  # a NodeKind, set by subclasses

    node_fields = ["plan", "parent", "label", "path", "level", "position", "title", "text"]
    tree_fields = ["source_line", "path", "level"]  # set by the importer; typed only for a new node

    def visible(self, queryset, user):
        return queryset.visible_to(user)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["created_at", "updated_at"]
        return readonly + self.tree_fields if obj else readonly

    def save_model(self, request, obj, form, change):
        obj.kind = self.kind
        super().save_model(request, obj, form, change)


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
        (_("来源"), {"fields": ["source_line", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        tasks_below = (
            Task.objects.tasks()
            .filter(_descendant_of(OuterRef("pk")))
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
        url = _changelist_url(Task, plan__id__exact=section.plan_id, section=section.pk)
        return format_html('<a href="{}">{}</a>', url, section.task_total)


@admin.register(Task)
class TaskAdmin(NodeAdmin, SimpleHistoryAdmin):
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
        (_("进展"), {"fields": ["status", "completed_at", "is_active"]}),
        (_("来源"), {"fields": ["source_line", "created_at", "updated_at"]}),
    ]
    inlines = [AssignmentInline, DeadlineInline, TaskTargetInline, ProgressReportInline]

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
        return _unit_names(assignment for assignment in task.assignments.all() if assignment.is_lead)

    @admin.display(description=_("责任单位"))
    def responsible_units(self, task):
        return _unit_names(self._assigned(task, Role.RESPONSIBLE))

    @admin.display(description=_("配合单位"))
    def supporting_units(self, task):
        return _unit_names(self._assigned(task, Role.SUPPORTING))

    @admin.display(description=_("负责落实"))
    def implementing_units(self, task):
        return _unit_names(self._assigned(task, Role.IMPLEMENTING))

    @admin.display(description=_("首个完成时限"), ordering="due_date", empty_value="-")
    def first_due(self, task):
        return task.due_date

    @admin.display(description=_("红黄绿灯"))
    def light(self, task):
        value = task.light(timezone.localdate())
        return format_html('<span class="light light-{}" title="{}">●</span> {}', value, Light(value).label, Light(value).label)


# --- what hangs off a task ----------------------------------------------------------------
@admin.register(Assignment)
class AssignmentAdmin(PlanScopedAdmin, SimpleHistoryAdmin):
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
class DeadlineAdmin(PlanScopedAdmin, SimpleHistoryAdmin):
    plan_path = "task__plan"
    task_path = "task"
    list_display = ["task", "kind", "date", "text", "rule"]
    list_filter = ["kind", "task__plan"]
    list_select_related = ["task"]
    search_fields = ["text", "task__title", "task__path"]
    autocomplete_fields = ["task"]
    date_hierarchy = "date"
    fields = ["task", "kind", "date", "rule", "text", "position"]
