"""What the exported sheets read from the database, one function or loader per dataset: the
nodes a user may see, the tasks a unit reports on, each task's assignments, deadlines and
reports (streamed alongside the nodes, memory flat), the sheet's roll-up, the indicator
sheet's targets and periods, and who may export a unit's sheet."""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from django.db.models import F, Q

from plans.models import (
    Acknowledgement,
    Assignment,
    AssignmentPerson,
    Closure,
    Deadline,
    DeadlineKind,
    NodeKind,
    ProgressReport,
    ReportingPeriod,
    Role,
    SupportingInput,
    Target,
    Task,
    Unit,
    acting_unit_ids,
    units_answering_for,
)
from plans.permissions import is_office
from plans.rollup import PlanRollup, Rollup, plan_nodes_for_rollup, rollup

CHUNK_SIZE = 2000


# --- which nodes ------------------------------------------------------------------------------
def visible_nodes(user, period: ReportingPeriod):
    """The plan's active sections and tasks the user may see."""
    nodes = Task.objects.for_plan(period.plan_id).active()
    if not is_office(user, period.plan_id):
        nodes = nodes.filter(pk__in=Task.objects.visible_to(user).values("pk"))
    return nodes


def unit_task_ids(period: ReportingPeriod, unit: Unit):
    """Tasks the unit reports on in the period: it has a report, or it is responsible."""
    reported = ProgressReport.objects.filter(period=period, unit=unit).values("task_id")
    responsible = Assignment.objects.filter(
        task__plan_id=period.plan_id, role=Role.RESPONSIBLE, unit__in=units_answering_for(unit.pk)
    ).values("task_id")
    return Q(pk__in=reported) | Q(pk__in=responsible)


def may_export_unit(user, period: ReportingPeriod, unit: Unit) -> bool:
    """Office staff export any unit's sheet of their plan; a unit account its own units'."""
    return is_office(user, period.plan_id) or unit.pk in acting_unit_ids(user)


def units_by_id() -> dict[int, Unit]:
    """Every unit by id: the sheets name units from here, with no query per row."""
    return Unit.objects.in_bulk()


class SheetNode:
    """A section or task of a sheet as read from Task.objects.for_export() (`sheet_nodes`): the
    fields the sheet shows, latest_percent, and once TaskDetails set them, the details and the
    schedule; str() and light() are the model's own (Task.__str__, Task.light), without a model
    instance per node."""

    __slots__ = (
        "pk", "kind", "label", "path", "level", "position", "title", "text", "status", "latest_percent",
        "export_assignments", "export_deadlines", "export_people", "export_closure", "due_date", "start_date",
        "period_reports",
    )
    FIELDS = __slots__[:10]  # read from the queryset, in this order

    def __init__(self, *fields):
        for name, value in zip(self.FIELDS, fields, strict=True):
            setattr(self, name, value)

    __str__ = Task.__str__
    light = Task.light


def sheet_nodes(nodes):
    """SheetNode of each of `nodes` (a Task.objects.for_export() queryset), read in chunks."""
    return (SheetNode(*row) for row in nodes.values_list(*SheetNode.FIELDS).iterator(chunk_size=CHUNK_SIZE))


# --- each task's details ----------------------------------------------------------------------
class AssignedUnit(NamedTuple):
    unit_id: int
    role: str
    is_lead: bool


class DeadlineFact(NamedTuple):
    kind: str
    date: datetime.date | None
    text: str
    original_date: datetime.date | None = None  # the first date of a deadline moved by 延期
    extensions: int = 0  # approved 延期申请


class NamedPerson(NamedTuple):
    """A 责任领导 or 联系人 the lead unit named for the task (AssignmentPerson): the name and
    phone written in, else its account's profile's (else its login)."""

    kind: str
    name: str
    phone: str
    profile_name: str | None
    profile_phone: str | None
    username: str | None

    @property
    def shown_name(self) -> str:
        return self.name or self.profile_name or self.username or ""

    @property
    def shown_phone(self) -> str:
        return self.phone or self.profile_phone or ""


class AcknowledgedFact(NamedTuple):
    """A unit's 签收 as a sheet row shows it: of the period (else of the plan's assignments)."""

    acknowledged_at: datetime.datetime | None
    due_on: datetime.date


class SupportingText(NamedTuple):
    unit_id: int
    text: str


REPORT_FIELDS = (
    "task_id", "unit_id", "period_id", "state", "status", "percent", "progress", "problems", "next_steps",
    "review_comment", "version",
)


class SheetReport(NamedTuple):
    """A report of the period as a whole sheet's stream reads it (TaskDetails.stream): its id,
    REPORT_FIELDS, its supporting inputs and the period; what the sheet writer reads of a
    report, without a model instance per report."""

    pk: int
    task_id: int
    unit_id: int
    period_id: int
    state: str
    status: str
    percent: int | None
    progress: str
    problems: str
    next_steps: str
    review_comment: str
    version: int
    export_inputs: list[SupportingText]
    period: ReportingPeriod


assert SheetReport._fields[1:1 + len(REPORT_FIELDS)] == REPORT_FIELDS  # the stream's columns, in order


class TaskDetails:
    """Each task's assignments and deadlines (as tuples), its reports of the period (with
    their supporting inputs), the people its lead unit named and its 办结 state, set on the
    task as `export_assignments`, `export_deadlines`, `period_reports`, `export_people` and
    `export_closure`. For a whole sheet they are read as streams ordered like the nodes and
    merged task by task (`stream`): no query per batch, memory flat; for a few tasks by id
    (`attach`). Each unit's 签收 (`acknowledgement`) is read once for the sheet."""

    def __init__(self, plan_id: int, period: ReportingPeriod):
        self.plan_id, self.period = plan_id, period
        self._acknowledgements: dict[int, AcknowledgedFact] | None = None

    def acknowledgement(self, unit_id: int | None) -> AcknowledgedFact | None:
        """The unit's 签收 of the period, else of the plan's assignments (one query per sheet)."""
        if self._acknowledgements is None:
            rows = (
                Acknowledgement.objects.filter(plan_id=self.plan_id)
                .filter(Q(period__isnull=True) | Q(period_id=self.period.pk))
                .order_by(F("period_id").asc(nulls_first=True))
                .values_list("unit_id", "acknowledged_at", "due_on")
            )
            self._acknowledgements = {unit_id: AcknowledgedFact(at, due) for unit_id, at, due in rows}
        return self._acknowledgements.get(unit_id)

    def _rows(self, *, models: bool = True, **task_lookups):
        """The six streams for the tasks matching `task_lookups`, each ordered by task position;
        the reports as ProgressReport instances (`models`) or as SheetReport."""
        of_tasks = {f"task__{lookup}": value for lookup, value in task_lookups.items()}
        assignments = (
            Assignment.objects.filter(**of_tasks).order_by("task__position", "role", "position")
            .values_list("task__position", "unit_id", "role", "is_lead")
        )
        deadlines = (
            Deadline.objects.filter(**of_tasks).order_by("task__position", "position")
            .values_list("task__position", "kind", "date", "text", "original_date", "extensions")
        )
        reports = ProgressReport.objects.filter(**of_tasks, period=self.period)
        if models:
            reports = reports.only(*REPORT_FIELDS).annotate(at=F("task__position")).order_by("at", "pk")
        else:
            reports = reports.order_by("task__position", "pk").values_list("task__position", "pk", *REPORT_FIELDS)
        inputs = (
            SupportingInput.objects.filter(
                **{f"report__{lookup}": value for lookup, value in of_tasks.items()}, report__period=self.period
            )
            .order_by("report__task__position", "report_id", "unit_id")
            .values_list("report__task__position", "report_id", "unit_id", "text")
        )
        people = (
            AssignmentPerson.objects.filter(
                **{f"assignment__{lookup}": value for lookup, value in of_tasks.items()}, assignment__is_lead=True
            )
            .order_by("assignment__task__position", "kind")
            .values_list(
                "assignment__task__position", "kind", "name", "phone", "user__profile__name", "user__profile__phone",
                "user__username",
            )
        )
        closures = (  # only the tasks past 办理中: most are not
            Task.objects.filter(**task_lookups).exclude(closure=Closure.OPEN).order_by("position")
            .values_list("position", "closure")
        )
        return [
            _ByPosition(assignments.iterator(chunk_size=CHUNK_SIZE)),
            _ByPosition(deadlines.iterator(chunk_size=CHUNK_SIZE)),
            _ByPosition(reports.iterator(chunk_size=CHUNK_SIZE), key=attrgetter("at") if models else None),
            _ByPosition(inputs.iterator(chunk_size=CHUNK_SIZE)),
            _ByPosition(people.iterator(chunk_size=CHUNK_SIZE)),
            _ByPosition(closures.iterator(chunk_size=CHUNK_SIZE)),
        ]

    def _set(self, task, assignments, deadlines, reports, inputs, people, closures):
        task.export_assignments = [AssignedUnit(*row) for row in assignments]
        task.export_deadlines = [DeadlineFact(*row) for row in deadlines]
        task.export_people = [NamedPerson(*row) for row in people]
        task.export_closure = closures[0][0] if closures else Closure.OPEN
        # what TaskQuerySet.with_schedule annotates, from the deadlines at hand
        task.due_date = min(
            (d.date for d in task.export_deadlines if d.kind == DeadlineKind.DUE and d.date), default=None
        )
        starts = [d.date for d in task.export_deadlines if d.kind == DeadlineKind.START and d.date]
        task.start_date = min(starts) if starts else self.period.plan.period_start
        by_report = defaultdict(list)
        for report_id, unit_id, text in inputs:
            by_report[report_id].append(SupportingText(unit_id, text))
        if reports and isinstance(reports[0], tuple):  # the stream's rows: (pk, *REPORT_FIELDS)
            reports = [SheetReport(*row, by_report[row[0]], self.period) for row in reports]
        else:
            for report in reports:
                report.export_inputs = by_report[report.pk]
                report.period = self.period  # all of them: no query when a rule reads it
        task.period_reports = reports
        return task

    def _merged(self, nodes, streams):
        for node in nodes:
            if node.kind == NodeKind.TASK:
                self._set(node, *(stream.take(node.position) for stream in streams))
            yield node

    def stream(self, nodes):
        """The nodes (an iterator in document order) with their details set, read alongside
        as the whole plan's streams; the reports are SheetReport (what a sheet reads)."""
        return self._merged(nodes, self._rows(models=False, plan_id=self.plan_id, is_active=True))

    def attach(self, tasks: list[Task]) -> list[Task]:
        """Set the details on a few tasks (six queries), returned in document order; the
        reports are ProgressReport instances (a returned sheet's check edits them)."""
        tasks = sorted(tasks, key=lambda task: task.position)
        return list(self._merged(tasks, self._rows(id__in=[task.pk for task in tasks])))


class _ByPosition:
    """Rows ordered by their task's position, taken task by task: a tuple's first item is
    its position (and is left out of what is taken), else `key` gives it."""

    def __init__(self, rows, key=None):
        self.rows, self.key = iter(rows), key
        self.head = next(self.rows, None)

    def take(self, position: int) -> list:
        head = self.head
        if head is None:
            return []
        key, rows, taken = self.key, self.rows, []
        if key is None:
            while head is not None and head[0] <= position:
                if head[0] == position:
                    taken.append(head[1:])
                head = next(rows, None)
        else:
            while head is not None and key(head) <= position:
                if key(head) == position:
                    taken.append(head)
                head = next(rows, None)
        self.head = head
        return taken


# --- roll-up ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SheetRollup:
    """The roll-up (plans/rollup.py) of the tasks a sheet lists: the plan's, every section's,
    and the top-level sections in plan order (for the summary)."""

    plan: Rollup
    sections: dict[int, Rollup]
    top: list[int]


def sheet_rollup(period: ReportingPeriod, nodes=None) -> SheetRollup:
    """The roll-up of the plan's active nodes (what the dashboard and the API count), or of
    those in `nodes` (a queryset: the tasks a unit's sheet or a unit account's workbook
    lists). One query."""
    rows = plan_nodes_for_rollup([period.plan_id])
    if nodes is not None:
        rows = rows.filter(pk__in=nodes.values("pk"))
    rows = [row[1:] for row in rows]  # ROLLUP_FIELDS after the plan id
    rolled: PlanRollup = rollup(rows)
    top = [node_id for node_id, parent_id, kind, *_ in rows if kind == NodeKind.SECTION and parent_id is None]
    return SheetRollup(rolled.plan, rolled.sections, top)


# --- the indicator sheet ----------------------------------------------------------------------
def sheet_targets(user, period: ReportingPeriod, *, unit: Unit | None = None) -> list[Target]:
    """The plan's active targets the user may see (Target.objects.visible_to, as the task rows
    follow Task.objects.visible_to), in plan order; a target of a task no longer active is left
    out with its task. With `unit`: only the targets that unit (or a collective it belongs to)
    owns, that is, enters the values of. One query."""
    targets = Target.objects.filter(plan_id=period.plan_id, is_active=True).filter(
        Q(task__isnull=True) | Q(task__is_active=True)
    )
    if not is_office(user, period.plan_id):
        targets = targets.visible_to(user)
    if unit is not None:
        targets = targets.filter(owner_id__in=units_answering_for(unit.pk))
    targets = list(targets.select_related("task", "owner").defer("task__text").order_by("position"))
    for target in targets:
        target.plan = period.plan  # no query when a rule reads it
    return targets


def periods_up_to(period: ReportingPeriod) -> list[ReportingPeriod]:
    """The plan's reporting periods from the first to `period`, in order. One query."""
    plan = period.plan
    periods = list(ReportingPeriod.objects.filter(plan_id=plan.pk, start__lte=period.start).order_by("start"))
    for earlier in periods:
        earlier.plan = plan  # their names read the plan's frequency: no query per period
    return periods
