"""What units report each period: reporting periods, progress reports (进展情况) with the
supporting units' input, and the measured values of indicators."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models.base import Versioned
from plans.models.choices import ReportState, TaskStatus, valid_choice
from plans.models.plans import Plan
from plans.models.targets import Target
from plans.models.tasks import Task
from plans.models.units import Unit
from plans.models.visibility import sees_everything


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
    office_opened_at = models.DateTimeField(
        _("督办查阅时间"), null=True, blank=True, editable=False,
        help_text=_("督办人员首次打开已报送报告的时间；此后单位不能再撤回报送。"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    objects = ProgressReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["period", "task", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit", "period"], name="plans_progressreport_unique_task_unit_period",
            ),
            valid_choice("status", TaskStatus, name="plans_progressreport_status_valid"),
            valid_choice("state", ReportState, name="plans_progressreport_state_valid"),
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

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="inputs", verbose_name=_("进展报告"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="supporting_inputs", verbose_name=_("配合单位"),
    )
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
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="indicator_values", verbose_name=_("报送周期"),
    )
    value = models.DecimalField(_("实际值"), max_digits=24, decimal_places=6)
    entered_as = models.CharField(
        _("填报原文"), max_length=80, blank=True, help_text=_("填报时的数值和计量单位，如“12000千瓦”。"),
    )
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
