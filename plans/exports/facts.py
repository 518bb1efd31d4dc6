"""What a row of the progress sheet shows, worked out from a task with its details
(rows.TaskDetails) and the units by id, with no query: the task's light, lead and units by
role, its deadline, the cells shared by the task's rows and the cells of each report's row.
The sheet writer and the reader of returned sheets (plans.services.sheets) both use them."""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from plans.exports.layout import NOT_REPORTED, chinese_labels
from plans.models import (
    Closure,
    DeadlineKind,
    PersonKind,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    Task,
    TaskStatus,
    Unit,
)
from plans.progress import Light


def _names(units) -> str:
    return "、".join(str(unit) for unit in units)


@dataclass
class TaskFacts:
    """One task's per-task cells and the reports (one row each) shown under it."""

    task: Task
    light: str
    lead: Unit | None
    responsible: list[Unit]
    supporting: list[Unit]
    implementing: list[Unit]
    deadline: datetime.date | str
    closure: str = Closure.OPEN
    people: str = ""


def deadline_text(due: datetime.date | None, deadlines) -> datetime.date | str:
    """完成时限: the due date (a date cell); moved by an approved 延期申请, the date with its
    first date and how often it moved — 2016-12-31（原定 2016-10-31，延期1次）; no date: the
    deadlines' words."""
    if due is None:
        return "；".join(d.text for d in deadlines)
    moved = next(
        (d for d in deadlines if d.kind == DeadlineKind.DUE and d.date == due and d.original_date and d.extensions),
        None,
    )
    if moved is None:
        return due
    return f"{due.isoformat()}（原定 {moved.original_date.isoformat()}，延期{moved.extensions}次）"


def closure_text(closure: str) -> str:
    """办结: the task's Task.closure label once it is past 办理中 (办结申请中, 已办结, 已销号);
    empty while it is 办理中, as most tasks are (the sheet's note says so)."""
    return "" if closure == Closure.OPEN else chinese_labels(Closure)[closure]


def people_text(people) -> str:
    """责任人: 责任领导 and 联系人 the lead unit named, each with a phone when known."""
    labels = chinese_labels(PersonKind)
    lines = []
    for person in sorted(people, key=lambda person: person.kind != PersonKind.LEADER):  # the leader first
        phone = f" {person.shown_phone}" if person.shown_phone else ""
        lines.append(f"{labels.get(person.kind, person.kind)}：{person.shown_name}{phone}")
    return "\n".join(lines)


def acknowledged_text(acknowledgement, today: datetime.date) -> str:
    """签收 of a row's unit: 已签收 and the date; 未签收 (超时 once its 时限 passed); nothing when
    the unit had nothing to 签收 (a plan assigned before 签收 was recorded)."""
    if acknowledgement is None:
        return ""
    if acknowledgement.acknowledged_at is not None:
        return f"已签收\n{timezone.localdate(acknowledgement.acknowledged_at).isoformat()}"
    return "未签收\n（超时）" if acknowledgement.due_on < today else "未签收"


def task_facts(task: Task, today: datetime.date, units: dict[int, Unit]) -> TaskFacts:
    """From a task of `Task.objects.for_export()` given its TaskDetails, and the units by id
    (no query)."""
    by_role = defaultdict(list)
    lead = None
    for assignment in task.export_assignments:
        unit = units[assignment.unit_id]
        by_role[assignment.role].append(unit)
        if assignment.is_lead:
            lead = unit
    deadlines = task.export_deadlines
    due = task.due_date
    return TaskFacts(
        task=task,
        light=task.light(today),
        lead=lead,
        responsible=[unit for unit in by_role[Role.RESPONSIBLE] if unit != lead],
        supporting=by_role[Role.SUPPORTING],
        implementing=by_role[Role.IMPLEMENTING],
        deadline=deadline_text(due, deadlines),
        closure=getattr(task, "export_closure", Closure.OPEN),
        people=people_text(getattr(task, "export_people", ())),
    )


def is_late(report: ProgressReport | None, period: ReportingPeriod, today: datetime.date) -> bool:
    """逾期未报, for a report at hand (ProgressReportQuerySet.late says it in SQL)."""
    return (
        report is not None and report.state in (ReportState.PENDING, ReportState.RETURNED)
        and period.due_date < today
    )


def _remarks(report: ProgressReport | None, late: bool, units: dict[int, Unit]) -> str:
    if report is None:
        return ""
    parts = [chinese_labels(ReportState)[report.state] + ("（逾期未报）" if late else "")]
    if report.state == ReportState.RETURNED and report.review_comment:
        parts.append(f"退回意见：{report.review_comment}")
    parts.extend(f"配合单位{units[contribution.unit_id]}：{contribution.text}" for contribution in report.export_inputs)
    return "\n".join(parts)


def per_task_values(facts: TaskFacts, number: int) -> dict:
    """The cells a task's rows share (merged down over them), by column key."""
    responsible = _names(facts.responsible)
    if facts.implementing:
        responsible = "；".join(filter(None, [responsible, "负责落实：" + _names(facts.implementing)]))
    return {
        "number": number,
        "task": str(facts.task),
        "measures": facts.task.text,
        "lead": str(facts.lead or ""),
        "responsible": responsible,
        "supporting": _names(facts.supporting),
        "deadline": facts.deadline,
        "light": chinese_labels(Light)[facts.light],
        "closure": closure_text(facts.closure),
        "people": facts.people,
    }


def status_text(report: ProgressReport | None) -> str:
    """What 完成状态 shows: 未填报 for a unit that has said nothing of the period (no report,
    or a pending one still at the default status, which is not the unit's 未启动); the
    status a unit chose otherwise, a pending draft's too (备注 then says 待填报)."""
    if report is None or (report.state == ReportState.PENDING and report.status == TaskStatus.NOT_STARTED):
        return NOT_REPORTED
    return chinese_labels(TaskStatus)[report.status]


def report_values(
    unit: Unit | None, report: ProgressReport | None, late: bool, units: dict[int, Unit], acknowledged: str = "",
) -> dict:
    """The cells of one report's row (a unit with no report yet: empty), by column key, with
    the unit's 签收 (acknowledged_text). The status of a unit that has not reported reads
    未填报, never the report's default 未启动 (the unit said nothing: status_text); read back
    from a returned sheet, 未填报 changes nothing."""
    return {
        "unit": str(unit or ""),
        "acknowledged": acknowledged,
        "progress": report.progress if report else "",
        "problems": report.problems if report else "",
        "next_steps": report.next_steps if report else "",
        "status": status_text(report),
        "percent": report.percent if report else None,
        "remarks": _remarks(report, late, units),
    }


def rows_for_full(
    facts: TaskFacts, reports: list[ProgressReport], units: dict
) -> list[tuple[Unit | None, ProgressReport | None]]:
    """A row per report of the period, the lead's first; no report yet: one row for the lead."""
    if not reports:
        return [(facts.lead, None)]
    lead = facts.lead.pk if facts.lead else None
    ordered = sorted(reports, key=lambda report: (report.unit_id != lead, str(units[report.unit_id])))
    return [(units[report.unit_id], report) for report in ordered]
