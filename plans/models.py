"""The domain: units, plans, their task trees, who is assigned to what, deadlines, targets,
reporting periods and progress reports."""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans import progress


# --- choices ------------------------------------------------------------------------------
class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("政府部门")
    LOCAL_GOVERNMENT = "local_government", _("地方政府")
    CENTRAL_BRANCH = "central_branch", _("中央驻地机构")
    PARTY = "party", _("党委机构")
    ENTERPRISE = "enterprise", _("企业")
    MEDIA = "media", _("媒体")
    COLLECTIVE = "collective", _("集合单位")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    RESPONSIBLE = "responsible", _("责任单位")
    SUPPORTING = "supporting", _("配合单位")
    IMPLEMENTING = "implementing", _("负责落实")


class NodeKind(models.TextChoices):
    SECTION = "section", _("章节")
    TASK = "task", _("任务")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    ON_TRACK = "on_track", _("序时推进")
    AHEAD = "ahead", _("超序时推进")
    BEHIND = "behind", _("进度滞后")
    COMPLETED = "completed", _("已完成")
    SUSPENDED = "suspended", _("已调整/暂缓")


class DeadlineKind(models.TextChoices):
    DUE = "due", _("完成时限")
    START = "start", _("开始时间")
    PERIOD_END = "period_end", _("期间截止")
    RECURRING = "recurring", _("定期")


class Comparator(models.TextChoices):
    LTE = "≤", _("不高于 ≤")
    GTE = "≥", _("不低于 ≥")
    APPROX = "≈", _("约 ≈")
    EQ = "=", _("达到 =")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half-yearly", _("每半年")
    YEARLY = "yearly", _("每年")


class HolidayShift(models.TextChoices):
    NEXT = "next", _("顺延至下一个工作日")
    PREVIOUS = "previous", _("提前至上一个工作日")
    NONE = "none", _("不调整")


class ReportState(models.TextChoices):
    PENDING = "pending", _("待填报")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


def _in_choices(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


def _valid_choice(field: str, choices: type[models.TextChoices], *, name: str) -> models.CheckConstraint:
    """The database's check that a choice field holds one of its choices. Like every check
    constraint here it has a sentence (the field's own validation usually speaks first), so
    that no form or API answer shows a constraint's name."""
    return models.CheckConstraint(
        condition=_in_choices(field, choices), name=name,
        violation_error_message=_("所选的值不在可选范围内 (the value is not one of the choices)"),
    )


class MemberRole(models.TextChoices):
    OFFICIAL = "official", _("填报人")
    LEADER = "leader", _("单位负责人")


class Versioned(models.Model):
    """A row the API writes with optimistic concurrency: `version` goes up on every save, and
    the services refuse a write made from an older version (services.StaleVersion)."""

    version = models.PositiveIntegerField(
        _("版本"), default=1, editable=False, help_text=_("每次保存加一；接口据此防止覆盖他人的修改。"),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)


# --- units --------------------------------------------------------------------------------
class UnitManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Unit(models.Model):
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("上级单位"),
    )
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="collectives",
        verbose_name=_("成员单位"), help_text=_("集合单位（如“各县区政府(管委)”）包含的具体单位。"),
    )
    name = models.CharField(
        _("单位全称"), max_length=200, unique=True,
        help_text=_("规范全称，如“鹤壁市发展和改革委员会”。"),
    )
    short_name = models.CharField(
        _("简称"), max_length=100, blank=True, help_text=_("文件中常用的写法，如“市发改委”。"),
    )
    jurisdiction = models.CharField(
        _("所属行政区"), max_length=50, blank=True, help_text=_("如“鹤壁市”“福建省”。"),
    )
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    objects = UnitManager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["jurisdiction", "name"]
        constraints = [
            _valid_choice("kind", UnitKind, name="plans_unit_kind_valid"),
        ]

    def __str__(self):
        return self.short_name or self.name

    def natural_key(self):
        return (self.name,)

    @property
    def is_collective(self) -> bool:
        return self.kind == UnitKind.COLLECTIVE


class UnitAliasManager(models.Manager):
    def get_by_natural_key(self, jurisdiction, name):
        return self.get(jurisdiction=jurisdiction, name=name)


class UnitAlias(models.Model):
    """Another spelling of a unit within a jurisdiction: 市发改委 and 发改委 in 鹤壁市."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("单位"))
    jurisdiction = models.CharField(_("适用行政区"), max_length=50, blank=True)
    name = models.CharField(_("别名"), max_length=200)

    objects = UnitAliasManager()

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        ordering = ["jurisdiction", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="plans_unitalias_unique_per_jurisdiction"),
        ]

    def __str__(self):
        return f"{self.name}（{self.jurisdiction}）→ {self.unit.name}"

    def natural_key(self):
        return (self.jurisdiction, self.name)

    natural_key.dependencies = ["plans.unit"]


class Membership(models.Model):
    """An account's unit: its officials (填报人) fill in reports, its leaders (单位负责人) sign them off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("账号"),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=20, choices=MemberRole.choices, default=MemberRole.OFFICIAL)

    class Meta:
        verbose_name = _("单位账号")
        verbose_name_plural = _("单位账号")
        ordering = ["unit", "role"]
        constraints = [
            _valid_choice("role", MemberRole, name="plans_membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


# --- plans --------------------------------------------------------------------------------
def acting_unit_ids(user) -> set[int]:
    """The units a user acts for: their own unit and every collective that lists it
    (an official of 浚县人民政府 also answers for 各县区政府(管委)). Cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if not hasattr(user, "_acting_unit_ids"):
        membership = Membership.objects.filter(user=user).values_list("unit_id", flat=True).first()
        user._acting_unit_ids = units_answering_for(membership) if membership else set()
    return user._acting_unit_ids


def units_answering_for(unit_id: int) -> set[int]:
    """The unit and every collective that lists it (各县区政府(管委) answers through 浚县…)."""
    return {unit_id, *Unit.members.through.objects.filter(to_unit_id=unit_id).values_list("from_unit_id", flat=True)}


def sees_everything(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


def office_plan_ids(user):
    """The plans a user is office staff (督办) of, as a subquery. The visibility filters use
    subqueries, never joins, so rows are not repeated and need no DISTINCT."""
    return Plan.office_staff.through.objects.filter(user=user).values("plan_id")


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Office staff: their plans; unit accounts: plans where their unit holds a role."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        assigned = Assignment.objects.filter(unit__in=acting_unit_ids(user)).values("task__plan_id")
        return self.filter(Q(pk__in=office_plan_ids(user)) | Q(pk__in=assigned))


class PlanManager(models.Manager.from_queryset(PlanQuerySet)):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Plan(models.Model):
    coordinator = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinated_plans",
        verbose_name=_("牵头督办单位"), help_text=_("接收进展报送的办公室。"),
    )
    issuers = models.ManyToManyField(
        Unit, through="PlanIssuer", related_name="issued_plans", blank=True, verbose_name=_("印发单位"),
    )
    office_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="office_plans", blank=True, verbose_name=_("督办人员"),
        help_text=_("可查看本方案全部内容、审核报告、编辑任务和开关报送周期的账号。"),
    )
    key = models.CharField(
        _("方案标识"), max_length=300, unique=True,
        help_text=_("文号，无文号时为标题；重新导入修订稿时据此找到原方案。"),
    )
    title = models.CharField(_("方案名称"), max_length=300)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    jurisdiction = models.CharField(_("行政区"), max_length=50, blank=True)
    plan_year = models.PositiveSmallIntegerField(_("方案年度"))
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    period_start = models.DateField(_("实施期起"), null=True, blank=True)
    period_end = models.DateField(_("实施期止"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    reporting_frequency = models.CharField(
        _("报送频率"), max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY,
    )
    reporting_month = models.PositiveSmallIntegerField(
        _("报送月份"), default=3,
        help_text=_("自每个报送周期起始月算起的第几个月：季度最后一月为3，季度结束后次月为4。"),
    )
    reporting_day = models.PositiveSmallIntegerField(
        _("报送日"), null=True, blank=True, help_text=_("该月的第几日；留空表示月末。"),
    )
    reporting_rule_text = models.CharField(
        _("报送要求原文"), max_length=200, blank=True, help_text=_("如“每季度最后一月的23日前”。"),
    )
    holiday_shift = models.CharField(
        _("节假日顺延"), max_length=10, choices=HolidayShift.choices, default=HolidayShift.NEXT,
    )
    is_published = models.BooleanField(
        _("公开发布"), default=False,
        help_text=_("发布后任何人无需登录即可查看本方案的公开进展页面（只含标为公开的字段）。"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True)
    source_sha256 = models.CharField(_("来源文件摘要"), max_length=64, blank=True)
    source_text = models.TextField(_("来源文件全文"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    objects = PlanManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("行动方案")
        verbose_name_plural = _("行动方案")
        ordering = ["-plan_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_start__isnull=True) | Q(period_end__gte=models.F("period_start")),
                name="plans_plan_period_ordered",
                violation_error_message=_("实施期止不能早于实施期起 (the plan period ends before it starts)"),
            ),
            _valid_choice("reporting_frequency", Frequency, name="plans_plan_frequency_valid"),
            models.CheckConstraint(condition=Q(reporting_month__gte=1, reporting_month__lte=12), name="plans_plan_reporting_month_range",
                violation_error_message=_("报送月份应在 1 至 12 之间 (the reporting month is 1 to 12)"),
            ),
            models.CheckConstraint(
                condition=Q(reporting_day__isnull=True) | Q(reporting_day__gte=1, reporting_day__lte=31),
                name="plans_plan_reporting_day_range",
                violation_error_message=_("报送日应在 1 至 31 之间 (the reporting day is 1 to 31)"),
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False), name="plans_plan_published_at_if_published",
                violation_error_message=_("已公开的方案须有公开时间 (a published plan needs its publication time)"),
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.key,)

    natural_key.dependencies = ["plans.unit"]

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class PlanIssuerManager(models.Manager):
    def get_by_natural_key(self, plan_key, position):
        return self.get(plan__key=plan_key, position=position)


class PlanIssuer(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="issuer_links", verbose_name=_("行动方案"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="issuer_links", verbose_name=_("单位"))
    position = models.PositiveSmallIntegerField(_("顺序"))

    objects = PlanIssuerManager()

    class Meta:
        verbose_name = _("印发单位")
        verbose_name_plural = _("印发单位")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="plans_planissuer_unique_unit"),
            models.UniqueConstraint(fields=["plan", "position"], name="plans_planissuer_unique_position"),
        ]

    def __str__(self):
        return str(self.unit)

    def natural_key(self):
        return self.plan.natural_key() + (self.position,)

    natural_key.dependencies = ["plans.plan"]


# --- the task tree ------------------------------------------------------------------------
def _latest_approved_percent():
    """The percent of a task's latest approved report (a subquery on the outer task)."""
    approved = ProgressReport.objects.filter(task=models.OuterRef("pk"), state=ReportState.APPROVED)
    return models.Subquery(approved.order_by("-period__start", "-reviewed_at").values("percent")[:1])


def _latest_report_id():
    """Per outer task: the id of its report of the latest period, the lead unit's first."""
    lead = Assignment.objects.filter(task=models.OuterRef("task"), unit=models.OuterRef("unit"), is_lead=True)
    latest = (
        ProgressReport.objects.filter(task=models.OuterRef("pk"))
        .annotate(by_lead=models.Exists(lead))
        .order_by("-period__start", "-by_lead", "pk")
    )
    return models.Subquery(latest.values("pk")[:1])


def attach_summaries(tasks) -> None:
    """Give each task (annotated by TaskQuerySet.with_latest_report()) its assignments with unit
    names (`assignment_rows`), its deadlines (`deadline_rows`) and its latest report
    (`latest_report_row`, or None) as plain rows: three queries for a whole page, and no model
    instance per row (the API's task list spends more on instances than on its SQL)."""
    ids = [task.pk for task in tasks]
    assignments, deadlines = defaultdict(list), defaultdict(list)
    for row in (
        Assignment.objects.filter(task_id__in=ids).order_by("task_id", "role", "position")
        .values("task_id", "id", "unit_id", "unit__name", "role", "position", "is_lead", "version")
    ):
        assignments[row["task_id"]].append(row)
    for row in (
        Deadline.objects.filter(task_id__in=ids).order_by("task_id", "position")
        .values("task_id", "id", "kind", "date", "rule", "text", "version")
    ):
        deadlines[row["task_id"]].append(row)
    wanted = {task.latest_report_id for task in tasks} - {None}
    shown = ("id", "period_id", "unit_id", "state", "status", "percent")
    reports = {row["id"]: row for row in ProgressReport.objects.filter(pk__in=wanted).order_by().values(*shown)} if wanted else {}
    for task in tasks:
        task.assignment_rows = assignments[task.pk]
        task.deadline_rows = deadlines[task.pk]
        task.latest_report_row = reports.get(task.latest_report_id)


def _plan_start():
    """The outer task's plan's start, as a subquery: a join would stay in count() queries."""
    return models.Subquery(Plan.objects.filter(pk=models.OuterRef("plan_id")).order_by().values("period_start")[:1])


def _first_date(kind):
    """The earliest dated deadline of `kind` of the outer task (a subquery)."""
    dated = Deadline.objects.filter(task=models.OuterRef("pk"), kind=kind, date__isnull=False)
    return models.Subquery(dated.order_by("date").values("date")[:1])


class TaskQuerySet(models.QuerySet):
    def tasks(self):
        return self.filter(kind=NodeKind.TASK)

    def sections(self):
        return self.filter(kind=NodeKind.SECTION)

    def for_plan(self, plan):
        return self.filter(plan=plan)

    def active(self):
        return self.filter(is_active=True)

    def for_admin_list(self):
        return self.select_related("plan", "parent").prefetch_related("assignments__unit")

    def with_schedule(self):
        """Annotate due_date (first 完成时限), start_date (first start, else the plan's start)
        and latest_percent (of the latest approved report): what `Task.light` reads. Each is a
        subquery on the task's own rows, not a GROUP BY over a join: a page of tasks costs its
        page, and count() leaves them out."""
        return self.annotate(
            due_date=_first_date(DeadlineKind.DUE),
            start_date=Coalesce(_first_date(DeadlineKind.START), _plan_start()),
            latest_percent=_latest_approved_percent(),
        )

    def with_latest_report(self):
        """Annotate latest_report_id (see attach_summaries)."""
        return self.annotate(latest_report_id=_latest_report_id())

    def for_export(self):
        """A progress sheet's nodes (plans.exports.excel) in document order, with latest_percent.
        Their assignments, deadlines (hence due_date and start_date) and reports are read
        alongside, as streams in the same order (plans.exports.excel.TaskDetails)."""
        shown = ("plan_id", "kind", "label", "path", "level", "position", "title", "text", "status")
        return self.annotate(latest_percent=_latest_approved_percent()).only(*shown).order_by("position")

    def overdue(self, today):
        """超期未完成: a due date passed and the task not completed."""
        passed = Deadline.objects.filter(task=models.OuterRef("pk"), kind=DeadlineKind.DUE, date__lt=today)
        return self.filter(models.Exists(passed), kind=NodeKind.TASK).exclude(status=TaskStatus.COMPLETED)

    def visible_to(self, user):
        """Office staff: every node of their plans; unit accounts: the tasks where their unit
        (or a collective it belongs to) holds any role, and the sections of those plans."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        visible = Q(plan_id__in=office_plan_ids(user))
        units = acting_unit_ids(user)
        if units:  # office accounts have no unit: their filter stays one indexable condition
            assigned = Assignment.objects.filter(unit__in=units)
            visible |= Q(kind=NodeKind.TASK, pk__in=assigned.values("task_id"))
            visible |= Q(kind=NodeKind.SECTION, plan_id__in=assigned.values("task__plan_id"))
        return self.filter(visible)


class TaskManager(models.Manager.from_queryset(TaskQuerySet)):
    def get_by_natural_key(self, plan_key, position):
        return self.get(plan__key=plan_key, position=position)


class Task(Versioned):
    """A node of a plan's tree: a section (三、主要任务) or a task (a node with assigned units)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("行动方案"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children", verbose_name=_("上级"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=NodeKind.choices, default=NodeKind.TASK)
    label = models.CharField(_("编号"), max_length=20, blank=True, help_text=_("文件中的编号原文，如“(一)”“1.”；无编号段落为空。"))
    path = models.CharField(_("层级编号"), max_length=200, blank=True, help_text=_("自顶层起的编号，如“三、(一)1.(1)”。"))
    level = models.PositiveSmallIntegerField(_("层级"))
    position = models.PositiveIntegerField(_("顺序"), help_text=_("在方案中的先后顺序。"))
    title = models.CharField(_("标题"), max_length=300)
    text = models.TextField(_("任务内容"), blank=True)
    source_line = models.PositiveIntegerField(_("原文行号"), null=True, blank=True)
    status = models.CharField(_("完成状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    is_active = models.BooleanField(
        _("有效"), default=True, help_text=_("修订稿删去但已有进展报告的任务保留为无效，以保存报送记录。"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    objects = TaskManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="plans_task_unique_position"),
            _valid_choice("kind", NodeKind, name="plans_task_kind_valid"),
            _valid_choice("status", TaskStatus, name="plans_task_status_valid"),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.COMPLETED, completed_at__isnull=False)
                | (~Q(status=TaskStatus.COMPLETED) & Q(completed_at__isnull=True)),
                name="plans_task_completed_at_iff_completed",
                violation_error_message=_("已完成的任务须有完成时间，未完成的不能有 (a completed task has a completion time, others none)"),
            ),
        ]
        # a plan's tasks (or sections) in document order, without sorting them: SQLite otherwise
        # reads a plan's tasks by kind and sorts them, subqueries and all, for a page of one
        indexes = [models.Index(fields=["plan", "kind", "position"], name="plans_task_plan_kind_position")]

    def __str__(self):
        return f"{self.path} {self.title}".strip()

    def natural_key(self):
        return self.plan.natural_key() + (self.position,)

    natural_key.dependencies = ["plans.plan"]

    def light(self, today) -> str:
        """Traffic light from the annotations of TaskQuerySet.with_schedule()."""
        return progress.light(
            start=self.start_date, due=self.due_date, behind=self.status == TaskStatus.BEHIND,
            completed=self.status == TaskStatus.COMPLETED, percent=self.latest_percent, today=today,
        )

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class Section(Task):
    """The section nodes of the tree, for browsing in the admin."""

    class Meta:
        proxy = True
        verbose_name = _("章节")
        verbose_name_plural = _("章节")


class AssignmentManager(models.Manager):
    def get_by_natural_key(self, plan_key, task_position, role, unit_name):
        return self.get(task__plan__key=plan_key, task__position=task_position, role=role, unit__name=unit_name)


class Assignment(Versioned):
    """A unit's role on a task. The first responsible unit (position 0) is the lead (牵头单位)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("任务"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("单位"))
    role = models.CharField(_("职责"), max_length=20, choices=Role.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), help_text=_("在文件所列单位中的位次，从0开始。"))
    is_lead = models.BooleanField(_("牵头单位"), default=False, editable=False)

    objects = AssignmentManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        ordering = ["task", "role", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "role"], name="plans_assignment_unique_unit_role"),
            models.UniqueConstraint(fields=["task", "role", "position"], name="plans_assignment_unique_position"),
            models.UniqueConstraint(
                fields=["task"], condition=Q(is_lead=True), name="plans_assignment_one_lead",
                violation_error_message=_("一项任务只能有一个牵头单位 (a task has one lead unit)"),
            ),
            _valid_choice("role", Role, name="plans_assignment_role_valid"),
            models.CheckConstraint(
                condition=Q(is_lead=False) | Q(role=Role.RESPONSIBLE), name="plans_assignment_lead_is_responsible",
                violation_error_message=_("牵头单位须是责任单位 (the lead unit is a responsible unit)"),
            ),
        ]
        indexes = [models.Index(fields=["unit", "role"], name="plans_assignment_unit_role")]

    def __str__(self):
        return f"{self.unit}（{self.get_role_display()}）"

    def natural_key(self):
        return self.task.natural_key() + (self.role, self.unit.name)

    natural_key.dependencies = ["plans.task", "plans.unit"]

    def save(self, *args, **kwargs):
        self.is_lead = self.role == Role.RESPONSIBLE and self.position == 0
        super().save(*args, **kwargs)


class DeadlineManager(models.Manager):
    def get_by_natural_key(self, plan_key, task_position, position):
        return self.get(task__plan__key=plan_key, task__position=task_position, position=position)


class Deadline(Versioned):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("任务"))
    kind = models.CharField(_("类型"), max_length=20, choices=DeadlineKind.choices, default=DeadlineKind.DUE)
    date = models.DateField(_("日期"), null=True, blank=True, help_text=_("定期事项为首次日期，可为空。"))
    rule = models.CharField(_("周期规则"), max_length=50, blank=True, help_text=_("定期事项的规则，如“quarterly:3:23”。"))
    text = models.CharField(_("原文"), max_length=200, help_text=_("时限在文件中的写法，如“10月底前”。"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = DeadlineManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "position"], name="plans_deadline_unique_position"),
            _valid_choice("kind", DeadlineKind, name="plans_deadline_kind_valid"),
            # an undated one-off deadline keeps its phrase (10月底前 in a document naming no
            # year) until an office confirms the date
            models.CheckConstraint(
                condition=Q(kind=DeadlineKind.RECURRING) | Q(date__isnull=False) | ~Q(text=""),
                name="plans_deadline_date_or_phrase",
                violation_error_message=_("完成时限须填写日期或原文 (a deadline needs a date or its phrase)"),
            ),
        ]
        indexes = [models.Index(fields=["date"], name="plans_deadline_date")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date or self.text}"

    def clean(self):
        """A deadline a person enters (admin, API) has its date; only the importer keeps an
        undated one, from a document naming no year, for an office to date."""
        super().clean()
        if self.kind != DeadlineKind.RECURRING and self.date is None:
            raise ValidationError({"date": _(
                "完成时限须填写日期，只有定期时限可以不填；导入时未能确定年份的请补上日期 "
                "(a one-off deadline needs a date; date the ones an import left undated)"
            )})

    def natural_key(self):
        return self.task.natural_key() + (self.position,)

    natural_key.dependencies = ["plans.task"]



class TargetManager(models.Manager):
    def get_by_natural_key(self, plan_key, position):
        return self.get(plan__key=plan_key, position=position)


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Indicators of the tasks the user may see, the plan-level goals of the plans the
        user may see (TaskQuerySet.visible_to, PlanQuerySet.visible_to), and the indicators
        the user's unit owns."""
        if sees_everything(user):
            return self
        tasks = Task.objects.visible_to(user).values("pk")
        plans = Plan.objects.visible_to(user).values("pk")
        visible = Q(task__isnull=False, task_id__in=tasks) | Q(task__isnull=True, plan_id__in=plans)
        units = acting_unit_ids(user)
        if units:
            visible |= Q(owner_id__in=units)
        return self.filter(visible)


class Target(models.Model):
    """A quantitative target of a plan, tracked as an indicator (指标): its owner unit enters
    the measured value for every reporting period (IndicatorValue)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("行动方案"))
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="targets",
        verbose_name=_("任务"), help_text=_("为空表示方案总体目标。"),
    )
    owner = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_targets",
        verbose_name=_("责任单位"),
        help_text=_("填报实际值的单位：任务的牵头单位；方案总体目标为牵头督办单位。"),
    )
    indicator = models.CharField(_("指标"), max_length=200)
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=24, decimal_places=6)
    unit = models.CharField(_("计量单位"), max_length=30, blank=True, help_text=_("如“微克/立方米”“万千瓦”“万亿元”。"))
    year = models.PositiveSmallIntegerField(_("目标年份"), null=True, blank=True)
    baseline = models.DecimalField(
        _("基期值"), max_digits=24, decimal_places=6, null=True, blank=True,
        help_text=_("实施期开始时的数值，用于计算序时目标；为空时，越高越好的指标从0起算，越低越好的指标只看是否达标。"),
    )
    is_public = models.BooleanField(_("公开"), default=True, help_text=_("方案公开发布后，是否在公开页面显示本指标及其实际值。"))
    is_active = models.BooleanField(
        _("有效"), default=True, help_text=_("修订稿删去但已有实际值的指标保留为无效，以保存填报记录。"),
    )
    text = models.CharField(_("原文"), max_length=500)
    position = models.PositiveIntegerField(_("顺序"), default=0, help_text=_("在方案全部目标中的顺序。"))

    objects = TargetManager.from_queryset(TargetQuerySet)()

    class Meta:
        verbose_name = _("量化指标")
        verbose_name_plural = _("量化指标")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="plans_target_unique_position"),
            _valid_choice("comparator", Comparator, name="plans_target_comparator_valid"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.comparator} {self.value.normalize():f}{self.unit}"

    def natural_key(self):
        return self.plan.natural_key() + (self.position,)

    natural_key.dependencies = ["plans.plan", "plans.task", "plans.unit"]


# --- reporting ----------------------------------------------------------------------------
class ReportingPeriodQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The periods of the plans the user may see (PlanQuerySet.visible_to)."""
        return self.filter(plan__in=Plan.objects.visible_to(user).values("pk"))


class ReportingPeriod(Versioned):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods", verbose_name=_("行动方案"))
    label = models.CharField(_("周期"), max_length=20, help_text=_("如“2016Q3”。"))
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("结束日期"))
    due_date = models.DateField(_("报送截止日"))
    is_open = models.BooleanField(_("开放填报"), default=False)

    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("报送周期")
        verbose_name_plural = _("报送周期")
        ordering = ["plan", "start"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "label"], name="plans_reportingperiod_unique_label"),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="plans_reportingperiod_ordered",
                violation_error_message=_("报送周期的结束日不能早于开始日 (the period ends before it starts)"),
            ),
        ]

    def __str__(self):
        return f"{self.plan} {self.label}"



class ProgressReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports of the tasks the user may see (see TaskQuerySet.visible_to). A correlated
        EXISTS, not `task IN (…)`: SQLite would drive an IN list through the task index and then
        sort a million reports for the first page; with EXISTS it reads the index the page is
        ordered by and checks each row (PostgreSQL plans both as the same semi-join)."""
        if sees_everything(user):
            return self
        return self.filter(models.Exists(Task.objects.visible_to(user).filter(pk=models.OuterRef("task_id"))))

    def late(self, today):
        """逾期未报: due date passed and not yet sent (pending or returned)."""
        return self.filter(period__due_date__lt=today, state__in=[ReportState.PENDING, ReportState.RETURNED])

    def with_late(self, today):
        """Annotate is_late (逾期未报). The period's due date is read by a subquery, not a join,
        so that count() leaves it out."""
        passed = ReportingPeriod.objects.filter(pk=models.OuterRef("period_id"), due_date__lt=today)
        return self.annotate(
            is_late=models.Case(
                models.When(
                    Q(models.Exists(passed), state__in=[ReportState.PENDING, ReportState.RETURNED]),
                    then=models.Value(True),
                ),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


class ProgressReport(Versioned):
    """One unit's progress on one task for one period (进展情况)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports", verbose_name=_("任务"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports", verbose_name=_("填报单位"))
    period = models.ForeignKey(  # indexed first in plans_report_period_task, which serves it alone too
        ReportingPeriod, on_delete=models.PROTECT, related_name="reports", verbose_name=_("报送周期"), db_index=False,
    )
    status = models.CharField(_("完成状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    percent = models.PositiveSmallIntegerField(_("完成百分比"), null=True, blank=True)
    progress = models.TextField(_("本期进展情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    state = models.CharField(_("审核状态"), max_length=20, choices=ReportState.choices, default=ReportState.PENDING)
    review_comment = models.TextField(_("审核意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="reviewed_reports", verbose_name=_("审核人"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="submitted_reports", verbose_name=_("报送人"),
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    objects = ProgressReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["period", "task", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="plans_progressreport_unique_task_unit_period"),
            _valid_choice("status", TaskStatus, name="plans_progressreport_status_valid"),
            _valid_choice("state", ReportState, name="plans_progressreport_state_valid"),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100), name="plans_progressreport_percent_range",
                violation_error_message=_("完成百分比不能超过 100 (the percentage is at most 100)"),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "period", "state"], name="plans_report_unit_period"),
            # a period's reports in task order: the API's report list and ?period= filter
            models.Index(fields=["period", "task", "unit"], name="plans_report_period_task"),
        ]

    def __str__(self):
        return f"{self.task.path} · {self.unit} · {self.period.label}"

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class SupportingInput(models.Model):
    """A supporting unit's (配合单位) contribution to the lead's report for a task and period."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="inputs", verbose_name=_("进展报告"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="supporting_inputs", verbose_name=_("配合单位"))
    text = models.TextField(_("配合情况"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="supporting_inputs", verbose_name=_("填写人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("配合单位意见")
        verbose_name_plural = _("配合单位意见")
        ordering = ["report", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["report", "unit"], name="plans_supportinginput_unique_unit"),
        ]

    def __str__(self):
        return f"{self.unit} → {self.report}"

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class IndicatorValueQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The values of the indicators the user may see (TargetQuerySet.visible_to)."""
        if sees_everything(user):
            return self
        return self.filter(target__in=Target.objects.visible_to(user).values("pk"))


class IndicatorValue(Versioned):
    """The measured value of an indicator for one reporting period, in the target's own
    measurement unit (a value typed in another unit of the same kind is converted exactly on
    entry; `entered_as` keeps what was typed)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="values", verbose_name=_("量化指标"))
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="indicator_values", verbose_name=_("报送周期"))
    value = models.DecimalField(_("实际值"), max_digits=24, decimal_places=6)
    entered_as = models.CharField(_("填报原文"), max_length=80, blank=True, help_text=_("填报时的数值和计量单位，如“12000千瓦”。"))
    note = models.TextField(_("说明"), blank=True)
    source = models.CharField(_("数据来源"), max_length=200, blank=True, help_text=_("如“市环境监测站月报”。"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="indicator_values", verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    objects = IndicatorValueQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标实际值")
        verbose_name_plural = _("指标实际值")
        ordering = ["target", "period"]
        constraints = [
            models.UniqueConstraint(fields=["target", "period"], name="plans_indicatorvalue_unique_period"),
        ]

    def __str__(self):
        return f"{self.target.indicator} · {self.period.label}：{self.value.normalize():f}{self.target.unit}"

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user):
        """A unit's feeds for the accounts of that unit; a plan's feeds for its office staff."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        own_unit = Membership.objects.filter(user=user).values("unit_id")
        return self.filter(Q(unit_id__in=own_unit) | Q(plan_id__in=office_plan_ids(user)))


class CalendarFeed(models.Model):
    """A private, revocable calendar subscription (.ics) of a unit's or a plan's task deadlines
    and report due dates. The secret token in its URL is the only key; revoking it ends the feed."""

    token = models.CharField(_("令牌"), max_length=64, unique=True, editable=False)
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds", verbose_name=_("单位"),
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds", verbose_name=_("行动方案"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="calendar_feeds", verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    last_fetched_at = models.DateTimeField(_("最近访问"), null=True, blank=True, editable=False)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, plan__isnull=True) | Q(unit__isnull=True, plan__isnull=False),
                name="plans_calendarfeed_unit_xor_plan",
                violation_error_message=_("日历订阅须属于一个单位或一个方案，二者取一 (a feed belongs to a unit or a plan, not both)"),
            ),
        ]

    def __str__(self):
        return str(self.unit or self.plan)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReminderRule(models.TextChoices):
    REPORT_DUE_7 = "report_due_7", _("报告7天后到期")
    REPORT_DUE_3 = "report_due_3", _("报告3天后到期")
    REPORT_DUE_1 = "report_due_1", _("报告1天后到期")
    REPORT_LATE = "report_late", _("报告逾期未报")
    TASK_DUE_SOON = "task_due_soon", _("任务临期")
    TASK_OVERDUE = "task_overdue", _("任务超期未完成")


class ReminderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A unit's accounts: the reminders sent to the units they act for. Office staff: the
        reminders whose every plan they oversee (a reminder naming another plan's tasks stays
        with that plan's office)."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        mine = Q(unit_id__in=acting_unit_ids(user))
        overseen = Q(plans__in=office_plan_ids(user)) & ~Q(pk__in=Reminder.plans.through.objects.exclude(
            plan_id__in=office_plan_ids(user)).values("reminder_id"))
        return self.filter(pk__in=self.model.objects.filter(mine | overseen).values("pk"))


class Reminder(models.Model):
    """One reminder e-mail (催报) sent to a unit: at most one per unit, rule and day."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("单位"))
    rule = models.CharField(_("提醒规则"), max_length=20, choices=ReminderRule.choices)
    sent_on = models.DateField(_("发送日期"))
    recipients = models.TextField(_("收件人"), blank=True)
    subject = models.CharField(_("主题"), max_length=300)
    body = models.TextField(_("内容"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now, editable=False)
    plans = models.ManyToManyField(
        Plan, related_name="reminders", blank=True, verbose_name=_("涉及方案"),
        help_text=_("提醒内容涉及的方案：只有这些方案的督办人员能看到本记录。"),
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        ordering = ["-sent_on", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "rule", "sent_on"], name="plans_reminder_once_per_day"),
            _valid_choice("rule", ReminderRule, name="plans_reminder_rule_valid"),
        ]

    def __str__(self):
        return f"{self.sent_on} {self.unit} {self.get_rule_display()}"


# --- returned progress sheets -----------------------------------------------------------------
class SheetImportState(models.TextChoices):
    PREVIEWED = "previewed", _("待确认")
    APPLIED = "applied", _("已导入")
    REFUSED = "refused", _("未通过检查")


class JSONArrayLength(models.Func):
    """How many items a JSON array column holds, counted by the database (the list of uploads
    gives each preview's size without reading it)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = models.IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra_context)


class SheetImportQuerySet(models.QuerySet):
    def with_counts(self):
        """Without the preview's bodies, with `change_count` and `problem_count`."""
        return self.defer("changes", "problems").annotate(
            change_count=JSONArrayLength("changes"), problem_count=JSONArrayLength("problems"),
        )

    def visible_to(self, user):
        """The uploader's own uploads, and every upload of the plans an office account oversees."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(uploaded_by=user) | Q(period__plan_id__in=office_plan_ids(user)))


class SheetImport(models.Model):
    """A returned progress sheet (进展情况表) uploaded for a period: kept with the preview of
    what it changes, and, once confirmed, what it did."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="sheet_imports", verbose_name=_("报送周期"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sheet_imports", verbose_name=_("上传人"),
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    content = models.BinaryField(_("文件内容"), editable=False)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    state = models.CharField(_("状态"), max_length=20, choices=SheetImportState.choices, default=SheetImportState.PREVIEWED)
    changes = models.JSONField(_("变更"), default=list, blank=True, help_text=_("预览时算出的每份报告的修改。"))
    problems = models.JSONField(_("问题"), default=list, blank=True, help_text=_("检查发现的问题，含工作表、行和列。"))
    applied_count = models.PositiveIntegerField(_("已导入报告数"), default=0)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = SheetImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("填报表导入")
        verbose_name_plural = _("填报表导入")
        ordering = ["-created_at"]
        constraints = [
            _valid_choice("state", SheetImportState, name="plans_sheetimport_state_valid"),
            models.CheckConstraint(
                condition=Q(state=SheetImportState.APPLIED, applied_at__isnull=False)
                | (~Q(state=SheetImportState.APPLIED) & Q(applied_at__isnull=True)),
                name="plans_sheetimport_applied_at_iff_applied",
                violation_error_message=_("已应用的回表须有应用时间，其他的不能有 (an applied sheet has an application time, others none)"),
            ),
        ]

    def __str__(self):
        return f"{self.file_name} · {self.period.label}"
