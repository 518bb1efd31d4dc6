"""The office dashboard (督办看板) of one plan and reporting period: report states per unit and
the on-time ranking, completion by section, overdue tasks, traffic lights and the geometry of
the two inline SVG charts; the plan's supervision cycle (签收 waiting per unit, requests and
claims to decide, tasks 已办结 and 已销号: cycle_counts, for the plan whatever the period).
Reads only; a constant number of queries whatever the plan's size. Every count carries the
URL of the admin list it summarises."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, html_safe
from django.utils.translation import gettext as _

from plans.models import (
    Assignment,
    ClaimState,
    Closure,
    NodeKind,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    RequestState,
    Task,
    TaskStatus,
    Unit,
)
from plans.indicators import Indicator, indicators
from plans.progress import Light
from plans.rollup import PlanRollup, Rollup, of_task, rollup
from plans.selectors.cycle import plan_acknowledgements_by_unit, plan_cycle_counts

STATE_COLOURS = {
    ReportState.PENDING: "#9e9e9e",
    ReportState.RETURNED: "#e08e0b",
    ReportState.SUBMITTED: "#2f7ebc",
    ReportState.APPROVED: "#3c9a4f",
}
LIGHT_COLOURS = {Light.RED: "#c62828", Light.YELLOW: "#f2b90d", Light.GREEN: "#3c9a4f"}
CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, BAR_GAP = 680, 180, 18, 8


# --- links --------------------------------------------------------------------------------
@html_safe
@dataclass(frozen=True)
class Link:
    """A count and the admin list showing exactly what was counted ("" when there is none).
    Renders itself in templates as the linked number."""

    count: int
    url: str = ""

    def __str__(self) -> str:
        return format_html('<a href="{}">{}</a>', self.url, self.count) if self.url else str(self.count)


def reports_url(**params) -> str:
    return f"{reverse('admin:plans_progressreport_changelist')}?{urlencode(params)}"


def tasks_url(**params) -> str:
    return f"{reverse('admin:plans_task_changelist')}?{urlencode(params)}"


def active_tasks_url(plan: Plan, **params) -> str:
    """The plan's active tasks (what the dashboard counts), narrowed by TaskAdmin's list filters."""
    return tasks_url(plan__id__exact=plan.pk, is_active__exact=1, **params)


def task_ids_url(tasks) -> str:
    """The task list narrowed to these tasks (for counts no list filter expresses); "" for none."""
    return tasks_url(id__in=",".join(str(task.pk) for task in tasks)) if tasks else ""


# --- report states per unit ---------------------------------------------------------------
@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    rank: int
    total: Link
    pending: Link
    submitted: Link
    late: Link
    approved: Link
    returned: Link
    on_time: int

    @property
    def on_time_percent(self) -> int:
        return round(self.on_time * 100 / self.total.count) if self.total.count else 0


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the site's time zone: submitted before it is on time."""
    next_day = day + datetime.timedelta(days=1)
    return datetime.datetime.combine(next_day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def unit_counts(period: ReportingPeriod, today: datetime.date) -> list[dict]:
    """One row per unit with reports in the period: its counts by state, late and on time."""
    sent = [ReportState.SUBMITTED, ReportState.APPROVED]
    return list(
        ProgressReport.objects.filter(period=period)
        .with_late(today)
        .order_by()
        .values("unit_id")
        .annotate(
            total=Count("pk"),
            late=Count("pk", filter=Q(is_late=True)),
            on_time=Count("pk", filter=Q(state__in=sent, submitted_at__lt=end_of_day(period.due_date))),
            **{state: Count("pk", filter=Q(state=state)) for state in ReportState.values},
        )
    )


def _by_rank(counts: list[dict], units: dict[int, Unit]) -> list[dict]:
    """Highest share of reports sent on time first; equal shares by unit name."""
    return sorted(counts, key=lambda row: (-row["on_time"] / row["total"], str(units[row["unit_id"]])))


def unit_rows(period: ReportingPeriod, today: datetime.date) -> list[UnitRow]:
    """Units ranked by on-time reporting, each count linking to the reports it counts."""
    counts = unit_counts(period, today)
    units = Unit.objects.in_bulk([row["unit_id"] for row in counts])
    rows = []
    for rank, row in enumerate(_by_rank(counts, units), start=1):
        def link(count, **state):
            return Link(count, reports_url(period__id__exact=period.pk, unit__id__exact=row["unit_id"], **state))

        rows.append(
            UnitRow(
                unit=units[row["unit_id"]],
                rank=rank,
                total=link(row["total"]),
                pending=link(row[ReportState.PENDING], state__exact=ReportState.PENDING),
                submitted=link(row[ReportState.SUBMITTED], state__exact=ReportState.SUBMITTED),
                late=link(row["late"], late="yes"),
                approved=link(row[ReportState.APPROVED], state__exact=ReportState.APPROVED),
                returned=link(row[ReportState.RETURNED], state__exact=ReportState.RETURNED),
                on_time=row["on_time"],
            )
        )
    return rows


# --- tasks: completion by section, lights, overdue ----------------------------------------
@dataclass(frozen=True)
class SectionRow:
    section: Task | None  # None gathers the tasks that sit under no section
    tasks: Link
    completed: Link
    average_percent: int | None  # plans.rollup: the average latest approved percent
    reported: int = 0  # the tasks that average is based on (plans.rollup: its coverage)

    @property
    def completed_percent(self) -> int | None:
        """None for a section without tasks: it shows no percentage, not 0%."""
        return round(self.completed.count * 100 / self.tasks.count) if self.tasks.count else None

    @property
    def coverage(self) -> str:
        """“1/480”: the tasks the average is based on out of the section's active tasks."""
        return f"{self.reported}/{self.tasks.count}" if self.tasks.count else ""

    @property
    def label(self) -> str:
        return str(self.section) if self.section else _("（未分章节）")


@dataclass(frozen=True)
class LightCount:
    light: str
    label: str
    colour: str
    count: Link


@dataclass(frozen=True)
class OverdueTask:
    task: Task
    leads: list[Unit]
    due_date: datetime.date
    days_overdue: int


def plan_nodes(plan: Plan) -> list[Task]:
    """Every active node of the plan, tasks annotated by TaskQuerySet.with_schedule()."""
    return list(Task.objects.for_plan(plan).active().with_schedule().order_by("position"))


def top_section(node: Task, by_id: dict[int, Task]) -> Task | None:
    """The level-1 section above a node (None when it hangs under no section)."""
    top = None
    while node.parent_id is not None and node.parent_id in by_id:
        node = by_id[node.parent_id]
        if node.kind == NodeKind.SECTION:
            top = node
    return top


def _section_row(plan: Plan, section: Task | None, tasks: list[Task], summary: Rollup) -> SectionRow:
    completed = [task for task in tasks if task.status == TaskStatus.COMPLETED]
    if section is None:
        tasks_link, completed_link = task_ids_url(tasks), task_ids_url(completed)
    else:
        tasks_link = active_tasks_url(plan, section=section.pk)
        completed_link = active_tasks_url(plan, section=section.pk, status__exact=TaskStatus.COMPLETED)
    return SectionRow(
        section=section,
        tasks=Link(summary.tasks, tasks_link),
        completed=Link(summary.completed, completed_link),
        average_percent=summary.average_percent,
        reported=summary.reported,
    )


def section_rows(plan: Plan, nodes: list[Task], summary: PlanRollup) -> list[SectionRow]:
    """A row per top-level section in plan order (its roll-up: tasks at any depth below it),
    then one for the tasks under no section, if any."""
    by_id = {node.pk: node for node in nodes}
    grouped: dict[Task | None, list[Task]] = {
        node: [] for node in nodes if node.kind == NodeKind.SECTION and node.parent_id is None
    }
    for task in (node for node in nodes if node.kind == NodeKind.TASK):
        grouped.setdefault(top_section(task, by_id), []).append(task)
    rows = []
    for section, tasks in grouped.items():
        if section is None:
            loose = sum((of_task(task.status, task.latest_percent) for task in tasks), Rollup())
            rows.append(_section_row(plan, None, tasks, loose))
        else:
            rows.append(_section_row(plan, section, tasks, summary.sections[section.pk]))
    return rows


def light_counts(plan: Plan, nodes: list[Task], today: datetime.date) -> list[LightCount]:
    lights = [node.light(today) for node in nodes if node.kind == NodeKind.TASK]
    return [
        LightCount(
            light, Light(light).label, LIGHT_COLOURS[light],
            Link(lights.count(light), active_tasks_url(plan, light=light)),
        )
        for light in Light.values
    ]


def overdue_tasks(plan: Plan, today: datetime.date) -> list[OverdueTask]:
    """超期未完成 tasks, earliest due first, with their lead units (牵头单位)."""
    overdue = Task.objects.for_plan(plan).active().overdue(today).values("pk")
    tasks = (
        Task.objects.filter(pk__in=overdue)
        .with_schedule()
        .prefetch_related(
            Prefetch("assignments", Assignment.objects.filter(is_lead=True).select_related("unit"), to_attr="leads")
        )
        .order_by("due_date", "position")
    )
    return [
        OverdueTask(task, [lead.unit for lead in task.leads], task.due_date, (today - task.due_date).days)
        for task in tasks
    ]


# --- the supervision cycle: 签收, requests, claims, 办结 and 销号 ----------------------------
def admin_list_url(model_name: str, **params) -> str:
    """A cycle model's admin list, filtered; "" while that list is not registered."""
    try:
        return f"{reverse(f'admin:plans_{model_name}_changelist')}?{urlencode(params)}"
    except NoReverseMatch:
        return ""


@dataclass(frozen=True)
class AcknowledgementRow:
    """A unit of the plan with 签收 waiting."""

    unit: Unit
    waiting: Link
    late: Link  # past their 签收时限
    days_waiting: int  # since the earliest 交办 still unsigned


@dataclass(frozen=True)
class CycleCounts:
    acknowledgements: list[AcknowledgementRow]
    waiting: Link
    extensions: Link  # 延期申请 待审批
    claims: Link  # 办结申请 待审核
    done: Link  # 已办结, not yet 销号
    closed: Link  # 已销号


def cycle_counts(plan: Plan, today: datetime.date) -> CycleCounts:
    """The plan's supervision cycle, each count linking to the admin list it counts."""
    rows = plan_acknowledgements_by_unit(plan, today)
    units = Unit.objects.in_bulk([row["unit_id"] for row in rows])
    waiting = {"plan__id__exact": plan.pk, "acknowledged_at__isnull": "True"}
    acknowledgements = [
        AcknowledgementRow(
            unit=units[row["unit_id"]],
            waiting=Link(row["waiting"], admin_list_url("acknowledgement", unit__id__exact=row["unit_id"], **waiting)),
            late=Link(row["late"], admin_list_url(
                "acknowledgement", unit__id__exact=row["unit_id"], due_on__lt=today.isoformat(), **waiting,
            )),
            days_waiting=(today - timezone.localdate(row["first"])).days,
        )
        for row in rows
    ]
    counts = plan_cycle_counts(plan)
    of_plan = {"task__plan__id__exact": plan.pk}
    return CycleCounts(
        acknowledgements=acknowledgements,
        waiting=Link(sum(row["waiting"] for row in rows), admin_list_url("acknowledgement", **waiting)),
        extensions=Link(counts["extensions"], admin_list_url(
            "extensionrequest", state__exact=RequestState.PENDING, **of_plan)),
        claims=Link(counts["claims"], admin_list_url("completionclaim", state__exact=ClaimState.SUBMITTED, **of_plan)),
        done=Link(counts["done"], active_tasks_url(plan, closure__exact=Closure.DONE)),
        closed=Link(counts["closed"], active_tasks_url(plan, closure__exact=Closure.CLOSED)),
    )


# --- charts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    title: str
    url: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    segments: list[Segment]

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 4


@dataclass(frozen=True)
class Legend:
    x: int
    label: str
    colour: str


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    legend: list[Legend] = field(default_factory=list)
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH

    @property
    def height(self) -> int:
        return self.legend_y + (BAR_HEIGHT + BAR_GAP if self.legend else 0)

    @property
    def legend_y(self) -> int:
        return len(self.bars) * (BAR_HEIGHT + BAR_GAP)

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT

    @property
    def room(self) -> int:
        """The width a full bar takes, right of the labels."""
        return self.width - self.label_width


def _bar_y(index: int) -> int:
    return index * (BAR_HEIGHT + BAR_GAP)


def _segments(parts: list[tuple[int, str, str, str]], whole: int) -> list[Segment]:
    """Side-by-side segments, each (count, colour, title, url), scaled so `whole` fills the bar."""
    room, x, segments = CHART_WIDTH - LABEL_WIDTH, float(LABEL_WIDTH), []
    for count, colour, title, url in parts:
        if count and whole:
            width = room * count / whole
            segments.append(Segment(round(x, 1), round(width, 1), colour, title, url))
            x += width
    return segments


def unit_state_chart(units: list[UnitRow]) -> Chart:
    """A stacked bar per unit: its reports by state, bars scaled to the largest unit."""
    largest = max((row.total.count for row in units), default=0)
    bars = []
    for index, row in enumerate(units):
        parts = [
            (link.count, STATE_COLOURS[state], f"{ReportState(state).label} {link.count}", link.url)
            for state, link in (
                (ReportState.PENDING, row.pending),
                (ReportState.RETURNED, row.returned),
                (ReportState.SUBMITTED, row.submitted),
                (ReportState.APPROVED, row.approved),
            )
        ]
        bars.append(Bar(str(row.unit), _bar_y(index), _segments(parts, largest)))
    legend = [
        Legend(LABEL_WIDTH + 110 * i, str(state.label), colour)
        for i, (state, colour) in enumerate(STATE_COLOURS.items())
    ]
    return Chart(_("各单位报告状态"), bars, legend)


def section_chart(sections: list[SectionRow]) -> Chart:
    """A bar per section: the share of its tasks completed (the full width is 100 %)."""
    colour = STATE_COLOURS[ReportState.APPROVED]
    bars = [
        Bar(
            row.label,
            _bar_y(index),
            _segments([(row.completed.count, colour, f"{row.completed_percent}%", row.completed.url)], row.tasks.count),
        )
        for index, row in enumerate(sections)
    ]
    return Chart(_("各章节任务完成率"), bars)


# --- everything ---------------------------------------------------------------------------
@dataclass(frozen=True)
class DashboardData:
    plan: Plan
    period: ReportingPeriod
    today: datetime.date
    units: list[UnitRow]
    sections: list[SectionRow]
    overdue: list[OverdueTask]
    lights: list[LightCount]
    unit_chart: Chart
    section_chart: Chart
    total: Rollup  # the whole plan's roll-up
    indicators: list[Indicator]

    @property
    def total_tasks_link(self) -> Link:
        return Link(self.total.tasks, active_tasks_url(self.plan))

    @property
    def total_completed_link(self) -> Link:
        return Link(self.total.completed, active_tasks_url(self.plan, status__exact=TaskStatus.COMPLETED))

    @property
    def overdue_link(self) -> Link:
        return Link(len(self.overdue), active_tasks_url(self.plan, overdue="yes"))

    @property
    def charts(self) -> list[Chart]:
        return [self.unit_chart, self.section_chart]


def dashboard_data(plan: Plan, period: ReportingPeriod, today: datetime.date) -> DashboardData:
    nodes = plan_nodes(plan)
    periods = list(plan.periods.order_by("start"))
    targets = plan.targets.filter(is_active=True).select_related("plan", "owner", "task").order_by("position")
    units = unit_rows(period, today)
    summary = rollup(nodes)
    sections = section_rows(plan, nodes, summary)
    return DashboardData(
        plan=plan,
        period=period,
        today=today,
        units=units,
        sections=sections,
        overdue=overdue_tasks(plan, today),
        lights=light_counts(plan, nodes, today),
        unit_chart=unit_state_chart(units),
        section_chart=section_chart(sections),
        total=summary.plan,
        indicators=indicators(plan, targets, periods, up_to=period),
    )
