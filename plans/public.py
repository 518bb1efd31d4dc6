"""The public progress page of a published plan (公开进展页面): which fields of which model
anyone may see without logging in, and the loader that reads only those.

Everything the page and the public sheet (plans/exports/public_sheet.py) show comes from
`public_plan_data`, which reads the fields declared in PUBLIC_FIELDS with `.values()` /
`.only()`: the internal fields (report texts 本期进展情况/存在问题/下步打算, review comments,
supporting inputs, the plan's source text and task texts, indicator notes and sources, office
staff, accounts, indicators kept off the public page) are never loaded, so no template or
sheet can show them by mistake. A constant number of queries whatever the plan's size.

Derived values are public too: a task's light, overdue marker and the roll-ups are computed
from its status, its deadlines and the percent of its latest approved report (a number only,
read by a subquery that selects nothing else of the report). The average percent is shown
with its coverage (plans.rollup: the tasks it is based on out of the active tasks).

The page says what its numbers are as of (数据截至): the time they were read from the database,
i.e. when the page was generated (shared caches may keep it CACHE_SECONDS more), and the time
of the latest approval among the reports it reads (only that time: nothing else of them). It
names the issuing organ: the plan's issuers (印发单位) in document order, else its coordinator
(牵头督办单位), named as such."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import ClassVar

from django.db.models import Max
from django.utils import timezone

from plans import progress
from plans.dashboard import LIGHT_COLOURS
from plans.indicators import Indicator, IndicatorStatus, indicators
from plans.models import (
    Assignment,
    Deadline,
    DeadlineKind,
    IndicatorValue,
    NodeKind,
    Plan,
    PlanIssuer,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    Target,
    Task,
    TaskStatus,
)
from plans.progress import Light
from plans.rollup import PlanRollup, Rollup, rollup

# --- the declaration -------------------------------------------------------------------------
# The fields of each model that the public page may read. Keys of related rows (id, parent_id,
# task_id …) are read to put the rows together and are never shown.
PLAN_FIELDS = (
    "id", "title", "doc_number", "jurisdiction", "plan_year", "issued_on", "period_start", "period_end",
    "is_published", "published_at",
)
TASK_FIELDS = ("id", "parent_id", "kind", "level", "path", "label", "title", "status")
# annotated by TaskQuerySet.with_schedule(): the first due date, the start, the latest approved percent
TASK_DERIVED = ("due_date", "start_date", "latest_percent")
ASSIGNMENT_FIELDS = ("task_id", "role", "position", "is_lead", "unit__name", "unit__short_name")
PUBLIC_ROLES = (Role.RESPONSIBLE,)  # the lead (first responsible unit) and the other responsible units
DEADLINE_FIELDS = ("task_id", "kind", "date", "text")
# baseline is a number the 序时 path and the status are computed from
TARGET_FIELDS = ("id", "plan", "indicator", "comparator", "value", "unit", "year", "baseline")
PERIOD_FIELDS = ("id", "plan", "label", "start", "end")
# the issuing organ: the plan's coordinator (read with the plan) when it has no issuer
PLAN_ORGAN_FIELDS = ("coordinator", "coordinator__name")
ISSUER_FIELDS = ("unit__name",)
# 数据截至: of the plan's approved reports, the latest approval time only
REPORT_FIELDS = ("reviewed_at",)
INDICATOR_VALUE_FIELDS = ("id", "target", "period", "value")

PUBLIC_FIELDS = {
    Plan: PLAN_FIELDS + PLAN_ORGAN_FIELDS,
    PlanIssuer: ISSUER_FIELDS,
    ProgressReport: REPORT_FIELDS,
    Task: TASK_FIELDS + TASK_DERIVED,
    Assignment: ASSIGNMENT_FIELDS,
    Deadline: DEADLINE_FIELDS,
    Target: TARGET_FIELDS,
    ReportingPeriod: PERIOD_FIELDS,
    IndicatorValue: INDICATOR_VALUE_FIELDS,
}

CACHE_SECONDS = 300


# --- what the page shows -----------------------------------------------------------------------
@dataclass(frozen=True)
class PublicDeadline:
    kind: str
    date: datetime.date | None
    text: str

    @property
    def kind_label(self) -> str:
        return str(DeadlineKind(self.kind).label)

    @property
    def is_due(self) -> bool:
        return self.kind == DeadlineKind.DUE

    def __str__(self) -> str:
        """“10月底前（2016年10月31日）”, the text alone when it is the date, or the date alone."""
        date = f"{self.date.year}年{self.date.month}月{self.date.day}日" if self.date else ""
        if not self.text:
            return date
        if not date or date in self.text:
            return self.text
        return f"{self.text}（{date}）"


@dataclass
class PublicTask:
    id: int
    parent_id: int | None
    path: str
    label: str
    title: str
    level: int
    status: str
    due_date: datetime.date | None
    light: str
    overdue: bool
    lead: str = ""
    responsible: list[str] = field(default_factory=list)
    deadlines: list[PublicDeadline] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(TaskStatus(self.status).label)

    @property
    def light_label(self) -> str:
        return str(Light(self.light).label)

    @property
    def light_colour(self) -> str:
        return LIGHT_COLOURS[self.light]

    @property
    def heading(self) -> str:
        return f"{self.path} {self.title}".strip()

    @property
    def responsible_text(self) -> str:
        return "、".join(self.responsible)


@dataclass
class PublicSection:
    is_section: ClassVar[bool] = True

    id: int
    parent_id: int | None
    path: str
    label: str
    title: str
    depth: int  # sections above it
    rollup: Rollup

    @property
    def heading(self) -> str:
        return f"{self.label or ''}{self.title}" if self.label else self.title

    @property
    def full_heading(self) -> str:
        """三、(一)燃煤烟气治理: as the document numbers it."""
        return f"{self.path}{self.title}"

    @property
    def heading_level(self) -> int:
        """h2 for the top sections, down to h5."""
        return min(2 + self.depth, 5)


@dataclass
class TaskGroup:
    """Consecutive tasks under the same section, shown as one table."""

    is_section: ClassVar[bool] = False

    section: PublicSection | None
    depth: int
    tasks: list[PublicTask] = field(default_factory=list)


@dataclass(frozen=True)
class LightCount:
    light: str
    label: str
    colour: str
    count: int


@dataclass
class PublicPlan:
    plan: Plan  # only PLAN_FIELDS loaded
    today: datetime.date
    rollup: Rollup
    blocks: list  # PublicSection and TaskGroup, in document order
    tasks: list[PublicTask]
    sections: list[PublicSection]
    periods: list[ReportingPeriod]
    indicators: list[Indicator]
    as_of: datetime.datetime | None = None  # when the numbers were read (the page generated)
    latest_approval: datetime.datetime | None = None  # the latest approval of a report read
    issuers: list[str] = field(default_factory=list)  # 印发单位, in document order

    @property
    def cache_minutes(self) -> int:
        """How much later than 数据截至 a cached copy of the page may still be shown."""
        return CACHE_SECONDS // 60

    @property
    def organ_is_coordinator(self) -> bool:
        """No issuer recorded: the page names the coordinator (as 牵头督办单位) instead."""
        return not self.issuers and self.plan.coordinator_id is not None

    @property
    def organs(self) -> list[str]:
        """The issuing organ's names: the issuers, else the coordinator, else none."""
        if self.issuers:
            return self.issuers
        return [self.plan.coordinator.name] if self.organ_is_coordinator else []

    @property
    def light_counts(self) -> list[LightCount]:
        return [
            LightCount(
                light, str(Light(light).label), LIGHT_COLOURS[light], sum(task.light == light for task in self.tasks)
            )
            for light in Light.values
        ]

    @property
    def overdue_count(self) -> int:
        return sum(task.overdue for task in self.tasks)

    @property
    def top_sections(self) -> list[PublicSection]:
        return [section for section in self.sections if section.depth == 0]


# --- the loaders -------------------------------------------------------------------------------
def published_plan(pk: int) -> Plan | None:
    """The published plan with only its public fields, else None (unknown or not published)."""
    return (
        Plan.objects.filter(pk=pk, is_published=True)
        .select_related("coordinator")
        .only(*PLAN_FIELDS, *PLAN_ORGAN_FIELDS)
        .first()
    )


def issuer_names(plan: Plan) -> list[str]:
    """The names of the plan's issuers (印发单位), in document order."""
    return list(PlanIssuer.objects.filter(plan=plan).order_by("position").values_list(*ISSUER_FIELDS, flat=True))


def latest_approval(plan: Plan) -> datetime.datetime | None:
    """When the latest approved report of the plan's active tasks was approved (None if none)."""
    reports = ProgressReport.objects.filter(task__plan=plan, task__is_active=True, state=ReportState.APPROVED)
    return reports.aggregate(latest=Max(*REPORT_FIELDS))["latest"]


def task_rows(plan: Plan) -> list[dict]:
    """The plan's active nodes in document order, public fields and the schedule annotations."""
    return list(
        Task.objects.for_plan(plan).active().with_schedule().order_by("position").values(*TASK_FIELDS, *TASK_DERIVED)
    )


def assignment_rows(plan: Plan) -> list[dict]:
    """The lead and responsible units of the plan's active tasks, in listed order."""
    return list(
        Assignment.objects.filter(task__plan=plan, task__is_active=True, role__in=PUBLIC_ROLES)
        .order_by("task_id", "role", "position")
        .values(*ASSIGNMENT_FIELDS)
    )


def deadline_rows(plan: Plan) -> list[dict]:
    return list(
        Deadline.objects.filter(task__plan=plan, task__is_active=True)
        .order_by("task_id", "position")
        .values(*DEADLINE_FIELDS)
    )


def public_targets(plan: Plan) -> list[Target]:
    """The plan's active indicators marked public, in plan order (only TARGET_FIELDS loaded)."""
    targets = list(
        Target.objects.filter(plan=plan, is_active=True, is_public=True).only(*TARGET_FIELDS).order_by("position")
    )
    for target in targets:
        target.plan = plan  # the public plan at hand: never the full row
    return targets


def shown_periods(plan: Plan, today: datetime.date) -> list[ReportingPeriod]:
    """The plan's reporting periods begun by today, in time order."""
    periods = list(ReportingPeriod.objects.filter(plan=plan, start__lte=today).only(*PERIOD_FIELDS).order_by("start"))
    for period in periods:
        period.plan = plan
    return periods


def public_indicators(plan: Plan, targets: list[Target], periods: list[ReportingPeriod]) -> list[Indicator]:
    """Each public indicator with a reading per period, the values read by their public fields
    only: never their note, source or who entered them."""
    return indicators(plan, targets, periods, value_fields=INDICATOR_VALUE_FIELDS)


def unit_name(row: dict) -> str:
    """The name a unit goes by in the plan (its short name, as the document writes it)."""
    return row["unit__short_name"] or row["unit__name"]


def _tasks_and_sections(rows: list[dict], plan_rollup: PlanRollup, today: datetime.date):
    by_id = {row["id"]: row for row in rows}

    def section_above(row) -> int | None:
        parent = row["parent_id"]
        seen = set()
        while parent is not None and parent in by_id and parent not in seen:
            seen.add(parent)
            if by_id[parent]["kind"] == NodeKind.SECTION:
                return parent
            parent = by_id[parent]["parent_id"]
        return None

    def depth(row) -> int:
        count, above = 0, section_above(row)
        while above is not None:
            count += 1
            above = section_above(by_id[above])
        return count

    tasks: dict[int, PublicTask] = {}
    sections: dict[int, PublicSection] = {}
    blocks: list = []
    group: TaskGroup | None = None
    for row in rows:
        if row["kind"] == NodeKind.SECTION:
            own = plan_rollup.sections.get(row["id"], Rollup())
            if not own.tasks:  # 指导思想, 工作目标: no task below, nothing to track
                continue
            section = PublicSection(
                row["id"], row["parent_id"], row["path"], row["label"], row["title"], depth(row), own
            )
            sections[section.id] = section
            blocks.append(section)
            group = None
            continue
        completed = row["status"] == TaskStatus.COMPLETED
        task = PublicTask(
            id=row["id"], parent_id=row["parent_id"], path=row["path"], label=row["label"], title=row["title"],
            level=row["level"], status=row["status"], due_date=row["due_date"],
            light=progress.light(
                start=row["start_date"], due=row["due_date"], behind=row["status"] == TaskStatus.BEHIND,
                completed=completed, percent=row["latest_percent"], today=today,
            ),
            overdue=progress.is_overdue(row["due_date"], completed, today),
        )
        tasks[task.id] = task
        above = section_above(row)
        if group is None or (group.section.id if group.section else None) != above:
            section = sections.get(above)
            group = TaskGroup(section, section.depth + 1 if section else 0)
            blocks.append(group)
        group.tasks.append(task)
    return tasks, list(sections.values()), blocks


def public_plan_data(pk: int, today: datetime.date | None = None) -> PublicPlan | None:
    """Everything the public page and sheet show of plan `pk`; None unless it is published.
    Nine queries at most, whatever the plan's size."""
    plan = published_plan(pk)
    if plan is None:
        return None
    today = today or timezone.localdate()
    as_of = timezone.now()
    rows = task_rows(plan)
    plan_rollup = rollup(rows)
    tasks, sections, blocks = _tasks_and_sections(rows, plan_rollup, today)
    for row in assignment_rows(plan):
        task = tasks.get(row["task_id"])
        if task is None:
            continue
        if row["is_lead"]:
            task.lead = unit_name(row)
        else:
            task.responsible.append(unit_name(row))
    for row in deadline_rows(plan):
        task = tasks.get(row["task_id"])
        if task is not None:
            task.deadlines.append(PublicDeadline(row["kind"], row["date"], row["text"]))
    periods = shown_periods(plan, today)
    return PublicPlan(
        plan=plan,
        today=today,
        rollup=plan_rollup.plan,
        blocks=blocks,
        tasks=list(tasks.values()),
        sections=sections,
        periods=periods,
        indicators=public_indicators(plan, public_targets(plan), periods),
        as_of=as_of,
        latest_approval=latest_approval(plan),
        issuers=issuer_names(plan),
    )


def latest_status_label(indicator: Indicator) -> str:
    latest = indicator.latest
    return latest.status_label if latest else str(IndicatorStatus.NO_VALUE.label)

