"""The supervision cycle of the live demo plan (DOMAIN.md §5), played through the services at
the moments the demo says each step happened, after the reports' story (devtools/live_demo.py):

- 签收: the plan's 交办 at its start and each period's reporting duty when it opens; most units
  sign within the plan's 签收时限, the laggards late, a few of the open period's not yet (and
  the least diligent unit never signed the 交办);
- 延期申请: one approved (the deadline moved, its first date kept), one rejected, one pending;
- 办结申请: tasks past their deadline are claimed by their lead unit (or were, by an approved
  report marked 已完成); the office accepts most (已办结) and closes some of those (已销号),
  returns one, and the latest stays pending;
- the lead unit's 责任领导 and 联系人 named on some tasks, and a short thread with a 批示 on an
  overdue task.

Every choice is a stable function of positions and names, and every moment is a day of the
demo, so a build on a given day is always the same."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from plans import services
from plans.models import (
    Acknowledgement,
    Assignment,
    AssignmentPerson,
    ClaimState,
    Closure,
    CompletionClaim,
    Deadline,
    DeadlineKind,
    ExtensionRequest,
    PersonKind,
    ReportingPeriod,
    RequestState,
    Task,
    TaskComment,
)

EXTENSION_REASONS = (
    "受汛期影响，施工进度推迟，申请延期一个月。",
    "配套资金尚未全部到位，申请延期。",
    "设备采购招标流标，需重新招标，申请延期。",
)
CLAIM_SUMMARY = "已按要求全部完成，相关佐证材料已报市联席办备案。"
RETURN_COMMENT = "佐证材料不全，请补充验收报告后重新申请。"
REJECT_COMMENT = "延期理由不充分，请按原定时限完成。"


@dataclass(frozen=True)
class Cycle:
    """What the cycle did, for the summary line."""

    extensions: int
    claims: int
    comments: int
    people: int


def _days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


# --- 签收 ---------------------------------------------------------------------------------------
def sign_day(
    story, acknowledgement: Acknowledgement, start: datetime.date, *, number, diligence,
) -> datetime.date | None:
    """When the unit 签收s: a diligent unit within the 时限 (0–2 days), a laggard (one in four)
    4–9 days after; in the open period one unit in five has not yet. None: not (yet) signed."""
    unit, label = acknowledgement.unit, acknowledgement.period.label if acknowledgement.period_id else "交办"
    roll = number("签收", unit.name, label)
    if acknowledgement.period_id and acknowledgement.period.end >= story.today and roll % 5 == 0:
        return None
    laggard = diligence(unit) < 25
    day = _days(start, 4 + roll % 6 if laggard else roll % 3)
    return day if day <= story.today else None


def acknowledgements_sign(story, rows, start: datetime.date, *, number, diligence, never=None) -> int:
    signed = 0
    for row in rows:
        user = story.actors.officials.get(row.unit_id) or story.actors.leaders.get(row.unit_id)
        day = sign_day(story, row, start, number=number, diligence=diligence)
        if user is None or day is None or row.unit_id == never:
            continue
        story.step(day, 9, services.acknowledge, user=user, acknowledgement=row)
        signed += 1
    return signed


def assignment_acknowledge(story, start: datetime.date, *, number, diligence) -> None:
    """交办 at the plan's start: every responsible unit has it to 签收; the least diligent never did."""
    rows = story.step(start, 8, services.acknowledgements_ensure, plan=story.plan, user=story.actors.office)
    rows = list(Acknowledgement.objects.filter(pk__in=[row.pk for row in rows]).select_related("unit", "period"))
    never = min(rows, key=lambda row: (diligence(row.unit), row.unit.name)).unit_id if rows else None
    acknowledgements_sign(story, sorted(rows, key=lambda row: row.unit.name), start, number=number,
                          diligence=diligence, never=never)


def period_acknowledge(story, period: ReportingPeriod, *, number, diligence) -> None:
    rows = period.acknowledgements.select_related("unit", "period").order_by("unit__name")
    acknowledgements_sign(story, list(rows), period.start, number=number, diligence=diligence)


# --- the rest of the cycle ----------------------------------------------------------------------
def _leads(plan) -> dict[int, Assignment]:
    """Each task's lead assignment when its unit is not a collective."""
    rows = Assignment.objects.filter(task__plan=plan, is_lead=True).select_related("unit").order_by("task__position")
    return {row.task_id: row for row in rows if not row.unit.is_collective}


def extensions_play(story, leads: dict[int, Assignment]) -> int:
    """Three tasks due after today (the first ones, in plan order, whose lead unit has a leader):
    延期申请 ten days ago approved a week ago; six days ago rejected; yesterday, pending."""
    today, office = story.today, story.actors.office
    chosen: dict[int, Deadline] = {}  # the first such deadline of each task
    deadlines = Deadline.objects.filter(
        task__plan=story.plan, task__is_active=True, kind=DeadlineKind.DUE, date__gt=_days(today, 10),
    ).order_by("task__position", "position")
    for deadline in deadlines:
        if len(chosen) < 3 and deadline.task_id in leads and leads[deadline.task_id].unit_id in story.actors.leaders:
            chosen.setdefault(deadline.task_id, deadline)
    plans = ((-10, -7, "approve"), (-6, -4, "reject"), (-1, None, None))
    for index, (deadline, (asked, decided, decision)) in enumerate(zip(chosen.values(), plans)):
        leader = story.actors.leaders[leads[deadline.task_id].unit_id]
        months = 1 + index % 2
        request = story.step(
            _days(today, asked), 10, services.extension_request, user=leader, deadline=deadline,
            requested_date=_days(deadline.date, 30 * months), reason=EXTENSION_REASONS[index],
        )
        if decision == "approve":
            story.step(_days(today, decided), 15, services.extension_approve, user=office, request=request,
                       comment="同意延期，请按新时限完成。")
        elif decision == "reject":
            story.step(_days(today, decided), 15, services.extension_reject, user=office, request=request,
                       comment=REJECT_COMMENT)
    return len(chosen)


CLAIMS = 5  # 办结申请 the demo shows: one pending, one returned, three accepted (two of them 销号)


def _claim_candidates(story, leads: dict[int, Assignment], number) -> list[tuple[Task, datetime.date]]:
    """The tasks whose lead claims 办结, with the day: every task past its deadline and not left
    overdue (a few days after the date), then early finishers (one task in ten, as the reports'
    story has it; a few weeks ago) up to CLAIMS; none with a 延期申请."""
    today = story.today
    ordered = sorted(story.tasks.values(), key=lambda task: task.position)
    extended = set(ExtensionRequest.objects.filter(task__plan=story.plan).values_list("task_id", flat=True))
    due = [
        (task, min(_days(task.due_date, 2 + task.position % 4), today)) for task in ordered
        if task.due_date and task.due_date < today and task.pk not in story.stuck and task.pk not in extended
    ]
    early = [
        (task, _days(today, -12 - task.position % 9)) for task in ordered
        if number("task", task.position) % 10 == 2 and not (task.due_date and task.due_date < today)
        and task.pk not in extended and task.pk in leads and leads[task.pk].unit_id in story.actors.leaders
    ]
    return due + early[:max(0, CLAIMS - len(due))]


def claims_play(story, leads: dict[int, Assignment], *, number) -> int:
    """办结申请 of the candidates (an approved report marked 已完成 may have filed one already);
    the office decides a week later — the last claimed stays pending, the one before is
    returned, the others accepted, and every other accepted one closed (销号) two days after."""
    today, office = story.today, story.actors.office
    claimed = []
    for task, day in _claim_candidates(story, leads, number):
        claim = CompletionClaim.objects.filter(task=task, state=ClaimState.SUBMITTED).first()
        lead = leads.get(task.pk)
        if claim is None and lead is not None and lead.unit_id in story.actors.leaders:
            task = Task.objects.get(pk=task.pk)
            if task.closure == Closure.OPEN:
                claim = story.step(day, 10, services.completion_claim, user=story.actors.leaders[lead.unit_id],
                                   task=task, summary=CLAIM_SUMMARY)
        if claim is not None:
            claimed.append(claim)
    claimed.sort(key=lambda claim: (claim.claimed_at, claim.pk))
    for index, claim in enumerate(claimed[:-1]):
        day = min(_days(timezone.localdate(claim.claimed_at), 7), today)
        if index == len(claimed) - 2:
            story.step(day, 16, services.claim_return, user=office, claim=claim, comment=RETURN_COMMENT)
            continue
        story.step(day, 16, services.claim_accept, user=office, claim=claim, comment="经核查，同意办结。")
        if index % 2 == 0:
            story.step(min(_days(day, 2), today), 17, services.task_close, user=office, task=claim.task)
    return len(claimed)


def people_name(story, leads: dict[int, Assignment], *, number) -> int:
    """One lead assignment in four (by its task's position) names its 责任领导 (the unit's
    leader account) and 联系人 (its official's account, or a person written in with a phone)."""
    named = 0
    for task_id, lead in leads.items():
        task = story.tasks.get(task_id)
        if task is None or number("责任人", task.position) % 4:
            continue
        official, leader = story.actors.officials.get(lead.unit_id), story.actors.leaders.get(lead.unit_id)
        if official is None or leader is None:
            continue
        day = _days(story.plan.period_start, 3)
        story.step(day, 11, services.assignment_person_save, user=official, assignment=lead, kind=PersonKind.LEADER,
                   account=leader)
        if number("联系人", task.position) % 2:
            story.step(day, 11, services.assignment_person_save, user=official, assignment=lead,
                       kind=PersonKind.CONTACT, account=official)
        else:
            story.step(day, 11, services.assignment_person_save, user=official, assignment=lead,
                       kind=PersonKind.CONTACT, name="赵晓燕", position="科员",
                       phone=f"1390392{number('电话', task.position) % 10000:04d}")
        named += 1
    return named


def thread_play(story, leads: dict[int, Assignment]) -> int:
    """On the first overdue task (else the first task): the office asks, the lead unit answers,
    and the office's leader writes a 批示 naming the lead unit."""
    ordered = sorted(story.tasks.values(), key=lambda task: task.position)
    overdue = [task for task in ordered if task.pk in story.stuck and task.pk in leads]
    task = (overdue or [task for task in ordered if task.pk in leads] or [None])[0]
    if task is None:
        return 0
    lead, office, today = leads[task.pk], story.actors.office, story.today
    official = story.actors.officials.get(lead.unit_id)
    steps = [
        (-5, office, "该任务已超过完成时限，请说明未完成原因及下一步安排。", False, ()),
        (-4, official, "主要受资金到位偏慢影响，我局已制定整改计划，力争月底前完成。", False, ()),
        (-3, office, "请牵头单位倒排工期、压实责任，每周报送一次进展，确保尽快完成。", True, (lead.unit,)),
    ]
    written = 0
    for days, user, text, instruction, mentions in steps:
        if user is None:
            continue
        story.step(_days(today, days), 10, services.comment_add, user=user, task=task, text=text,
                   is_instruction=instruction, mentions=mentions)
        written += 1
    return written


def cycle_play(story, *, number, diligence) -> Cycle:
    """The cycle's steps after the reports' story (the 签收 of each period is played as it opens:
    period_acknowledge)."""
    leads = _leads(story.plan)
    people = people_name(story, leads, number=number)
    extensions = extensions_play(story, leads)
    claims = claims_play(story, leads, number=number)
    comments = thread_play(story, leads)
    return Cycle(extensions, claims, comments, people)


def _by_state(values, states) -> dict[str, int]:
    counted = dict.fromkeys(states, 0)
    for value in values:
        counted[value] += 1
    return counted


def cycle_counts(plan) -> dict[str, int]:
    """What the demo shows of the cycle, counted (the summary line; tests)."""
    acknowledgements = list(Acknowledgement.objects.filter(plan=plan))
    waiting = [row for row in acknowledgements if row.acknowledged_at is None]
    extensions = ExtensionRequest.objects.filter(task__plan=plan).values_list("state", flat=True)
    claims = CompletionClaim.objects.filter(task__plan=plan).values_list("state", flat=True)
    closures = Task.objects.filter(plan=plan).tasks().values_list("closure", flat=True)
    comments = TaskComment.objects.filter(task__plan=plan)
    return {
        "signed": len(acknowledgements) - len(waiting), "waiting": len(waiting),
        "waiting_late": sum(1 for row in waiting if row.is_late),
        **{f"extension_{state}": count for state, count in _by_state(extensions, RequestState.values).items()},
        **{f"claim_{state}": count for state, count in _by_state(claims, ClaimState.values).items()},
        **{f"task_{state}": count for state, count in _by_state(closures, Closure.values).items()},
        "comments": comments.count(), "instructions": comments.filter(is_instruction=True).count(),
        "people": AssignmentPerson.objects.filter(assignment__task__plan=plan).count(),
    }


def cycle_line(counts: dict[str, int]) -> str:
    """签收 (acknowledged) 40, 未签收 (waiting) 8 (逾期 7); 延期申请 …; 办结申请 …; 任务 …; 留言 …"""
    c = counts
    return (
        f"签收 (acknowledged) {c['signed']}, 未签收 (waiting) {c['waiting']} (逾期 late {c['waiting_late']}); "
        f"延期申请 (extensions) 待审批 {c['extension_pending']} 已批准 {c['extension_approved']} "
        f"未批准 {c['extension_rejected']}; 办结申请 (claims) 待审核 {c['claim_submitted']} "
        f"已退回 {c['claim_returned']} 已办结 {c['claim_accepted']}; 任务 (tasks) 办理中 {c['task_open']} "
        f"办结申请中 {c['task_claimed']} 已办结 {c['task_done']} 已销号 {c['task_closed']}; "
        f"留言 (comments) {c['comments']} (批示 {c['instructions']}); 责任人 (named people) {c['people']}"
    )
