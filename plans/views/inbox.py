"""本期待办: a unit's reports in the open periods of its plans, what is still to report first —
filled in and waiting for the leader (已填写待报送) apart from those still empty (未填写) —
and the lead units' reports it supports (需要我配合的任务). Above them, the supervision cycle's
part (plans.views.inbox_cycle): 签收 waiting, answers to the unit's requests, messages to it.
A constant number of queries.

A unit leader submits several filled reports from here after one confirmation page
(services.reports_submit: all or nothing) and withdraws a submitted report the office has
not opened yet (services.report_withdraw); both are posts to this page."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans import services
from plans.models import (
    Assignment,
    MemberRole,
    ProgressReport,
    ReportState,
    Role,
    SupportingInput,
    Unit,
    acting_unit_ids,
)
from plans.permissions import can_submit_report, can_withdraw_report, membership
from plans.views.inbox_cycle import acknowledge_post, cycle_inbox

TO_REPORT = (ReportState.PENDING, ReportState.RETURNED)


def deadline_text(due: datetime.date, today: datetime.date) -> str:
    """还剩N天, 今日截止 or 逾期N天: lateness derived from the due date, never stored."""
    days = (due - today).days
    if days < 0:
        return ngettext("逾期%(days)d天", "逾期%(days)d天", -days) % {"days": -days}
    if days == 0:
        return _("今日截止")
    return ngettext("还剩%(days)d天", "还剩%(days)d天", days) % {"days": days}


def role_label(assignment: Assignment, unit: Unit) -> str:
    """牵头单位 / 责任单位 / 配合单位 / 负责落实, naming the collective when the role is its."""
    label = _("牵头单位") if assignment.is_lead else assignment.get_role_display()
    if assignment.unit_id != unit.pk:
        return _("%(role)s（%(collective)s）") % {"role": label, "collective": assignment.unit}
    return label


@dataclass(frozen=True)
class InboxRow:
    report: ProgressReport
    roles: list[str]
    today: datetime.date
    can_submit: bool = False  # the user may submit it: a leader, a filled report still to report
    can_withdraw: bool = False  # the user may take it back: a leader, submitted, not opened by the office

    @property
    def is_to_report(self) -> bool:
        return self.report.state in TO_REPORT

    @property
    def is_filled(self) -> bool:
        """本期进展情况 written: what a submission needs."""
        return bool(self.report.progress.strip())

    @property
    def is_late(self) -> bool:
        return self.is_to_report and self.report.period.due_date < self.today

    @property
    def comment(self) -> str:
        """The office's review comment on a returned report (what to fix), else ""."""
        return self.report.review_comment if self.report.state == ReportState.RETURNED else ""

    @property
    def deadline(self) -> str:
        return deadline_text(self.report.period.due_date, self.today) if self.is_to_report else "-"


@dataclass(frozen=True)
class InboxGroup:
    key: str  # filled, empty, submitted, approved
    title: str
    rows: list[InboxRow]


@dataclass(frozen=True)
class Inbox:
    unit: Unit
    groups: list[InboxGroup]
    supporting: list[InboxRow]
    is_leader: bool = False  # offered 报送所选 and 撤回

    @property
    def periods(self) -> list:
        """The open periods the unit reports in: each gets its sheet links (进展情况表)."""
        periods = {row.report.period.pk: row.report.period for group in self.groups for row in group.rows}
        return list(periods.values())


def unit_reports(unit: Unit, acting: set[int]):
    """The unit's reports in open periods, with the unit's own assignments on each task."""
    mine = Assignment.objects.filter(unit__in=acting).select_related("unit").order_by("role", "position")
    return (
        ProgressReport.objects.filter(unit=unit, period__is_open=True)
        .select_related("task", "period__plan")
        .prefetch_related(Prefetch("task__assignments", mine, to_attr="mine"))
        .order_by("period__due_date", "period__plan__title", "task__position")
    )


def supported_reports(unit: Unit, acting: set[int]):
    """The lead units' reports in open periods for tasks where the unit is a 配合单位."""
    supported = Assignment.objects.filter(role=Role.SUPPORTING, unit__in=acting).values("task_id")
    return (
        ProgressReport.objects.filter(
            period__is_open=True, task__in=supported, task__assignments__is_lead=True,
            task__assignments__unit=F("unit"),
        )
        .exclude(unit=unit)
        .select_related("task", "unit", "period__plan")
        .annotate(has_my_input=Exists(SupportingInput.objects.filter(report=OuterRef("pk"), unit=unit)))
        .order_by("period__due_date", "period__plan__title", "task__position")
    )


def inbox_data(unit: Unit, acting: set[int], today: datetime.date, user=None) -> Inbox:
    """The unit's rows in groups; given the `user` looking, which rows they may submit or
    withdraw (the rules read what the rows already hold: no query per row)."""
    rows = []
    for report in unit_reports(unit, acting):
        rows.append(InboxRow(
            report, [role_label(assignment, unit) for assignment in report.task.mine], today,
            can_submit=user is not None and not submit_refusal(user, report),
            can_withdraw=user is not None and not can_withdraw_report(user, report),
        ))
    to_report = [row for row in rows if row.is_to_report]
    groups = [
        InboxGroup("filled", _("已填写待报送"), [row for row in to_report if row.is_filled]),
        InboxGroup("empty", _("未填写"), [row for row in to_report if not row.is_filled]),
        InboxGroup(
            "submitted", str(ReportState.SUBMITTED.label),
            [row for row in rows if row.report.state == ReportState.SUBMITTED],
        ),
        InboxGroup(
            "approved", str(ReportState.APPROVED.label),
            [row for row in rows if row.report.state == ReportState.APPROVED],
        ),
    ]
    supporting = [InboxRow(report, [], today) for report in supported_reports(unit, acting)]
    member = membership(user) if user is not None else None
    return Inbox(unit, groups, supporting, is_leader=member is not None and member.role == MemberRole.LEADER)


def submit_refusal(user, report: ProgressReport) -> str:
    """Why report_submit would refuse the report ("" if it would not)."""
    if reason := can_submit_report(user, report):
        return reason
    return "" if report.progress.strip() else _("请先填写本期进展情况再报送 (fill in the progress before submitting)")


# --- posts: 撤回 one report, 报送所选 (confirmation page, then the batch) ---------------------
def chosen_reports(request, ids: list[str]) -> list[ProgressReport] | None:
    """The reports of `ids` among those the user may see; None if any is not (or no number)."""
    if not all(value.isdigit() for value in ids):
        return None
    found = list(
        ProgressReport.objects.visible_to(request.user).filter(pk__in=ids)
        .select_related("task", "unit", "period__plan").order_by("period__due_date", "task__position", "pk")
    )
    return found if len(found) == len(set(ids)) else None


def posted_versions(request, reports) -> dict[int, int]:
    """{report id: version} as the page showed them (version_<id> fields)."""
    values = {report.pk: request.POST.get(f"version_{report.pk}", "") for report in reports}
    return {pk: int(value) for pk, value in values.items() if value.isdigit()}


def refusal_text(refusal) -> str:
    return " ".join(getattr(refusal, "messages", [str(refusal)]))


REFUSALS = (PermissionDenied, ValidationError, services.StaleVersion)


def withdraw_post(request):
    reports = chosen_reports(request, [request.POST["withdraw"]])
    if not reports:
        messages.error(request, _("所选报告不存在或您无权查看。"))
        return redirect("inbox")
    report = reports[0]
    try:
        services.report_withdraw(
            user=request.user, report=report, expected_version=posted_versions(request, reports).get(report.pk),
        )
    except REFUSALS as refusal:
        messages.error(request, refusal_text(refusal))
    else:
        messages.success(request, _("已撤回报送，报告回到待填报，可修改后重新报送。"))
    return redirect("inbox")


def submit_post(request):
    reports = chosen_reports(request, request.POST.getlist("reports"))
    if reports is None:
        messages.error(request, _("所选报告不存在或您无权查看。"))
        return redirect("inbox")
    if not reports:
        messages.warning(request, _("请先勾选要报送的报告。"))
        return redirect("inbox")
    if "confirm_submit" in request.POST:
        try:
            services.reports_submit(
                user=request.user, reports=reports, expected_versions=posted_versions(request, reports),
            )
        except REFUSALS as refusal:
            messages.error(request, refusal_text(refusal))
        else:
            messages.success(request, _("已报送 %(count)d 份报告，等待督办审核。") % {"count": len(reports)})
        return redirect("inbox")
    rows = [(report, submit_refusal(request.user, report)) for report in reports]
    context = {
        **admin.site.each_context(request),
        "title": _("确认报送以下报告"),
        "rows": rows,
        "refused": any(reason for _report, reason in rows),
    }
    return render(request, "plans/inbox_confirm.html", context)


@staff_member_required
def inbox(request):
    member = membership(request.user)
    if request.method == "POST" and member is not None:
        if "acknowledge" in request.POST:
            return acknowledge_post(request)
        if "withdraw" in request.POST:
            return withdraw_post(request)
        if "submit_selected" in request.POST or "confirm_submit" in request.POST:
            return submit_post(request)
        return redirect("inbox")
    today, acting = timezone.localdate(), acting_unit_ids(request.user)
    context = {
        **admin.site.each_context(request),
        "title": _("本期待办"),
        "inbox": inbox_data(member.unit, acting, today, request.user) if member else None,
        "cycle": cycle_inbox(request.user, member.unit, acting, today) if member else None,
    }
    return render(request, "plans/inbox.html", context)
