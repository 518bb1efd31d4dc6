"""本期待办: a unit's reports in the open periods of its plans, what is still to report first,
and the lead units' reports it supports (需要我配合的任务). A constant number of queries."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Exists, F, OuterRef, Prefetch
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans.models import (
    Assignment,
    ProgressReport,
    ReportState,
    Role,
    SupportingInput,
    Unit,
    acting_unit_ids,
)
from plans.permissions import membership

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

    @property
    def is_to_report(self) -> bool:
        return self.report.state in TO_REPORT

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
    title: str
    rows: list[InboxRow]


@dataclass(frozen=True)
class Inbox:
    unit: Unit
    groups: list[InboxGroup]
    supporting: list[InboxRow]

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


def inbox_data(unit: Unit, acting: set[int], today: datetime.date) -> Inbox:
    rows = [
        InboxRow(report, [role_label(assignment, unit) for assignment in report.task.mine], today)
        for report in unit_reports(unit, acting)
    ]
    groups = [
        InboxGroup(_("待填报/已退回"), [row for row in rows if row.report.state in TO_REPORT]),
        InboxGroup(
            str(ReportState.SUBMITTED.label), [row for row in rows if row.report.state == ReportState.SUBMITTED],
        ),
        InboxGroup(
            str(ReportState.APPROVED.label), [row for row in rows if row.report.state == ReportState.APPROVED],
        ),
    ]
    supporting = [InboxRow(report, [], today) for report in supported_reports(unit, acting)]
    return Inbox(unit, groups, supporting)


@staff_member_required
def inbox(request):
    member = membership(request.user)
    context = {
        **admin.site.each_context(request),
        "title": _("本期待办"),
        "inbox": inbox_data(member.unit, acting_unit_ids(request.user), timezone.localdate()) if member else None,
    }
    return render(request, "plans/inbox.html", context)
