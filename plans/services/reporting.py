"""The reporting cycle: a unit writes and submits its report, the office approves or returns
it, supporting units add their input."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import (
    Closure,
    ProgressReport,
    ReportState,
    SupportingInput,
    Task,
    TaskStatus,
)
from plans.permissions import (
    can_add_supporting_input,
    can_edit_report,
    can_review_report,
    can_submit_report,
    can_withdraw_report,
    membership,
)
from plans.services.common import check_version, deny
from plans.services.conflicts import retry_on_conflict
from plans.services.workflow import claim_from_report


def _locked(report: ProgressReport, user, expected_version: int | None = None) -> ProgressReport:
    """The report re-read under a row lock, so two writers cannot both act on a stale copy
    (and, given `expected_version`, refused if it moved on); its history records `user` as
    the author of the change (also outside a web request). Only the report row is locked: its
    period and task are read for the permission rules, not locked (see "Lock order"); a period
    closed meanwhile takes effect from the next write, as if this one had come first."""
    report = (
        ProgressReport.objects.select_for_update(no_key=True, of=("self",))
        .select_related("period", "task")
        .get(pk=report.pk)
    )
    check_version(report, expected_version)
    report._history_user = user
    return report


REPORT_FIELDS = ("status", "percent", "progress", "problems", "next_steps")


@retry_on_conflict
def report_update(
    *, user, report: ProgressReport, expected_version: int | None = None, reason: str = "", **values
) -> ProgressReport:
    """Change a report's content (status, percent, 本期进展情况, 存在问题, 下步打算); `reason`
    goes into the history record (e.g. which uploaded sheet made the change)."""
    unknown = set(values) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError(
            _("不能修改的字段 (fields that cannot be changed): %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        report = _locked(report, user, expected_version)
        deny(can_edit_report(user, report))
        if reason:
            report._change_reason = reason
        for name, value in values.items():
            setattr(report, name, value)
        report.full_clean(validate_unique=False, validate_constraints=True)
        report.save()
    return report


@retry_on_conflict
def report_submit(*, user, report: ProgressReport, expected_version: int | None = None) -> ProgressReport:
    """The unit leader sends the report to the office (pending/returned → submitted). A
    returned report's comment was answered by this submission: it is cleared, so the office
    reviews the new text with an empty 审核意见 and an approval never carries the old return
    comment as its own; the report's history keeps it."""
    with transaction.atomic():
        report = _locked(report, user, expected_version)
        deny(can_submit_report(user, report))
        if not report.progress.strip():
            raise ValidationError(_("请先填写本期进展情况再报送 (fill in the progress before submitting)"))
        report.state, report.review_comment = ReportState.SUBMITTED, ""
        report.submitted_at, report.submitted_by = timezone.now(), user
        report.office_opened_at = None  # a new submission the office has not looked at yet
        report.save()
    return report


@retry_on_conflict
def report_withdraw(*, user, report: ProgressReport, expected_version: int | None = None) -> ProgressReport:
    """The unit leader takes a submitted report back before the office opened it
    (submitted → pending): its content stays for further editing, 报送人 and 报送时间 are
    cleared (it is no longer submitted); the report's history keeps the submission and
    records the withdrawal by `user`."""
    with transaction.atomic():
        report = _locked(report, user, expected_version)
        deny(can_withdraw_report(user, report))
        report.state, report.submitted_at, report.submitted_by = ReportState.PENDING, None, None
        report._change_reason = _("撤回报送 (withdrawn)")
        report.save()
    return report


def report_mark_opened(*, user, report: ProgressReport) -> bool:
    """Office staff of the report's plan opened a submitted report: record the first time
    (office_opened_at), after which its unit can no longer withdraw it. True if this call
    set it.

    One UPDATE of that column alone, guarded by its WHERE (still submitted, not yet
    opened), not a save(): a save would raise the version (Versioned) and so make the
    leader's and the office's open forms of the report stale, although nothing anyone
    edits changed; and reading a report is not an edit the history needs to list. The
    guard makes it race-free without a lock: a withdrawal that commits first leaves the
    report pending and nothing is set; one that comes after reads the time under its row
    lock and is refused. Only the plan's office staff set it (a superuser counts as office,
    as everywhere in plans.permissions); a unit's account opening it sets nothing."""
    if report.state != ReportState.SUBMITTED or report.office_opened_at is not None:
        return False
    if can_review_report(user, report):
        return False
    opened_at = timezone.now()
    changed = ProgressReport.objects.filter(
        pk=report.pk, state=ReportState.SUBMITTED, office_opened_at__isnull=True
    ).update(office_opened_at=opened_at)
    if changed:
        report.office_opened_at = opened_at
    return bool(changed)


def _reviewed(report: ProgressReport, user, state: str, comment: str, expected_version: int | None) -> ProgressReport:
    """Record the office's decision on a submitted report (inside the caller's transaction)."""
    report = _locked(report, user, expected_version)
    deny(can_review_report(user, report))
    report.state, report.review_comment = state, (comment or "").strip()
    report.reviewed_at, report.reviewed_by = timezone.now(), user
    report.save()
    return report


@retry_on_conflict
def report_approve(
    *, user, report: ProgressReport, comment: str = "", expected_version: int | None = None
) -> ProgressReport:
    """The office approves: the report is locked and its status becomes the task's status
    (the task is locked first: "Lock order"), while the task is 办理中. A report marked
    已完成 does not complete the task: the lead unit's proposes 办结 (a CompletionClaim the
    office then accepts or returns); a task already claimed, done or closed keeps its status."""
    with transaction.atomic():
        task_id = report.task_id or ProgressReport.objects.values_list("task_id", flat=True).get(pk=report.pk)
        Task.objects.select_for_update(no_key=True).filter(pk=task_id).first()
        report = _reviewed(report, user, ReportState.APPROVED, comment, expected_version)
        task = report.task
        task._history_user = user
        if report.status == TaskStatus.COMPLETED:
            claim_from_report(user=user, report=report, task=task)
        elif task.closure == Closure.OPEN and task.status != report.status:
            task.status, task.completed_at = report.status, None
            task.save()
    return report


@retry_on_conflict
def report_return(*, user, report: ProgressReport, comment: str, expected_version: int | None = None) -> ProgressReport:
    """The office sends the report back with a comment (submitted → returned)."""
    if not (comment or "").strip():
        raise ValidationError(_("退回时请填写审核意见 (a comment is required to return a report)"))
    with transaction.atomic():
        report = _reviewed(report, user, ReportState.RETURNED, comment, expected_version)
    return report


@retry_on_conflict
def supporting_input_save(*, user, report: ProgressReport, text: str) -> SupportingInput:
    """A supporting unit's input to the lead's report for the task and period."""
    if not (text or "").strip():
        raise ValidationError(_("请填写配合情况 (the input is empty)"))
    with transaction.atomic():
        report = _locked(report, user)
        deny(can_add_supporting_input(user, report))
        unit = membership(user).unit
        contribution = (
            SupportingInput.objects.filter(report=report, unit=unit).first()
            or SupportingInput(report=report, unit=unit)
        )
        contribution.text, contribution.author = text.strip(), user
        contribution._history_user = user
        contribution.save()
    return contribution
