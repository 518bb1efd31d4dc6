"""Reminders (催报, the office chasing units for their reports): e-mail each unit's accounts
before a report is due (7, 3 and 1 days ahead), daily once it is late, when a task it is
responsible for comes due and daily once that task is overdue. The people a unit named for
its part in a task (责任领导, 联系人, with an e-mail address) get its notices first; a unit that
named no one for some of them is reached through all its accounts too. One e-mail per unit, rule
and day; the Reminder row is both the record and the guard, so the command may run every hour."""
from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from plans import progress
from plans.models import (
    Acknowledgement,
    Assignment,
    AssignmentPerson,
    Membership,
    Plan,
    ProgressReport,
    Reminder,
    ReminderRule,
    ReportState,
    Role,
    Task,
    TaskStatus,
    Unit,
)

logger = logging.getLogger(__name__)

TEMPLATE = "emails/reminder.txt"
REPORT_DUE_RULES = {7: ReminderRule.REPORT_DUE_7, 3: ReminderRule.REPORT_DUE_3, 1: ReminderRule.REPORT_DUE_1}
TASK_DUE_DAYS = (7, 3, 1)
_SUBJECT_TITLE_CHARS = 60


# --- pure helpers -------------------------------------------------------------------------
@dataclass(frozen=True)
class ReminderItem:
    """One line of a reminder: a report (with its period) or a task."""

    label: str  # task path + title: "三、(一)1. 大力推广实施清洁能源"
    plan: str
    due: datetime.date
    days_left: int  # negative once late
    period: str = ""
    plan_id: int | None = None  # whose office may read the reminder (Reminder.plans)
    task_id: int | None = None  # whose named people (责任领导/联系人) get it first

    @property
    def days_late(self) -> int:
        return -self.days_left


@dataclass(frozen=True)
class PlannedReminder:
    """One e-mail to one unit for one rule on one day."""

    unit: Unit
    rule: str
    items: tuple[ReminderItem, ...]
    recipients: tuple[str, ...]
    subject: str
    body: str


def report_rule(due: datetime.date, today: datetime.date) -> str | None:
    """The rule a report still to be sent (pending or returned) falls under today: 7, 3 or 1
    days before its period's due date, and every day after it (逾期未报)."""
    days_left = (due - today).days
    if days_left < 0:
        return ReminderRule.REPORT_LATE
    return REPORT_DUE_RULES.get(days_left)


def task_rule(
    start: datetime.date | None, due: datetime.date | None, completed: bool, today: datetime.date
) -> str | None:
    """The rule an uncompleted task falls under today: overdue every day after its due date;
    due soon (临期, see progress.is_due_soon) on the day it becomes due soon and again 7, 3
    and 1 days ahead — not every day of its window, which for a long task spans weeks."""
    if progress.is_overdue(due, completed, today):
        return ReminderRule.TASK_OVERDUE
    if not progress.is_due_soon(start, due, completed, today):
        return None
    entered_today = not progress.is_due_soon(start, due, completed, today - datetime.timedelta(days=1))
    if entered_today or (due - today).days in TASK_DUE_DAYS:
        return ReminderRule.TASK_DUE_SOON
    return None


def reminder_subject(rule: str, items: list[ReminderItem] | tuple[ReminderItem, ...]) -> str:
    """"【催报】鹤壁市2016年度蓝天工程实施方案：3项进展报告将于3天后到期"."""
    plans = list(dict.fromkeys(item.plan for item in items))
    where = Truncator(plans[0]).chars(_SUBJECT_TITLE_CHARS)
    if len(plans) > 1:
        where = _("%(plan)s等%(count)d个方案") % {"plan": where, "count": len(plans)}
    count = len(items)
    if rule in REPORT_DUE_RULES.values():
        what = _("%(count)d项进展报告将于%(days)d天后到期") % {"count": count, "days": items[0].days_left}
    elif rule == ReminderRule.REPORT_LATE:
        what = _("%(count)d项进展报告逾期未报") % {"count": count}
    elif rule == ReminderRule.TASK_DUE_SOON:
        what = _("%(count)d项任务临近完成时限") % {"count": count}
    elif rule == ReminderRule.ACK_LATE:
        what = _("%(count)d项交办或报送事项超时未签收") % {"count": count}
    else:
        what = _("%(count)d项任务超期未完成") % {"count": count}
    return _("【催报】%(where)s：%(what)s") % {"where": where, "what": what}


def reminder_body(unit: Unit, rule: str, items, today: datetime.date) -> str:
    return render_to_string(TEMPLATE, {
        "unit": unit, "rule": rule, "rules": ReminderRule, "items": items, "today": today,
        "is_report": rule not in (ReminderRule.TASK_DUE_SOON, ReminderRule.TASK_OVERDUE, ReminderRule.ACK_LATE),
    })


# --- what is due today --------------------------------------------------------------------
def _report_items(today: datetime.date) -> dict[tuple[Unit, str], list[ReminderItem]]:
    """Reports of open periods, of active tasks, still to be sent: due in 7/3/1 days or late.
    One query."""
    ahead = [today + datetime.timedelta(days=days) for days in REPORT_DUE_RULES]
    base = ProgressReport.objects.filter(period__is_open=True, task__is_active=True)
    reports = (
        base.late(today)
        | base.filter(state__in=[ReportState.PENDING, ReportState.RETURNED], period__due_date__in=ahead)
    ).select_related("unit", "task__plan", "period").order_by("period__due_date", "task__plan_id", "task__position")
    found = defaultdict(list)
    for report in reports:
        rule = report_rule(report.period.due_date, today)
        if rule is None:
            continue
        found[(report.unit, rule)].append(ReminderItem(
            label=str(report.task), plan=report.task.plan.title, due=report.period.due_date,
            days_left=(report.period.due_date - today).days, period=report.period.label, plan_id=report.task.plan_id,
            task_id=report.task_id,
        ))
    return found


def _acknowledgement_items(today: datetime.date) -> dict[tuple[Unit, str], list[ReminderItem]]:
    """签收 past its 时限 and still unsigned, in plans still running: chased every day until
    signed (a late 签收 also counts against the unit). One query."""
    waiting = (
        Acknowledgement.objects.waiting().filter(due_on__lt=today, plan__in=Plan.objects.running(today))
        .select_related("unit", "plan", "period").order_by("due_on", "plan_id", "pk")
    )
    found = defaultdict(list)
    for row in waiting:
        what = _("%(period)s报送任务") % {"period": row.period.label} if row.period_id else _("任务交办")
        found[(row.unit, ReminderRule.ACK_LATE)].append(ReminderItem(
            label=_("签收：%(what)s") % {"what": what}, plan=row.plan.title, due=row.due_on,
            days_left=(row.due_on - today).days, plan_id=row.plan_id,
        ))
    return found


def _responsible_units(task: Task) -> list[Unit]:
    """The units answering for a task: its responsible units, a collective through its members."""
    units = []
    for assignment in task.assignments.all():
        members = list(assignment.unit.members.all()) if assignment.unit.is_collective else []
        units.extend(members or [assignment.unit])
    return list({unit.pk: unit for unit in units}.values())


def _task_items(today: datetime.date) -> dict[tuple[Unit, str], list[ReminderItem]]:
    """Active, uncompleted tasks with a due date (完成时限) that is near or passed, for each
    responsible unit, in plans still running: a plan whose 实施期 has ended is a record, its
    overdue tasks are not chased every day for years. Three queries whatever the number of tasks."""
    tasks = (
        Task.objects.tasks().active().exclude(status=TaskStatus.COMPLETED).with_schedule()
        .filter(due_date__isnull=False, plan__in=Plan.objects.running(today))
        .select_related("plan")
        .prefetch_related(
            Prefetch("assignments", Assignment.objects.filter(role=Role.RESPONSIBLE).select_related("unit")),
            "assignments__unit__members",
        )
        .order_by("due_date", "plan_id", "position")
    )
    found = defaultdict(list)
    for task in tasks:
        rule = task_rule(task.start_date, task.due_date, False, today)
        if rule is None:
            continue
        item = ReminderItem(
            label=str(task), plan=task.plan.title, due=task.due_date, days_left=(task.due_date - today).days,
            plan_id=task.plan_id, task_id=task.pk,
        )
        for unit in _responsible_units(task):
            found[(unit, rule)].append(item)
    return found


def _addresses(units) -> dict[int, tuple[str, ...]]:
    """The e-mail addresses of each unit's active accounts. One query."""
    addresses = defaultdict(set)
    memberships = (
        Membership.objects.filter(unit__in=[unit.pk for unit in units], user__is_active=True)
        .exclude(user__email="").select_related("user")
    )
    for membership in memberships:
        addresses[membership.unit_id].add(membership.user.email.strip())
    return {unit_id: tuple(sorted(emails)) for unit_id, emails in addresses.items()}


def _named_addresses(due) -> dict[tuple[int, int], set[str]]:
    """{(task id, unit id): e-mail addresses} of the people the unit named for its part in the
    task (责任领导, 联系人) who have an active account with an address. One query."""
    tasks = {item.task_id for items in due.values() for item in items if item.task_id is not None}
    units = {unit.pk for unit, _rule in due}
    named = (
        AssignmentPerson.objects.filter(
            assignment__task_id__in=tasks, assignment__unit_id__in=units, user__is_active=True,
        )
        .exclude(user__email="")
        .values_list("assignment__task_id", "assignment__unit_id", "user__email")
    )
    found = defaultdict(set)
    for task_id, unit_id, email in named:
        found[(task_id, unit_id)].add(email.strip())
    return found


def recipients_of(unit: Unit, items, named, addresses) -> tuple[str, ...]:
    """The people the unit named for the items' tasks (责任领导/联系人 with an e-mail address)
    first; when they answer for every item, they alone get the notice, else the unit's other
    accounts with an address get it too (after them)."""
    per_item = [named.get((item.task_id, unit.pk), set()) for item in items]
    chosen = sorted(set().union(*per_item))
    if all(per_item):
        return tuple(chosen)
    return (*chosen, *(address for address in addresses.get(unit.pk, ()) if address not in chosen))


def reminders_plan(*, today: datetime.date) -> tuple[list[PlannedReminder], list[Unit]]:
    """The e-mails due today that have not been sent yet, and the units that would get one but
    have no account with an e-mail address. Reads only; a constant number of queries."""
    due = {**_report_items(today), **_task_items(today), **_acknowledgement_items(today)}
    units = {unit.pk: unit for unit, _rule in due}
    addresses = _addresses(units.values())
    named = _named_addresses(due)
    already = set(
        Reminder.objects.filter(sent_on=today, unit__in=list(units)).order_by().values_list("unit_id", "rule")
    )
    planned, unaddressed = [], {}
    with translation.override(settings.LANGUAGE_CODE):
        for (unit, rule), items in sorted(
            due.items(), key=lambda pair: (pair[0][0].name, list(ReminderRule.values).index(pair[0][1]))
        ):
            if (unit.pk, rule) in already:
                continue
            recipients = recipients_of(unit, items, named, addresses)
            if not recipients:
                unaddressed[unit.pk] = unit
                continue
            planned.append(PlannedReminder(
                unit=unit, rule=rule, items=tuple(items), recipients=recipients,
                subject=reminder_subject(rule, items), body=reminder_body(unit, rule, items, today),
            ))
    return planned, sorted(unaddressed.values(), key=lambda unit: unit.name)


# --- sending ------------------------------------------------------------------------------
