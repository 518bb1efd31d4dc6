"""The live demo plan of `make run`: the Hebi 2016 seed plan's structure (sections, tasks,
units and roles, deadlines, targets) copied into a plan of the current year, every date moved
by whole years, with reporting periods up to today's and a deterministic history of reports
and indicator values, so the inbox, the 督办看板 and the reminders show something current.
The seed plans and every other plan are never touched. Never run on real data.

Dated from the day it runs: the demo plan's creation time is that day. A run on the same day
leaves it as it is; a run on a later day deletes it (periods, reports and values with it) and
builds it again from that day, keeping its office staff.

Every write goes through plans.services, most of them under `demo_clock`: the services' clock
set to the moment the demo says a step happened (submitted on 21 June, approved on 26 June),
so every timestamp they and the history write (submitted_at, reviewed_at, completed_at,
updated_at, the history's dates) is that moment, and a report is on time or late by the very
rule the dashboard applies."""
from __future__ import annotations

import datetime
import hashlib
import json
import re
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from devtools.demo import SUPERUSER, demo_accounts_ensure, demo_amount, office_username
from devtools.live_cycle import assignment_acknowledge, cycle_counts, cycle_line, cycle_play, period_acknowledge
from plans import services
from plans.indicators import elapsed_share
from plans.models import (
    Assignment,
    IndicatorValue,
    MemberRole,
    Membership,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    SheetImport,
    Task,
    TaskStatus,
)
from plans.progress import expected_percent
from plans.services import REPORT_FIELDS
from plans.services.seeds import PLAN_MODEL, fixture_path, seed_plan_load

SOURCE = "hebi-2016-blue-sky-plan.txt"  # the seed plan (seeds/, fixtures/) the demo copies
DEMO_KEY = "live-demo:hebi-2016-blue-sky-plan"
DEMO_MARK = "（演示）"
NOON = datetime.time(12)  # the time of day a demo built for another day (tests) is built at
TEXT_FIELDS = ("title", "text")  # years written in these move with the dates ("到2016年底")

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"(?<![\d〔\[])((?:19|20)\d\d)(?=\s*年)")
RETURN_COMMENTS = (
    "请补充具体工程量和完成时间。",
    "进展表述过于笼统，请补充量化数据。",
    "完成百分比与进展情况不符，请核实后重新报送。",
)
PROBLEMS = ("项目资金到位偏慢。", "部分企业整改进度不一。", "冬季施工条件受限。")


# --- the clock, the dates -----------------------------------------------------------------
@contextmanager
def demo_clock(moment: datetime.datetime):
    """Run the services as if it were `moment`: django.utils.timezone.now (which the services,
    the models' save() and the history read) answers `moment`. Only for the demo's writes."""
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def shift_day(day: datetime.date, years: int) -> datetime.date:
    """`day` moved by whole years (29 February becomes the 28th in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def shift_years_in_text(text: str, years: int) -> str:
    """"到2016年底" → "到2026年底"; a document number's year (〔2016〕) is left as written."""
    return _YEAR.sub(lambda match: str(int(match.group(1)) + years), text)


def _number(*parts) -> int:
    """A stable pseudo-random number of `parts` (names and labels, never database ids)."""
    return int(hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:8], 16)


def _at(day: datetime.date, now: datetime.datetime, hour: int = 10) -> datetime.datetime:
    """`hour` o'clock of `day` in the site's time zone, never later than `now`."""
    return min(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), now)


def _days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


# --- the plan's structure ------------------------------------------------------------------
def demo_fixture(today: datetime.date, now: datetime.datetime) -> str:
    """The Hebi seed fixture as the demo plan: its own key, this year's plan year, every date
    and every year written in a title or text moved by the same whole number of years, "（演示）"
    after the title, created `now`. Units and aliases stay as they are (shared, not copied)."""
    data = json.loads(fixture_path(SOURCE).read_text(encoding="utf-8"))
    plan = next(item["fields"] for item in data if item["model"] == PLAN_MODEL)
    seed_key, years = plan["key"], today.year - plan["plan_year"]
    for item in data:
        fields = item["fields"]
        for name, value in fields.items():
            if isinstance(value, list) and value[:1] == [seed_key]:  # a natural key through the plan
                fields[name] = [DEMO_KEY, *value[1:]]
            elif isinstance(value, str) and _DAY.match(value):
                fields[name] = shift_day(datetime.date.fromisoformat(value), years).isoformat()
            elif name in TEXT_FIELDS and isinstance(value, str):
                fields[name] = shift_years_in_text(value, years)
        if item["model"] == "plans.target" and fields.get("year"):
            fields["year"] += years
    plan.update(
        key=DEMO_KEY, title=plan["title"] + DEMO_MARK, plan_year=today.year,  # title: shifted above
        source_name=f"{plan['source_name']} (live demo)",  # the seed plan alone is found by its file name
        created_at=now.isoformat(), updated_at=now.isoformat(),
    )
    return json.dumps(data, ensure_ascii=False)


def _structure_load(today: datetime.date, now: datetime.datetime) -> Plan:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "live-demo.json"
        path.write_text(demo_fixture(today, now), encoding="utf-8")
        seed_plan_load(path=path)
    return Plan.objects.get(key=DEMO_KEY)


def demo_plan_delete(plan: Plan, user) -> None:
    """Delete a demo plan with all that hangs from it. No service deletes a report, an
    uploaded sheet or a value with its period (real ones are kept for the record): for a demo
    plan this function removes them, and the reports' history, then services.plan_delete
    removes the plan with its tree, periods and targets."""
    if not plan.key.startswith("live-demo:"):
        raise ValueError(f"not a demo plan: {plan.key}")
    periods = list(plan.periods.values_list("pk", flat=True))
    ProgressReport.objects.filter(period__in=periods).delete()
    ProgressReport.history.model.objects.filter(period_id__in=periods).delete()
    IndicatorValue.objects.filter(period__in=periods).delete()
    SheetImport.objects.filter(period__in=periods).delete()
    services.plan_delete(user=user, plan=plan)


# --- who acts -------------------------------------------------------------------------------
@dataclass
class Actors:
    office: object  # the plan's office account: opens and closes periods, reviews, enters values
    officials: dict  # unit id → the account that fills in the unit's reports
    leaders: dict  # unit id → the account that submits them

    @classmethod
    def of(cls, plan: Plan) -> Actors:
        staff = plan.office_staff.order_by("username")
        office = staff.filter(username=office_username(plan)).first() or staff.first()
        office = office or get_user_model().objects.get(username=SUPERUSER)
        officials, leaders = {}, {}
        for member in Membership.objects.select_related("user").order_by("user__username"):
            chosen = leaders if member.role == MemberRole.LEADER else officials
            chosen.setdefault(member.unit_id, member.user)
        return cls(office, officials, leaders)


# --- what each report says ------------------------------------------------------------------
@dataclass(frozen=True)
class Content:
    status: str
    percent: int
    progress: str
    problems: str = ""
    next_steps: str = ""

    def values(self) -> dict:
        return {"status": self.status, "percent": self.percent, "progress": self.progress,
                "problems": self.problems, "next_steps": self.next_steps}


def content(task: Task, unit, period: ReportingPeriod, plan: Plan, at: datetime.date, stuck: bool) -> Content:
    """What a unit reports on a task as of `at`. A `stuck` task misses its deadline; other
    deadlines reached are met; else the task's fate (a stable number of its position) decides:
    two in ten fall behind 序时, one in ten finishes early, the rest keep about 序时."""
    fate = _number("task", task.position) % 10
    start, due = task.start_date or plan.period_start, task.due_date
    expected = expected_percent(start, due or plan.period_end, at) or 0
    jitter = _number(task.position, unit.name, period.label) % 11 - 5
    name = task.title or task.path
    if start and at < start:
        return Content(TaskStatus.NOT_STARTED, 0, f"{name}：按计划于{start:%Y年%-m月%-d日}起实施，正在做前期准备。")
    if stuck:
        percent = max(10, min(85, expected * 7 // 10 + jitter))
        status = TaskStatus.BEHIND if due <= at else TaskStatus.ON_TRACK
        return Content(status, percent, f"{name}：已完成约{percent}%，受条件制约未能按期完成。",
                       PROBLEMS[0], "加大督导力度，尽快完成。")
    if (due and due <= at) or (fate == 2 and not due and expected >= 50):
        return Content(TaskStatus.COMPLETED, 100, f"{name}：已全部完成，成果已报市联席办备案。")
    if fate in (3, 4):
        percent = max(5, expected * 6 // 10 + jitter)
        return Content(TaskStatus.BEHIND, percent, f"{name}：完成约{percent}%，进度滞后于序时。",
                       PROBLEMS[(fate + jitter) % 3], "倒排工期，下季度追回进度。")
    percent = max(5, min(95, expected + 2 * jitter))
    status = TaskStatus.AHEAD if percent > expected + 5 else TaskStatus.ON_TRACK
    return Content(status, percent, f"{name}：按序时推进，完成约{percent}%。", "", "继续按计划推进。")


# --- the stories -----------------------------------------------------------------------------
def diligence(unit) -> int:
    """How reliably a unit reports, 0–99 (a stable number of its name): one unit in four is a
    laggard, so the ranking and the late units differ from unit to unit."""
    return _number("unit", unit.name) % 100


def past_story(report: ProgressReport, latest: bool) -> str:
    """A closed period's report: never sent (逾期未报: 15–24 % of a laggard's reports, 0–5 %
    of another unit's), sent late, returned and fixed, (in the latest closed period) still
    waiting for review, or else approved on time."""
    roll = _number(report.task.position, report.unit.name, report.period.label) % 100
    score = diligence(report.unit)
    laggard = score < 25
    shares = (("missing", 15 + score % 10 if laggard else score % 6), ("late", 20 if laggard else 8),
              ("returned", 8), ("waiting", 4))
    for story, share in shares:
        if roll < share:
            return "on_time" if story == "waiting" and not latest else story
        roll -= share
    return "on_time"


def current_story(report: ProgressReport) -> str:
    """The open period's report: filled in but not sent, sent and waiting, already approved,
    or not touched yet."""
    roll = _number(report.task.position, report.unit.name, report.period.label) % 100
    for story, share in (("draft", 10 + diligence(report.unit) // 10), ("waiting", 9), ("approved", 3)):
        if roll < share:
            return story
        roll -= share
    return "untouched"


def return_comment(report: ProgressReport) -> str:
    return RETURN_COMMENTS[_number(report.task.position, report.unit.name) % len(RETURN_COMMENTS)]


def past_steps(report: ProgressReport, latest: bool) -> list[tuple[str, datetime.date, int]]:
    """The story of a report of a period whose due date has passed, as (step, day, hour):
    written by the unit's official, sent by its leader, returned or approved by the office."""
    story, due = past_story(report, latest), report.period.due_date
    lead = _number(report.task.position, report.unit.name) % 5  # days before or after the due date
    if story == "missing":  # one in five filled in by the official, never sent by the leader
        return [("write", _days(due, -1), 9)] if lead == 0 else []
    if story == "late":
        return [("write", _days(due, 1 + lead), 9), ("send", _days(due, 3 + 2 * lead), 15),
                ("approve", _days(due, 12 + lead), 11)]
    steps = [("write", _days(due, -4 - lead), 9), ("send", _days(due, -2 - lead // 2), 15)]
    if story == "returned":  # fixed the same day or one day late
        steps += [("return", _days(due, -1), 16), ("fix", _days(due, lead % 2), 9), ("send", _days(due, lead % 2), 15)]
    if story != "waiting":
        steps.append(("approve", _days(due, 4 + lead), 11))
    return steps


def current_steps(
    report: ProgressReport, today: datetime.date, returned: bool, finished: datetime.date | None = None,
) -> list[tuple[str, datetime.date, int]]:
    """The story of a report of the open period, due date ahead: filled in, sent, approved,
    or (the first sent one, unless `returned` already) returned; most not touched yet. A task
    `finished` by its deadline this period is reported done and approved soon after."""
    story = "approved" if finished else current_story(report)
    if story == "untouched":
        return []
    day = max(report.period.start, _days(today, -1 - _number(report.unit.name, report.period.label) % 9))
    if finished:
        day = max(report.period.start, min(_days(finished, 1 + _number(report.unit.name) % 3), today))
    reviewed = min(_days(day, 1), today)
    steps = [("write", day, 9)]
    if story != "draft":
        steps.append(("send", day, 16))
        if story == "approved" or not returned:
            steps.append(("approve" if story == "approved" else "return", reviewed, 17))
    return steps


def stuck_tasks(plan: Plan, due: list[Task]) -> set[int]:
    """Of the tasks whose deadline has passed, the one in four left overdue (超期未完成, a red
    light): those the fewest units answer for, so the reminders stay a handful."""
    answering = Counter()
    assignments = Assignment.objects.filter(task__in=due, role=Role.RESPONSIBLE).select_related("unit")
    for assignment in assignments.prefetch_related("unit__members"):
        answering[assignment.task_id] += len(assignment.unit.members.all()) if assignment.unit.is_collective else 1
    ranked = sorted(due, key=lambda task: (answering[task.pk], task.position))
    return {task.pk for task in ranked[: len(due) // 4]}


class Storyteller:
    """Each report's story, played step by step through the services at the step's moment
    (`play`), or for an earlier closed period written at once as it ends (`archive`)."""

    def __init__(self, plan: Plan, actors: Actors, today: datetime.date, now: datetime.datetime):
        self.plan, self.actors, self.today, self.now = plan, actors, today, now
        self.tasks = {task.pk: task for task in plan.nodes.tasks().active().with_schedule()}
        passed = [task for task in self.tasks.values() if task.due_date and task.due_date < today]
        self.stuck = stuck_tasks(plan, passed)

    def step(self, day: datetime.date, hour: int, action, **kwargs):
        with demo_clock(_at(day, self.now, hour)):
            return action(**kwargs)

    def said(self, report, step: str) -> Content:
        at = min(report.period.end, self.today)
        said = content(self.tasks[report.task_id], report.unit, report.period, self.plan, at,
                       stuck=report.task_id in self.stuck)
        if step == "fix":
            return Content(**{**said.values(), "progress": said.progress + "（已按审核意见补充数据）"})
        return said

    def reports(self, period: ReportingPeriod) -> list[ProgressReport]:
        rows = period.reports.select_related("unit", "task", "period").order_by("task__position", "unit__name")
        return [report for report in rows if report.unit_id in self.actors.leaders]

    def play(self, report: ProgressReport, steps) -> None:
        actors = self.actors
        for step, day, hour in steps:
            if step in ("write", "fix"):
                user = actors.officials.get(report.unit_id) or actors.office
                values = self.said(report, step).values()
                report = self.step(day, hour, services.report_update, user=user, report=report, **values)
            elif step == "send":
                leader = actors.leaders[report.unit_id]
                report = self.step(day, hour, services.report_submit, user=leader, report=report)
            elif step == "approve":
                report = self.step(day, hour, services.report_approve, user=actors.office, report=report)
            else:
                report = self.step(day, hour, services.report_return, user=actors.office, report=report,
                                   comment=return_comment(report))

    def written(self, report: ProgressReport, steps) -> ProgressReport:
        """The report as `play` would leave it (its history and the task's status aside)."""
        for step, day, hour in steps:
            when = _at(day, self.now, hour)
            if step in ("write", "fix"):
                for name, value in self.said(report, step).values().items():
                    setattr(report, name, value)
            elif step == "send":
                report.state, report.review_comment = ReportState.SUBMITTED, ""
                report.submitted_at, report.submitted_by = when, self.actors.leaders[report.unit_id]
            else:
                report.state = ReportState.APPROVED if step == "approve" else ReportState.RETURNED
                report.review_comment = "" if step == "approve" else return_comment(report)
                report.reviewed_at, report.reviewed_by = when, self.actors.office
            report.updated_at, report.version = when, report.version + 1
        return report

    def past(self, period: ReportingPeriod, latest: bool) -> None:
        """A period whose due date has passed. The latest one is played: every report but the
        plain on-time approvals, and of those each task's first report (its approval sets the
        task's status); the rest, and every report of an earlier period, is archived."""
        archive, played_tasks = [], set()
        for report in self.reports(period):
            steps = past_steps(report, latest)
            if latest and (past_story(report, latest) != "on_time" or report.task_id not in played_tasks):
                if any(step == "approve" for step, _day, _hour in steps):
                    played_tasks.add(report.task_id)
                self.play(report, steps)
            elif steps:
                archive.append(self.written(report, steps))
        fields = [*REPORT_FIELDS, "state", "review_comment", "submitted_at", "submitted_by_id", "reviewed_at",
                  "reviewed_by_id", "updated_at", "version"]
        for report in archive:  # one plain UPDATE each: faster than bulk_update's CASE on SQLite
            ProgressReport.objects.filter(pk=report.pk).update(**{name: getattr(report, name) for name in fields})

    def current(self, period: ReportingPeriod) -> None:
        returned = False
        for report in self.reports(period):
            due = self.tasks[report.task_id].due_date
            done = due is not None and due < self.today and self.said(report, "write").status == TaskStatus.COMPLETED
            steps = current_steps(report, self.today, returned, finished=due if done else None)
            returned = returned or any(step == "return" for step, _day, _hour in steps)
            self.play(report, steps)


# --- indicator values ---------------------------------------------------------------------
def demo_pace(target) -> Decimal:
    """The live plan's per-indicator pace of 序时: 85–110 %."""
    return Decimal(85 + _number("pace", target.indicator) % 26) / 100


def values_enter(story: Storyteller, periods: list[ReportingPeriod]) -> int:
    """Every active indicator gets a value for each of `periods` but one gap (the second
    indicator misses the latest period, when there are two or more)."""
    entered = 0
    for index, target in enumerate(story.plan.targets.filter(is_active=True).select_related("plan")):
        for number, period in enumerate(periods):
            if index == 1 and number == len(periods) - 1 and len(periods) > 1:
                continue
            share = elapsed_share(target, story.plan, period.end)
            story.step(
                min(_days(period.due_date, -3), story.today), 10, services.indicator_value_save,
                user=story.actors.office, target=target, period=period,
                value=demo_amount(target, share, demo_pace(target)), note="演示数据", source="市环境监测站月报（演示）",
            )
            entered += 1
    return entered


# --- everything -----------------------------------------------------------------------------
@dataclass(frozen=True)
class LiveDemo:
    plan: Plan
    built: bool  # False: today's demo plan was there already and was left as it is
    current: ReportingPeriod | None
    states: dict
    values: int
    cycle: dict  # live_cycle.cycle_counts

    def line(self) -> str:
        period = f"{self.current.label} 截止 (due) {self.current.due_date}" if self.current else "-"
        states = ", ".join(f"{ReportState(state).label} {count}" for state, count in sorted(self.states.items()))
        done = "已生成 (built)" if self.built else "今天已生成，未改动 (built today already, left as it is)"
        return (f"演示方案 (live demo plan) {self.plan.title}: {done}; 本期 (open period) {period}; "
                f"报告 (reports) {states}; 指标值 (indicator values) {self.values}; {cycle_line(self.cycle)}")


def _summary(plan: Plan, built: bool) -> LiveDemo:
    states = Counter(ProgressReport.objects.filter(period__plan=plan).values_list("state", flat=True))
    current = plan.periods.filter(is_open=True).order_by("-start").first()
    values = IndicatorValue.objects.filter(target__plan=plan).count()
    return LiveDemo(plan, built, current, dict(states), values, cycle_counts(plan))


def live_demo_ensure(*, today: datetime.date | None = None) -> LiveDemo:
    """Make sure the live demo plan is today's: build it when missing or built on another day
    (`today` defaults to the site's date; tests pass one)."""
    real_today = timezone.localdate()
    today = today or real_today
    old = Plan.objects.filter(key=DEMO_KEY).first()
    if old is not None and timezone.localdate(old.created_at) == today:
        return _summary(old, built=False)
    now = timezone.now() if today == real_today else timezone.make_aware(datetime.datetime.combine(today, NOON))
    with transaction.atomic():
        staff = list(old.office_staff.values_list("pk", flat=True)) if old else []
        if old is not None:
            demo_plan_delete(old, get_user_model().objects.get(username=SUPERUSER))
        plan = _structure_load(today, now)
        demo_accounts_ensure()  # the demo's units, its office: accounts to report and review with
        if staff:
            superuser = get_user_model().objects.get(username=SUPERUSER)
            staff = set(staff) | set(plan.office_staff.values_list("pk", flat=True))
            services.plan_save(user=superuser, plan=plan, office_staff=sorted(staff))
        _history_play(plan, today, now)
    return _summary(plan, built=True)


def _history_play(plan: Plan, today: datetime.date, now: datetime.datetime) -> None:
    """Periods up to today's: the past ones opened, reported and closed, today's left open; the
    supervision cycle around them (devtools/live_cycle.py): 签收 of the 交办 and of each period
    as it opens, then extensions, 办结 and 销号, named people and a thread with a 批示."""
    story = Storyteller(plan, Actors.of(plan), today, now)
    office = story.actors.office
    services.periods_generate(user=None, plan=plan)
    periods = list(plan.periods.filter(start__lte=today).order_by("start"))
    past = [period for period in periods if period.end < today]
    assignment_acknowledge(story, periods[0].start if periods else today, number=_number, diligence=diligence)
    for number, period in enumerate(periods):
        story.step(period.start, 8, services.period_open, user=office, period=period)
        period_acknowledge(story, period, number=_number, diligence=diligence)
        if period in past or period.due_date < today:
            story.past(period, latest=number >= len(past) - 1)
        else:
            story.current(period)
        if period in past:
            closed = min(_days(period.due_date, 20), _days(today, -1))
            story.step(max(closed, period.end), 17, services.period_close, user=office, period=period)
    values_enter(story, past or periods[-1:])
    cycle_play(story, number=_number, diligence=diligence)
