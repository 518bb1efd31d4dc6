"""Who may do what, in one place: the admin, the services (and so the API) ask here.

Each `can_*` answers with a reason: "" when allowed, else a sentence for the user. The
services raise PermissionDenied with that sentence; the admin hides what is not allowed.
"""
from __future__ import annotations

from django.utils.translation import gettext as _

from plans.models import (
    Assignment,
    MemberRole,
    Membership,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    Target,
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


def can_edit_report(user, report: ProgressReport) -> str:
    """Officials and leaders edit their own unit's reports in open periods until submitted;
    office staff may correct a report of their plan until it is approved."""
    if report.state == ReportState.APPROVED:
        return _("报告已审核通过，不能再修改 (the report is approved and locked)")
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
