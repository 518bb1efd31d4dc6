"""The supervision cycle around a task (DOMAIN.md §5): 签收 of an assignment or a period's
reporting duty (Acknowledgement), 延期申请 (ExtensionRequest), 办结申请 (CompletionClaim) —
the steps between 交办 and 销号 that a unit asks for and the office decides."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models.base import Versioned
from plans.models.choices import valid_choice
from plans.models.plans import Plan, office_plan_ids
from plans.models.reporting import ProgressReport, ReportingPeriod
from plans.models.tasks import Deadline, OfVisibleTasks, Task
from plans.models.units import Unit
from plans.models.visibility import acting_unit_ids, sees_everything


def _of_plans_or_units(queryset, user, plan_field: str, unit_field: str = "unit"):
    """Office staff: rows of their plans; unit accounts: their own units' rows."""
    if sees_everything(user):
        return queryset
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    visible = Q(**{f"{plan_field}__in": office_plan_ids(user)})
    units = acting_unit_ids(user)
    if units:
        visible |= Q(**{f"{unit_field}__in": units})
    return queryset.filter(visible)


class AcknowledgementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _of_plans_or_units(self, user, "plan_id")

    def waiting(self):
        """未签收."""
        return self.filter(acknowledged_at__isnull=True)


class Acknowledgement(Versioned):
    """What a unit has to 签收: its assignments in a plan (交办, `period` empty) or a reporting
    period's duty to report (`period` set). Made when the plan is assigned and when a period
    opens; signed by an official or leader of the unit, with who and when."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="acknowledgements", verbose_name=_("行动方案"),
    )
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.CASCADE, null=True, blank=True, related_name="acknowledgements",
        verbose_name=_("报送周期"), help_text=_("为空表示方案任务交办的签收。"),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="acknowledgements", verbose_name=_("单位"))
    assigned_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    due_on = models.DateField(_("签收时限"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="acknowledgements", verbose_name=_("签收人"),
    )

    objects = AcknowledgementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("签收")
        verbose_name_plural = _("签收")
        ordering = ["plan", "period", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit"], condition=Q(period__isnull=True), name="plans_ack_unique_plan_unit",
                violation_error_message=_("该单位已有本方案的交办签收 (the unit already has this plan to acknowledge)"),
            ),
            models.UniqueConstraint(
                fields=["period", "unit"], condition=Q(period__isnull=False), name="plans_ack_unique_period_unit",
                violation_error_message=_("该单位已有本周期的签收 (the unit already has this period to acknowledge)"),
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False),
                name="plans_ack_signed_with_time",
                violation_error_message=_("签收人须有签收时间 (who acknowledged needs when)"),
            ),
        ]
        indexes = [models.Index(fields=["unit", "acknowledged_at"], name="plans_ack_unit_signed")]

    def __str__(self):
        what = self.period.label if self.period_id else _("任务交办")
        return f"{self.unit} · {self.plan} · {what}"

    @property
    def is_late(self) -> bool:
        """签收 after its 时限, or still unsigned with the 时限 passed."""
        if self.acknowledged_at is not None:
            return timezone.localdate(self.acknowledged_at) > self.due_on
        return timezone.localdate() > self.due_on

    def days_waiting(self, today=None) -> int:
        """Days since 交办 while unsigned (0 once signed)."""
        if self.acknowledged_at is not None:
            return 0
        return ((today or timezone.localdate()) - timezone.localdate(self.assigned_at)).days


class RequestState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class ExtensionRequestQuerySet(OfVisibleTasks):
    """Seen by whoever sees the task."""


class ExtensionRequest(Versioned):
    """延期申请: the lead unit asks to move one of a task's deadlines. Approved, the deadline
    takes the new date and keeps its first date as `Deadline.original_date`."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extension_requests", verbose_name=_("任务"))
    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, related_name="extension_requests", verbose_name=_("时限"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="extension_requests", verbose_name=_("申请单位"),
    )
    current_date = models.DateField(_("申请时的时限"))
    requested_date = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    state = models.CharField(_("状态"), max_length=20, choices=RequestState.choices, default=RequestState.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extension_requests",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), blank=True)

    objects = ExtensionRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline"], condition=Q(state=RequestState.PENDING), name="plans_extension_one_open",
                violation_error_message=_("该时限已有待审批的延期申请 (this deadline already has an open request)"),
            ),
            valid_choice("state", RequestState, name="plans_extension_state_valid"),
            models.CheckConstraint(
                condition=Q(requested_date__gt=models.F("current_date")), name="plans_extension_later_date",
                violation_error_message=_("申请延至的日期须晚于原时限 (the new date is after the current one)"),
            ),
        ]

    def __str__(self):
        return f"{self.task.path} · {self.current_date} → {self.requested_date}"


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已办结")


class CompletionClaimQuerySet(OfVisibleTasks):
    """Seen by whoever sees the task."""


class CompletionClaim(Versioned):
    """办结申请: the lead unit reports the task done with a summary and evidence; the office
    accepts it (办结) or returns it with reasons. An approved report marked 已完成 files one."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="completion_claims", verbose_name=_("任务"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="completion_claims", verbose_name=_("申请单位"),
    )
    summary = models.TextField(_("办结情况"))
    report = models.ForeignKey(
        ProgressReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="completion_claims",
        verbose_name=_("来源报告"), help_text=_("由标为“已完成”的进展报告审核通过时提出。"),
    )
    state = models.CharField(_("状态"), max_length=20, choices=ClaimState.choices, default=ClaimState.SUBMITTED)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="completion_claims", verbose_name=_("申请人"),
    )
    claimed_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审核意见"), blank=True)

    objects = CompletionClaimQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("办结申请")
        verbose_name_plural = _("办结申请")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(state=ClaimState.SUBMITTED), name="plans_claim_one_open",
                violation_error_message=_("该任务已有待审核的办结申请 (the task already has an open claim)"),
            ),
            valid_choice("state", ClaimState, name="plans_claim_state_valid"),
        ]

    def __str__(self):
        return f"{self.task.path} · {self.unit} · {self.get_state_display()}"
