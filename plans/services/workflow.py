"""The supervision cycle's steps (DOMAIN.md §5) after 签收 (plans.services.acknowledgements):
延期申请 and its decision, 办结申请 and its decision, 销号 and reopening. Each step checks
its rule in plans.permissions, locks its rows in the order plans.services.common states
(plan → period → task → deadline → report/claim/request) and leaves a history row naming
who did it."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import (
    Assignment,
    ClaimState,
    Closure,
    CompletionClaim,
    Deadline,
    ExtensionRequest,
    ProgressReport,
    ReportState,
    RequestState,
    Task,
    TaskStatus,
)
from plans.permissions import (
    can_claim_completion,
    can_close_task,
    can_decide_claim,
    can_decide_extension,
    can_reopen_task,
    can_request_extension,
)
from plans.services.common import check_version, deny
from plans.services.conflicts import retry_on_conflict
from plans.services.periods import reports_ensure


# --- 延期申请 ---------------------------------------------------------------------------------

def _lead_unit_id(user, task: Task) -> int:
    """The lead unit the user files for: the task's lead, or the user's own unit when the
    lead is a collective it answers for."""
    lead = Assignment.objects.filter(task=task, is_lead=True).select_related("unit").first()
    if lead is not None and not lead.unit.is_collective:
        return lead.unit_id
    return user.membership.unit_id


def _locked_task(task_id: int) -> Task:
    return Task.objects.select_for_update(no_key=True, of=("self",)).select_related("plan").get(pk=task_id)


@retry_on_conflict
def extension_request(
    *, user, deadline: Deadline, requested_date: datetime.date, reason: str, today: datetime.date | None = None,
) -> ExtensionRequest:
    """延期申请 by the lead unit's leader: one deadline, the new date, the reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写延期理由 (a reason is required)")})
    if not isinstance(requested_date, datetime.date):
        raise ValidationError({"requested_date": _("请填写申请延至的日期 (the new date is required)")})
    today = today or timezone.localdate()
    with transaction.atomic():
        task = _locked_task(deadline.task_id)
        deadline = Deadline.objects.select_for_update(no_key=True).get(pk=deadline.pk)
        deadline.task = task
        deny(can_request_extension(user, deadline, today))
        if requested_date <= deadline.date:
            raise ValidationError({"requested_date": _(
                "申请延至的日期须晚于现在的时限 %(date)s (the new date must be after the current deadline)"
            ) % {"date": deadline.date.isoformat()}})
        request = ExtensionRequest(
            task=task, deadline=deadline, unit_id=_lead_unit_id(user, task), current_date=deadline.date,
            requested_date=requested_date, reason=reason.strip(), requested_by=user,
        )
        request._history_user = user
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError as error:  # a parallel request for the same deadline won
            raise ValidationError(
                _("该时限已有待审批的延期申请 (this deadline already has an open request)")
            ) from error
    return request


def _locked_request(request: ExtensionRequest, user, expected_version: int | None) -> ExtensionRequest:
    locked = ExtensionRequest.objects.select_for_update(no_key=True, of=("self",)).select_related("task").get(
        pk=request.pk
    )
    check_version(locked, expected_version)
    deny(can_decide_extension(user, locked))
    locked._history_user = user
    return locked


def _decided(row, user, state: str, comment: str) -> None:
    row.state, row.decided_by, row.decided_at = state, user, timezone.now()
    row.decision_comment = (comment or "").strip()
    row.save()


@retry_on_conflict
def extension_approve(
    *, user, request: ExtensionRequest, comment: str = "", expected_version: int | None = None,
) -> ExtensionRequest:
    """The office approves: the deadline moves to the requested date, its first date is kept
    (original_date) and the extension counted."""
    with transaction.atomic():
        _locked_task(request.task_id)
        deadline = Deadline.objects.select_for_update(no_key=True).get(pk=request.deadline_id)
        request = _locked_request(request, user, expected_version)
        if deadline.original_date is None:
            deadline.original_date = deadline.date
        deadline.date, deadline.extensions = request.requested_date, deadline.extensions + 1
        deadline._history_user = user
        deadline._change_reason = _("批准延期申请 #%(id)d (extension approved)") % {"id": request.pk}
        deadline.save()
        _decided(request, user, RequestState.APPROVED, comment)
    return request


@retry_on_conflict
def extension_reject(
    *, user, request: ExtensionRequest, comment: str, expected_version: int | None = None,
) -> ExtensionRequest:
    """The office rejects with a comment; the deadline stays."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("不批准时请填写审批意见 (a comment is required to reject)")})
    with transaction.atomic():
        request = _locked_request(request, user, expected_version)
        _decided(request, user, RequestState.REJECTED, comment)
    return request


# --- 办结申请, 办结, 销号 ----------------------------------------------------------------------

def _set_closure(task: Task, user, closure: str, reason: str = "") -> None:
    task.closure = closure
    task._history_user = user
    if reason:
        task._change_reason = reason
    task.save()


def claim_from_report(*, user, report: ProgressReport, task: Task) -> CompletionClaim | None:
    """An approved report marked 已完成 by the task's lead unit proposes 办结 (inside the
    approval's transaction, the task locked): a claim with the report's progress as its
    summary, filed by whoever submitted the report. None when the report is not the lead's or
    the task is not 办理中."""
    if report.status != TaskStatus.COMPLETED or task.closure != Closure.OPEN:
        return None
    lead = Assignment.objects.filter(task=task, is_lead=True).select_related("unit").first()
    if lead is None:
        return None
    if lead.unit_id != report.unit_id and not lead.unit.members.filter(pk=report.unit_id).exists():
        return None
    claim = CompletionClaim(
        task=task, unit_id=report.unit_id, summary=report.progress or _("报告标为已完成"), report=report,
        claimed_by=report.submitted_by or user,
    )
    claim._history_user = user
    claim.save()
    _set_closure(task, user, Closure.CLAIMED)
    return claim


@retry_on_conflict
def completion_claim(*, user, task: Task, summary: str) -> CompletionClaim:
    """办结申请 by the lead unit's leader: the summary (evidence is attached to the claim)."""
    if not (summary or "").strip():
        raise ValidationError({"summary": _("请填写办结情况 (a summary is required)")})
    with transaction.atomic():
        task = _locked_task(task.pk)
        deny(can_claim_completion(user, task))
        claim = CompletionClaim(task=task, unit_id=_lead_unit_id(user, task), summary=summary.strip(), claimed_by=user)
        claim._history_user = user
        claim.save()
        _set_closure(task, user, Closure.CLAIMED)
    return claim


def _locked_claim(claim: CompletionClaim, user, expected_version: int | None) -> tuple[CompletionClaim, Task]:
    task = _locked_task(claim.task_id)
    locked = CompletionClaim.objects.select_for_update(no_key=True).get(pk=claim.pk)
    locked.task = task
    check_version(locked, expected_version)
    deny(can_decide_claim(user, locked))
    locked._history_user = user
    return locked, task


@retry_on_conflict
def claim_accept(
    *, user, claim: CompletionClaim, comment: str = "", expected_version: int | None = None,
) -> CompletionClaim:
    """办结: the office verified the claim; the task is completed (已完成, 已办结)."""
    with transaction.atomic():
        claim, task = _locked_claim(claim, user, expected_version)
        _decided(claim, user, ClaimState.ACCEPTED, comment)
        task.status, task.completed_at = TaskStatus.COMPLETED, task.completed_at or timezone.now()
        _set_closure(task, user, Closure.DONE)
    return claim


@retry_on_conflict
def claim_return(*, user, claim: CompletionClaim, comment: str, expected_version: int | None = None) -> CompletionClaim:
    """The office returns the claim with its reasons; the task is 办理中 again."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("退回时请填写审核意见 (a comment is required to return a claim)")})
    with transaction.atomic():
        claim, task = _locked_claim(claim, user, expected_version)
        _decided(claim, user, ClaimState.RETURNED, comment)
        _set_closure(task, user, Closure.OPEN)
    return claim


@retry_on_conflict
def task_close(*, user, task: Task, expected_version: int | None = None) -> Task:
    """销号: the office closes a task that is 已办结 for good. It is locked, needs no more
    reports: its untouched pending reports in open periods are removed (their history keeps
    them) and later periods create none."""
    with transaction.atomic():
        task = _locked_task(task.pk)
        check_version(task, expected_version)
        deny(can_close_task(user, task))
        task.closed_at = timezone.now()
        _set_closure(task, user, Closure.CLOSED)
        untouched = ProgressReport.objects.filter(
            task=task, state=ReportState.PENDING, period__is_open=True, progress="", problems="", next_steps="",
            percent__isnull=True,
        ).exclude(attachments__isnull=False)
        for report in untouched.select_for_update().order_by("pk"):
            report._history_user = user
            report._change_reason = _("任务销号，无需报送 (task closed)")
            report.delete()
    return task


@retry_on_conflict
def task_reopen(*, user, task: Task, reason: str, expected_version: int | None = None) -> Task:
    """The office reopens a task that is 已办结 or 已销号, with a reason kept in its history;
    it is 办理中 again (序时推进 if it was 已完成) and open periods ask for its reports again."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请填写重新打开的理由 (a reason is required)")})
    with transaction.atomic():
        task = _locked_task(task.pk)
        check_version(task, expected_version)
        deny(can_reopen_task(user, task))
        if task.status == TaskStatus.COMPLETED:
            task.status, task.completed_at = TaskStatus.ON_TRACK, None
        task.closed_at = None
        _set_closure(task, user, Closure.OPEN, _("重新打开：%(reason)s (reopened)") % {"reason": reason.strip()})
        for period in task.plan.periods.filter(is_open=True):
            reports_ensure(period=period, user=user)
    return task
