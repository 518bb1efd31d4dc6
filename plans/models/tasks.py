"""A plan's task tree (sections and tasks), the units assigned to each task and its deadlines,
with their queries."""
from __future__ import annotations


from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans import progress
from plans.models.base import Versioned
from plans.models.choices import Closure, DeadlineKind, NodeKind, ReportState, Role, TaskStatus, valid_choice
from plans.models.plans import Plan, office_plan_ids
from plans.models.units import Unit
from plans.models.visibility import acting_unit_ids, sees_everything


def _progress_reports():
    """ProgressReport's manager. Reports point at tasks, so their module imports this one; the
    task queries reach them through the app registry rather than an import."""
    return apps.get_model("plans", "ProgressReport").objects


def latest_approved_percent():
    """The percent of a task's latest approved report (a subquery on the outer task)."""
    approved = _progress_reports().filter(task=models.OuterRef("pk"), state=ReportState.APPROVED)
    return models.Subquery(approved.order_by("-period__start", "-reviewed_at").values("percent")[:1])


def _latest_report_id():
    """Per outer task: the id of its report of the latest period, the lead unit's first."""
    lead = Assignment.objects.filter(task=models.OuterRef("task"), unit=models.OuterRef("unit"), is_lead=True)
    latest = (
        _progress_reports().filter(task=models.OuterRef("pk"))
        .annotate(by_lead=models.Exists(lead))
        .order_by("-period__start", "-by_lead", "pk")
    )
    return models.Subquery(latest.values("pk")[:1])


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
            latest_percent=latest_approved_percent(),
        )

    def with_latest_report(self):
        """Annotate latest_report_id (read by plans.selectors.tasks.attach_summaries)."""
        return self.annotate(latest_report_id=_latest_report_id())

    def for_export(self):
        """A progress sheet's nodes (plans.exports) in document order, with latest_percent.
        Their assignments, deadlines (hence due_date and start_date) and reports are read
        alongside, as streams in the same order (plans.exports.rows.TaskDetails)."""
        shown = ("plan_id", "kind", "label", "path", "level", "position", "title", "text", "status")
        return self.annotate(latest_percent=latest_approved_percent()).only(*shown).order_by("position")

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


class OfVisibleTasks(models.QuerySet):
    """Rows that belong to a task (its `task` field) and are seen by whoever sees the task:
    comments, evidence, extension requests and completion claims."""

    def visible_to(self, user):
        return self.filter(models.Exists(Task.objects.visible_to(user).filter(pk=models.OuterRef("task_id"))))


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
    label = models.CharField(
        _("编号"), max_length=20, blank=True, help_text=_("文件中的编号原文，如“(一)”“1.”；无编号段落为空。"),
    )
    path = models.CharField(
        _("层级编号"), max_length=200, blank=True, help_text=_("自顶层起的编号，如“三、(一)1.(1)”。"),
    )
    level = models.PositiveSmallIntegerField(_("层级"))
    position = models.PositiveIntegerField(_("顺序"), help_text=_("在方案中的先后顺序。"))
    title = models.CharField(_("标题"), max_length=300)
    text = models.TextField(_("任务内容"), blank=True)
    source_line = models.PositiveIntegerField(_("原文行号"), null=True, blank=True)
    status = models.CharField(_("完成状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closure = models.CharField(
        _("办结状态"), max_length=20, choices=Closure.choices, default=Closure.OPEN,
        help_text=_("办结申请经督办审核通过为“已办结”；销号后任务锁定，不再需要报送。"),
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
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
            valid_choice("kind", NodeKind, name="plans_task_kind_valid"),
            valid_choice("status", TaskStatus, name="plans_task_status_valid"),
            valid_choice("closure", Closure, name="plans_task_closure_valid"),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.COMPLETED, completed_at__isnull=False)
                | (~Q(status=TaskStatus.COMPLETED) & Q(completed_at__isnull=True)),
                name="plans_task_completed_at_iff_completed",
                violation_error_message=_(
                    "已完成的任务须有完成时间，未完成的不能有 (a completed task has a completion time, others none)"
                ),
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
            valid_choice("role", Role, name="plans_assignment_role_valid"),
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
    rule = models.CharField(
        _("周期规则"), max_length=50, blank=True, help_text=_("定期事项的规则，如“quarterly:3:23”。"),
    )
    text = models.CharField(_("原文"), max_length=200, help_text=_("时限在文件中的写法，如“10月底前”。"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    original_date = models.DateField(
        _("原定日期"), null=True, blank=True, editable=False, help_text=_("批准延期前的日期；未延期为空。"),
    )
    extensions = models.PositiveSmallIntegerField(_("延期次数"), default=0, editable=False)

    objects = DeadlineManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["task", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "position"], name="plans_deadline_unique_position"),
            valid_choice("kind", DeadlineKind, name="plans_deadline_kind_valid"),
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
