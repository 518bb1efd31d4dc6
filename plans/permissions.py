"""Who may do what, in one place: the admin, the services (and so the API) ask here.

Each `can_*` answers with a reason: "" when allowed, else a sentence for the user. The
services raise PermissionDenied with that sentence; the admin hides what is not allowed.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from plans.models import (
    Acknowledgement,
    Assignment,
    ClaimState,
    Closure,
    CompletionClaim,
    Deadline,
    DeadlineKind,
    ExtensionRequest,
    MemberRole,
    Membership,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    RequestState,
    Role,
    Target,
    Task,
    acting_unit_ids,
    sees_everything,
)

EDITABLE_STATES = (ReportState.PENDING, ReportState.RETURNED)


def membership(user) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_membership"):
        user._membership = Membership.objects.select_related("unit").filter(user=user).first()
    return user._membership


def is_office(user, plan: Plan | int) -> bool:
    """Office staff (督办) of the plan, or a superuser."""
    if sees_everything(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    plan_id = plan if isinstance(plan, int) else plan.pk
    return plan_id in managed_plan_ids(user)


def managed_plan_ids(user) -> set[int]:
    """Read once per request (the admin asks for every model of its sidebar)."""
    if not hasattr(user, "_managed_plan_ids"):
        user._managed_plan_ids = set(user.office_plans.values_list("pk", flat=True))
    return user._managed_plan_ids


def is_office_anywhere(user) -> bool:
    return sees_everything(user) or (getattr(user, "is_authenticated", False) and bool(managed_plan_ids(user)))


def _of_unit(user, report: ProgressReport) -> bool:
    member = membership(user)
    return member is not None and member.unit_id == report.unit_id


def _closed(task_closure: str) -> str:
    if task_closure == Closure.CLOSED:
        return _("任务已销号，不再需要报送或修改 (the task is closed)")
    return ""


def can_edit_report(user, report: ProgressReport) -> str:
    """Officials and leaders edit their own unit's reports in open periods until submitted;
    office staff may correct a report of their plan until it is approved. A closed (销号)
    task's reports are locked."""
    if report.state == ReportState.APPROVED:
        return _("报告已审核通过，不能再修改 (the report is approved and locked)")
    if _closed(report.task.closure):
        return _closed(report.task.closure)
    if is_office(user, report.period.plan_id):
        return ""
    if not _of_unit(user, report):
        return _("只能填报本单位的报告 (you can only fill in your own unit's reports)")
    if not report.period.is_open:
        return _("该报送周期未开放填报 (this reporting period is not open)")
    if report.state not in EDITABLE_STATES:
        return _("报告已报送，等待审核，退回后才能修改 (the report is submitted; it can be edited once returned)")
    return ""


def can_submit_report(user, report: ProgressReport) -> str:
    """Only a leader (单位负责人) of the report's unit sends it to the office."""
    if not _of_unit(user, report):
        return _("只能报送本单位的报告 (you can only submit your own unit's reports)")
    if membership(user).role != MemberRole.LEADER:
        return _("只有单位负责人才能报送 (only the unit leader can submit)")
    if _closed(report.task.closure):
        return _closed(report.task.closure)
    if not report.period.is_open:
        return _("该报送周期未开放填报 (this reporting period is not open)")
    if report.state not in EDITABLE_STATES:
        return _("报告当前状态不能报送 (the report cannot be submitted in its current state)")
    return ""


def can_withdraw_report(user, report: ProgressReport) -> str:
    """A leader of the report's unit takes a submitted report back (to 待填报, its content
    kept) while the period is open and until office staff have opened it
    (`office_opened_at`): from then on the office may be reviewing it."""
    if not _of_unit(user, report):
        return _("只能撤回本单位的报告 (you can only withdraw your own unit's reports)")
    if membership(user).role != MemberRole.LEADER:
        return _("只有单位负责人才能撤回报送 (only the unit leader can withdraw a report)")
    if report.state != ReportState.SUBMITTED:
        return _("只能撤回已报送、尚未审核的报告 (only a submitted report awaiting review can be withdrawn)")
    if not report.period.is_open:
        return _("该报送周期未开放填报 (this reporting period is not open)")
    if report.office_opened_at is not None:
        return _("督办已查阅该报告，不能撤回 (the office has already opened the report)")
    return ""


def can_review_report(user, report: ProgressReport) -> str:
    if not is_office(user, report.period.plan_id):
        return _("只有督办人员才能审核 (only office staff review reports)")
    if report.state != ReportState.SUBMITTED:
        return _("只能审核已报送的报告 (only submitted reports can be reviewed)")
    return ""


def can_add_supporting_input(user, report: ProgressReport) -> str:
    """A supporting unit (配合单位) of the task adds its input to the lead's report."""
    member = membership(user)
    if member is None or not Assignment.objects.filter(
        task_id=report.task_id, role=Role.SUPPORTING, unit_id__in=acting_unit_ids(user)
    ).exists():
        return _("只有该任务的配合单位才能提供配合情况 (only the task's supporting units add input)")
    if not report.period.is_open:
        return _("该报送周期未开放填报 (this reporting period is not open)")
    if report.state not in EDITABLE_STATES:
        return _("牵头单位报告已报送，不能再补充 (the lead's report is already submitted)")
    return ""


def can_manage_plan(user, plan: Plan | int) -> str:
    """Plan structure, assignments, deadlines and periods: office staff only."""
    return "" if is_office(user, plan) else _("只有督办人员才能修改方案、分工和时限 (only office staff change plans)")


def can_change_node(user, node) -> str:
    """A section's or task's own fields: office staff, while the task is not 销号 (closed for
    good: reopening it comes first)."""
    if reason := can_manage_plan(user, node.plan_id):
        return reason
    if node.closure == Closure.CLOSED:
        return _("任务已销号，不能再修改；如需修改请先重新打开 (the task is closed; reopen it first)")
    return ""


def can_edit_reference(user) -> str:
    """Units and their aliases, shared by every plan: office staff and superusers."""
    return "" if is_office_anywhere(user) else _("只有督办人员才能修改单位 (only office staff change units)")


def can_create_plan(user) -> str:
    """A new plan (its creator then names its office staff): office staff and superusers."""
    return "" if is_office_anywhere(user) else _("只有督办人员才能新建方案 (only office staff create plans)")


def can_apply_plan_import(user, draft) -> str:
    """A draft plan import is confirmed or discarded by its uploader (or a superuser)."""
    if sees_everything(user) or draft.uploaded_by_id == getattr(user, "pk", None):
        return ""
    return _("只有上传人才能确认或删除这次导入 (only the uploader confirms or discards an import)")


def can_manage_accounts(user) -> str:
    """Which unit an account acts for, and in which role: superusers only."""
    return "" if sees_everything(user) else _("只有系统管理员才能管理账号 (only administrators manage accounts)")


def can_edit_profile(user, account) -> str:
    """A person's name, position and phone: the person themself, or a superuser."""
    if sees_everything(user) or (getattr(user, "pk", None) is not None and user.pk == account.pk):
        return ""
    return _("只能修改本人的信息 (you can only change your own details)")


def can_enter_indicator_value(user, target: Target, period: ReportingPeriod) -> str:
    """The owner unit's accounts enter an indicator's value for an open period of its plan;
    office staff of the plan enter or correct any period's value."""
    if period.plan_id != target.plan_id:
        return _("报送周期不属于该指标所在的方案 (the period belongs to another plan)")
    if is_office(user, target.plan_id):
        return ""
    member = membership(user)
    if member is None or target.owner_id is None or target.owner_id not in acting_unit_ids(user):
        return _("只有指标的责任单位才能填报实际值 (only the indicator's owner unit enters its values)")
    if not period.is_open:
        return _("该报送周期未开放填报 (this reporting period is not open)")
    if not target.is_active:
        return _("该指标已停用 (the indicator is no longer active)")
    return ""


def can_manage_feed(user, *, unit=None, plan=None) -> str:
    """A unit's calendar feed: the unit's own accounts; a plan's: its office staff."""
    if plan is not None:
        if is_office(user, plan):
            return ""
        return _("只有督办人员才能管理方案的日历订阅 (only office staff manage a plan's feeds)")
    member = membership(user)
    if sees_everything(user) or (member is not None and unit is not None and member.unit_id == unit.pk):
        return ""
    return _("只能管理本单位的日历订阅 (you can only manage your own unit's feeds)")


# The supervision cycle (DOMAIN.md §5): 签收, 延期申请, 办结申请, 销号, comments, evidence, people.


def _member_of(user, unit_id: int | None) -> bool:
    member = membership(user)
    return member is not None and unit_id is not None and member.unit_id == unit_id


def _leads(user, task: Task | int) -> bool:
    """The user acts for the task's lead unit (牵头单位), a collective lead through its members."""
    task_id = task if isinstance(task, int) else task.pk
    units = acting_unit_ids(user)
    return bool(units) and Assignment.objects.filter(task_id=task_id, is_lead=True, unit_id__in=units).exists()


def _is_leader(user) -> bool:
    member = membership(user)
    return member is not None and member.role == MemberRole.LEADER


def can_acknowledge(user, acknowledgement: Acknowledgement) -> str:
    """签收: an official or leader of the unit, once."""
    if not _member_of(user, acknowledgement.unit_id):
        return _("只能签收本单位的事项 (you can only acknowledge for your own unit)")
    if acknowledgement.acknowledged_at is not None:
        return _("已签收，无需重复签收 (already acknowledged)")
    return ""


def can_request_extension(user, deadline: Deadline, today) -> str:
    """延期申请: the leader of the task's lead unit, for a dated 完成时限 of an open task, before
    the date has passed (after it only where the plan allows late requests)."""
    task = deadline.task
    if not _leads(user, task):
        return _("只有牵头单位才能申请延期 (only the lead unit requests an extension)")
    if not _is_leader(user):
        return _("延期申请须由单位负责人提出 (only the unit leader requests an extension)")
    if task.closure != Closure.OPEN:
        return _("任务已申请办结或已办结，不能申请延期 (the task is claimed or done)")
    if deadline.kind != DeadlineKind.DUE or deadline.date is None:
        return _("只能对有日期的完成时限申请延期 (only a dated completion deadline can be extended)")
    if deadline.date < today and not task.plan.allow_late_extensions:
        return _("完成时限已过，不能再申请延期；如确需延期请联系督办 (the deadline has passed)")
    if ExtensionRequest.objects.filter(deadline=deadline, state=RequestState.PENDING).exists():
        return _("该时限已有待审批的延期申请 (this deadline already has an open request)")
    return ""


def can_decide_extension(user, request: ExtensionRequest) -> str:
    if not is_office(user, request.task.plan_id):
        return _("只有督办人员才能审批延期申请 (only office staff decide extension requests)")
    if request.state != RequestState.PENDING:
        return _("该申请已审批 (the request has already been decided)")
    return ""


def can_claim_completion(user, task: Task) -> str:
    """办结申请: the leader of the task's lead unit, for a task still 办理中."""
    if not _leads(user, task):
        return _("只有牵头单位才能申请办结 (only the lead unit claims completion)")
    if not _is_leader(user):
        return _("办结申请须由单位负责人提出 (only the unit leader claims completion)")
    if task.closure != Closure.OPEN:
        return _("任务已申请办结或已办结 (the task is already claimed or done)")
    return ""


def can_decide_claim(user, claim: CompletionClaim) -> str:
    if not is_office(user, claim.task.plan_id):
        return _("只有督办人员才能审核办结申请 (only office staff decide completion claims)")
    if claim.state != ClaimState.SUBMITTED:
        return _("该办结申请已审核 (the claim has already been decided)")
    return ""


def can_close_task(user, task: Task) -> str:
    """销号: office staff, for a task that is 已办结."""
    if not is_office(user, task.plan_id):
        return _("只有督办人员才能销号 (only office staff close tasks)")
    if task.closure != Closure.DONE:
        return _("只有已办结的任务才能销号 (only a task accepted as done can be closed)")
    return ""


def can_reopen_task(user, task: Task) -> str:
    """Office staff reopen a task that is 已办结 or 已销号 (with a reason)."""
    if not is_office(user, task.plan_id):
        return _("只有督办人员才能重新打开任务 (only office staff reopen tasks)")
    if task.closure not in (Closure.DONE, Closure.CLOSED):
        return _("只有已办结或已销号的任务才能重新打开 (only a done or closed task can be reopened)")
    return ""


def can_comment(user, task: Task, *, instruction: bool = False) -> str:
    """The task's thread: its plan's office staff and the units holding a role on it; a 批示
    only from a leader (a unit leader, or office staff)."""
    office = is_office(user, task.plan_id)
    units = acting_unit_ids(user)
    if not office and not (units and Assignment.objects.filter(task=task, unit_id__in=units).exists()):
        return _("只有督办人员和该任务的单位才能留言 (only the office and the task's units comment)")
    if instruction and not (office or _is_leader(user)):
        return _("只有领导才能作批示 (only leaders write instructions)")
    return ""


def can_name_people(user, assignment: Assignment) -> str:
    """责任领导 and 联系人 of a unit's part in a task: the unit's own accounts, or office staff."""
    if is_office(user, assignment.task.plan_id) or _member_of(user, assignment.unit_id):
        return ""
    return _("只能为本单位的分工指定责任人 (you can only name people for your own unit's part)")


def can_change_attachments(user, owner) -> str:
    """Adding or removing evidence follows its owner's lock: a report's while it can be
    edited (never after approval), a supporting input's while the lead's report is open to
    input (by its unit), a request's while pending and a claim's while awaiting review (by
    the unit that filed it, or office staff)."""
    if isinstance(owner, ProgressReport):
        return can_edit_report(user, owner)
    if isinstance(owner, ExtensionRequest):
        plan_id, locked = owner.task.plan_id, owner.state != RequestState.PENDING
    elif isinstance(owner, CompletionClaim):
        plan_id, locked = owner.task.plan_id, owner.state != ClaimState.SUBMITTED
    else:  # SupportingInput
        reason = can_add_supporting_input(user, owner.report)
        if reason or _member_of(user, owner.unit_id):
            return reason
        return _("只能修改本单位的配合情况附件 (only your own unit's input)")
    if locked:
        return _("已审核，附件不能再增删 (decided: its attachments are locked)")
    if is_office(user, plan_id) or _member_of(user, owner.unit_id):
        return ""
    return _("只能为本单位的申请上传附件 (only your own unit's requests)")
