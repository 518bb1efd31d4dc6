"""The quarterly progress sheet (进展情况表) as an Excel workbook, written with openpyxl's
write-only mode while the task queryset is iterated, so memory stays flat however large
the plan; in the customary layout offices print, file and send upward (title row, info row,
two header rows, section rows merged across, signature footer, A4 landscape one page wide).
The cells, named styles, print set-up and row-by-row writing shared with the other sheets
are in cells.py.

- `export_plan_workbook`: the plan's full sheet for a period (every section and task, one
  row per reporting unit, the task's cells merged down), a summary sheet with native charts,
  the indicator sheet (量化指标, indicator_sheet.py) when the plan has targets and, on
  request, one sheet per reporting unit.
- `export_unit_workbook`: the sheet a unit sends to the office: its own tasks, 填报单位
  filled in, the signature footer; and the indicators the unit enters the values of.

Each section row shows its roll-up (plans/rollup.py) after its title: the tasks listed below
it, how many are completed, the average reported percent; the summary sheet shows the same
per top-level section and for the plan.

Both show only what the user may see (`visible_to`); returned.py reads the sheets back."""
from __future__ import annotations

import datetime
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import islice
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import NamedStyle, PatternFill
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation

from plans.exports import layout
from plans.exports.cells import (
    LINE_HEIGHT,
    RowSheet,
    cell,
    excel_text,
    named_style,
    print_setup,
    wrapped_lines,
)
from plans.exports.indicator_sheet import SHEET_NAME, sheet_targets, write_indicator_sheet
from plans.exports.layout import FULL, UNIT, Column, chinese_labels
from plans.models import (
    Assignment,
    Deadline,
    DeadlineKind,
    NodeKind,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    SupportingInput,
    Task,
    TaskStatus,
    Unit,
    acting_unit_ids,
    units_answering_for,
)
from plans.permissions import is_office
from plans.progress import Light
from plans.rollup import PlanRollup, Rollup, plan_nodes_for_rollup, rollup

CHUNK_SIZE = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

LIGHT_FILL = {Light.RED: "F4B6B6", Light.YELLOW: "FCE8A6", Light.GREEN: "C9E7C4"}

# --- styles -----------------------------------------------------------------------------------
_GREY = PatternFill("solid", fgColor="F2F2F2")


def light_style(light: str) -> str:
    """The named style of a red, yellow or green light cell."""
    return f"进展表-{chinese_labels(Light)[light]}"


def named_styles() -> list[NamedStyle]:
    """The sheet's named styles, new for each workbook (a NamedStyle binds to one workbook)."""
    return [
        named_style("进展表-标题", size=16, bold=True, horizontal="center", vertical="center", border=False),
        named_style("进展表-表头信息", vertical="center", wrap=False, border=False),
        named_style("进展表-列标题", bold=True, horizontal="center", vertical="center", fill="D9D9D9"),
        named_style("进展表-章节", bold=True, vertical="center", fill="E7E6E6"),
        named_style("进展表-只读", fill=_GREY),
        named_style("进展表-只读居中", horizontal="center", fill=_GREY),
        named_style("进展表-日期", horizontal="center", fill=_GREY, number_format='yyyy"年"m"月"d"日"'),
        named_style("进展表-填写"),
        named_style("进展表-填写居中", horizontal="center"),
        named_style("进展表-页脚", vertical="center", border=False),
        named_style("进展表-数字", horizontal="center", vertical="center", wrap=False),
        *[named_style(light_style(light), bold=True, horizontal="center", fill=fill) for light, fill in LIGHT_FILL.items()],
    ]


CELL_STYLE = {
    "number": "进展表-只读居中",
    "lead": "进展表-只读居中",
    "light": "进展表-只读居中",
    "unit": "进展表-只读居中",
    "status": "进展表-填写居中",
    "percent": "进展表-填写居中",
    "remarks": "进展表-只读",
}


class SheetWorkbook(Workbook):
    """A write-only workbook with the sheet's named styles, each also kept as the style array
    a cell of that style carries (what `cell.style = name` would look up, cell after cell)."""

    def __init__(self):
        super().__init__(write_only=True)
        self.style_arrays = {}
        for style in named_styles():
            self.add_named_style(style)
            self.style_arrays[style.name] = style.as_tuple()


# --- what a row shows -------------------------------------------------------------------------
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


class AssignedUnit(NamedTuple):
    unit_id: int
    role: str
    is_lead: bool


class DeadlineFact(NamedTuple):
    kind: str
    date: datetime.date | None
    text: str


class SupportingText(NamedTuple):
    unit_id: int
    text: str


REPORT_FIELDS = (
    "task_id", "unit_id", "period_id", "state", "status", "percent", "progress", "problems", "next_steps", "review_comment", "version",
)


class TaskDetails:
    """Each task's assignments and deadlines (as tuples) and its reports of the period (with
    their supporting inputs), set on the task as `export_assignments`, `export_deadlines`
    and `period_reports`. For a whole sheet they are read as streams ordered like the
    nodes and merged task by task (`stream`): no query per batch, memory flat; for a few
    tasks by id (`attach`)."""

    def __init__(self, plan_id: int, period: ReportingPeriod):
        self.plan_id, self.period = plan_id, period

    def _rows(self, **task_lookups):
        """The four streams for the tasks matching `task_lookups`, each ordered by task position."""
        of_tasks = {f"task__{lookup}": value for lookup, value in task_lookups.items()}
        assignments = (
            Assignment.objects.filter(**of_tasks).order_by("task__position", "role", "position")
            .values_list("task__position", "unit_id", "role", "is_lead")
        )
        deadlines = (
            Deadline.objects.filter(**of_tasks).order_by("task__position", "position")
            .values_list("task__position", "kind", "date", "text")
        )
        reports = (
            ProgressReport.objects.filter(**of_tasks, period=self.period).only(*REPORT_FIELDS)
            .annotate(at=F("task__position")).order_by("at", "pk")
        )
        inputs = (
            SupportingInput.objects.filter(**{f"report__{lookup}": value for lookup, value in of_tasks.items()}, report__period=self.period)
            .order_by("report__task__position", "report_id", "unit_id")
            .values_list("report__task__position", "report_id", "unit_id", "text")
        )
        return [
            _ByPosition(assignments.iterator(chunk_size=CHUNK_SIZE)), _ByPosition(deadlines.iterator(chunk_size=CHUNK_SIZE)),
            _ByPosition(reports.iterator(chunk_size=CHUNK_SIZE), key=lambda report: report.at),
            _ByPosition(inputs.iterator(chunk_size=CHUNK_SIZE)),
        ]

    def _set(self, task, assignments, deadlines, reports, inputs):
        task.export_assignments = [AssignedUnit(*row) for row in assignments]
        task.export_deadlines = [DeadlineFact(*row) for row in deadlines]
        # what TaskQuerySet.with_schedule annotates, from the deadlines at hand
        task.due_date = min((d.date for d in task.export_deadlines if d.kind == DeadlineKind.DUE and d.date), default=None)
        starts = [d.date for d in task.export_deadlines if d.kind == DeadlineKind.START and d.date]
        task.start_date = min(starts) if starts else self.period.plan.period_start
        by_report = defaultdict(list)
        for report_id, unit_id, text in inputs:
            by_report[report_id].append(SupportingText(unit_id, text))
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
        as the whole plan's streams."""
        return self._merged(nodes, self._rows(plan_id=self.plan_id, is_active=True))

    def attach(self, tasks: list[Task]) -> list[Task]:
        """Set the details on a few tasks (four queries), returned in document order."""
        tasks = sorted(tasks, key=lambda task: task.position)
        return list(self._merged(tasks, self._rows(id__in=[task.pk for task in tasks])))


class _ByPosition:
    """Rows ordered by their task's position, taken task by task."""

    def __init__(self, rows, key=None):
        self.rows, self.key = iter(rows), key or (lambda row: row[0])
        self.head = next(self.rows, None)

    def take(self, position: int) -> list:
        taken = []
        while self.head is not None and self.key(self.head) <= position:
            if self.key(self.head) == position:
                taken.append(self.head if not isinstance(self.head, tuple) else self.head[1:])
            self.head = next(self.rows, None)
        return taken


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
        deadline=due or "；".join(d.text for d in deadlines),
    )


def is_late(report: ProgressReport | None, period: ReportingPeriod, today: datetime.date) -> bool:
    """逾期未报, for a report at hand (ProgressReportQuerySet.late says it in SQL)."""
    return report is not None and report.state in (ReportState.PENDING, ReportState.RETURNED) and period.due_date < today


def _remarks(report: ProgressReport | None, late: bool, units: dict[int, Unit]) -> str:
    if report is None:
        return ""
    parts = [chinese_labels(ReportState)[report.state] + ("（逾期未报）" if late else "")]
    if report.state == ReportState.RETURNED and report.review_comment:
        parts.append(f"退回意见：{report.review_comment}")
    parts.extend(f"配合单位{units[contribution.unit_id]}：{contribution.text}" for contribution in report.export_inputs)
    return "\n".join(parts)


def per_task_values(facts: TaskFacts, number: int) -> dict:
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
    }


def _report_values(unit: Unit | None, report: ProgressReport | None, late: bool, units: dict[int, Unit]) -> dict:
    return {
        "unit": str(unit or ""),
        "progress": report.progress if report else "",
        "problems": report.problems if report else "",
        "next_steps": report.next_steps if report else "",
        "status": chinese_labels(TaskStatus)[report.status] if report else "",
        "percent": report.percent if report else None,
        "remarks": _remarks(report, late, units),
    }


def _row_key(facts: TaskFacts, unit: Unit | None, report: ProgressReport | None, per_task: dict, own: dict) -> str:
    """The hidden key: task and unit, the report's version as exported (a returned row
    older than the report is refused), and a digest of the read-only cells only the sheet
    knows (序号, 预警, 备注), so an edit to them is refused too."""
    shown = {"number": per_task["number"], "light": per_task["light"], "remarks": excel_text(own["remarks"])}
    return layout.task_row_key(
        facts.task.pk, unit.pk if unit else None, report.version if report else 0, layout.cells_digest(shown),
    )


def _style_of(column: Column, value, light: str) -> str:
    if column.key == "light":
        return light_style(light)
    if column.key == "deadline" and isinstance(value, datetime.date):
        return "进展表-日期"
    return _column_style(column)


def _column_style(column: Column) -> str:
    if column.key in CELL_STYLE:
        return CELL_STYLE[column.key]
    return "进展表-填写" if column.editable else "进展表-只读"


_STYLED_BY_VALUE = ("light", "deadline")  # the columns whose style depends on the value


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


def rollup_text(totals: Rollup) -> str:
    """任务 20 项，已完成 5 项 25%，平均进度 60% (平均进度 — when no task has a percent)."""
    average = "—" if totals.average_percent is None else f"{totals.average_percent}%"
    return f"任务 {totals.tasks} 项，已完成 {totals.completed} 项 {totals.completed_percent}%，平均进度 {average}"


def section_text(node: Task, rollups: SheetRollup | None) -> str:
    """A section row's text: its title, then its roll-up when tasks are listed below it."""
    totals = rollups.sections.get(node.pk) if rollups else None
    if totals is None or not totals.tasks:
        return str(node)
    return f"{node}（{rollup_text(totals)}）"


# --- one sheet --------------------------------------------------------------------------------
class ProgressSheet(RowSheet):
    """Writes one progress sheet row by row: header rows, section rows (merged across,
    written only once a task below them appears unless `every_section`), task rows (the
    per-task cells merged down over the task's report rows), then the footer."""

    def __init__(self, workbook, title: str, *, kind: str, period: ReportingPeriod, every_section: bool, rollups: SheetRollup | None = None):
        self.sheet = workbook.create_sheet(title)
        self.kind, self.period, self.every_section = kind, period, every_section
        self.rollups = rollups
        self.columns = layout.columns_for(kind)
        self.column_styles = [(column, _column_style(column)) for column in self.columns]
        self.width = len(self.columns)
        self.key_index = layout.key_column_index(kind)
        self.row = 0
        self.number = 0
        self.pending_sections: list[Task] = []
        self.written_sections: set[int] = set()
        self._setup()

    # layout ------------------------------------------------------------------------------
    def _setup(self):
        sheet = self.sheet
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[layout.letter(index)].width = column.width
        key = sheet.column_dimensions[layout.letter(self.key_index)]
        key.width, key.hidden = 12, True
        sheet.freeze_panes = f"C{layout.FIRST_DATA_ROW}"
        sheet.print_title_rows = f"{layout.GROUP_ROW}:{layout.HEADER_ROW}"
        print_setup(sheet)

    def _keyed_row(self, text: str, style: str, key=None, height=None):
        """A wide row with the row key in the hidden key column."""
        extra = [] if key is None else [cell(self.sheet, key, "进展表-表头信息")]
        self._wide_row(text, style, *extra, height=height)

    def write_header(self, *, info: str, signature: str):
        self._wide_row(layout.sheet_title(self.period), "进展表-标题", height=36)
        self._wide_row(info, "进展表-表头信息", height=22)
        groups = [column.group for column in self.columns]
        group_cells = [cell(self.sheet, group or column.header, "进展表-列标题") for group, column in zip(groups, self.columns)]
        header_cells = [cell(self.sheet, column.header, "进展表-列标题") for column in self.columns]
        group_cells.append(cell(self.sheet, signature, "进展表-列标题"))
        header_cells.append(cell(self.sheet, layout.KEY_HEADER, "进展表-列标题"))
        self._append(group_cells)
        self._append(header_cells, 30)
        self._merge_headers(groups)

    # body --------------------------------------------------------------------------------
    def section(self, node: Task):
        while self.pending_sections and self.pending_sections[-1].level >= node.level:
            self.pending_sections.pop()
        self.pending_sections.append(node)
        if self.every_section:
            self._flush_sections()

    def _flush_sections(self):
        for node in self.pending_sections:
            if node.pk not in self.written_sections:
                self._keyed_row(section_text(node, self.rollups), "进展表-章节", key=layout.section_row_key(node.pk))
                self.written_sections.add(node.pk)

    def task(self, facts: TaskFacts, rows: list[tuple[Unit | None, ProgressReport | None]], today: datetime.date, units: dict):
        self._flush_sections()
        self.number += 1
        per_task = per_task_values(facts, self.number)
        first = self.row + 1
        shared = max(wrapped_lines(per_task[c.key], c.width) for c in self.columns if c.per_task)
        share = -(-shared // len(rows))  # the merged per-task text, spread over the task's rows
        sheet = self.sheet
        for position, (unit, report) in enumerate(rows):
            own = _report_values(unit, report, is_late(report, self.period, today), units)
            cells = []
            for column, style in self.column_styles:
                if column.per_task:  # written once: the lower cells of a merged range stay empty
                    value = per_task[column.key] if position == 0 else None
                    style = _style_of(column, value, facts.light) if column.key in _STYLED_BY_VALUE else style
                else:
                    value = own[column.key]
                cells.append(cell(sheet, value, style))
            cells.append(cell(sheet, _row_key(facts, unit, report, per_task, own), "进展表-表头信息"))
            lines = max(wrapped_lines(own[c.key], c.width) for c, _style in self.column_styles if not c.per_task)
            self._append(cells, LINE_HEIGHT * max(lines, share) + 4)
        if self.row > first:
            for index, column in enumerate(self.columns, start=1):
                if column.per_task:
                    self._merge(index, first, index, self.row)

    def write_footer(self):
        last = self.row
        if last >= layout.FIRST_DATA_ROW:
            self._validations(layout.FIRST_DATA_ROW, last)
        self._append([])
        if self.kind == UNIT:
            self._wide_row(layout.FOOTER, "进展表-页脚", height=24)
        total_width = sum(column.width for column in self.columns)
        note = layout.status_note()
        self._wide_row(note, "进展表-页脚", height=LINE_HEIGHT * wrapped_lines(note, total_width) + 6)

    def _validations(self, first: int, last: int):
        index = {column.key: position for position, column in enumerate(self.columns, start=1)}
        statuses = DataValidation(
            type="list", formula1='"' + ",".join(chinese_labels(TaskStatus).values()) + '"', allow_blank=True,
            showErrorMessage=True, errorTitle="完成状态", error="请从下拉列表中选择完成状态。",
        )
        statuses.add(f"{layout.letter(index['status'])}{first}:{layout.letter(index['status'])}{last}")
        percents = DataValidation(
            type="whole", operator="between", formula1="0", formula2="100", allow_blank=True,
            showErrorMessage=True, errorTitle="进度(%)", error="请填写0—100的整数。",
        )
        percents.add(f"{layout.letter(index['percent'])}{first}:{layout.letter(index['percent'])}{last}")
        self.sheet.data_validations.append(statuses)
        self.sheet.data_validations.append(percents)


# --- reading the database ---------------------------------------------------------------------
def visible_nodes(user, period: ReportingPeriod):
    """The plan's active sections and tasks the user may see."""
    nodes = Task.objects.for_plan(period.plan_id).active()
    if not is_office(user, period.plan_id):
        nodes = nodes.filter(pk__in=Task.objects.visible_to(user).values("pk"))
    return nodes


def export_nodes(user, period: ReportingPeriod):
    """The plan's active sections and tasks the user may see, in document order
    (Task.objects.for_export; TaskDetails reads the rest)."""
    return visible_nodes(user, period).for_export()


def _rows_for_full(facts: TaskFacts, reports: list[ProgressReport], units: dict) -> list[tuple[Unit | None, ProgressReport | None]]:
    """A row per report of the period, the lead's first; no report yet: one row for the lead."""
    if not reports:
        return [(facts.lead, None)]
    lead = facts.lead.pk if facts.lead else None
    ordered = sorted(reports, key=lambda report: (report.unit_id != lead, str(units[report.unit_id])))
    return [(units[report.unit_id], report) for report in ordered]


def unit_task_ids(period: ReportingPeriod, unit: Unit):
    """Tasks the unit reports on in the period: it has a report, or it is responsible."""
    reported = ProgressReport.objects.filter(period=period, unit=unit).values("task_id")
    responsible = Assignment.objects.filter(
        task__plan_id=period.plan_id, role=Role.RESPONSIBLE, unit__in=units_answering_for(unit.pk)
    ).values("task_id")
    return Q(pk__in=reported) | Q(pk__in=responsible)


@dataclass
class UnitTally:
    tasks: int = 0
    reported: int = 0
    late: int = 0
    approved: int = 0
    completed: int = 0
    lights: Counter = field(default_factory=Counter)


@dataclass
class Summary:
    """Counts gathered while the full sheet is written, for the summary sheet (the sections'
    completion is the sheet's roll-up, SheetRollup)."""

    units: dict[Unit, UnitTally] = field(default_factory=lambda: defaultdict(UnitTally))
    titles: dict[int, str] = field(default_factory=dict)  # section id → its title

    def add(self, facts: TaskFacts, reports: list[ProgressReport], late: list[bool], units: dict):
        for report, report_late in zip(reports, late):
            tally = self.units[units[report.unit_id]]
            tally.tasks += 1
            tally.reported += report.state in (ReportState.SUBMITTED, ReportState.APPROVED)
            tally.late += report_late
            tally.approved += report.state == ReportState.APPROVED
            tally.completed += report.status == TaskStatus.COMPLETED
            tally.lights[facts.light] += 1


def _info(period: ReportingPeriod, unit: Unit | None, today: datetime.date) -> str:
    who = f"填报单位（盖章）：{unit.name}" if unit else f"汇总单位：{period.plan.coordinator or ''}"
    dated = "填报日期：　　年　　月　　日" if unit else f"制表日期：{today:%Y年%m月%d日}"
    return f"{who}　　报送周期：{layout.period_span(period)}　　报送截止：{period.due_date:%Y年%m月%d日}　　{dated}"


def _detailed(nodes, details: TaskDetails, *, whole: bool):
    """The whole plan's nodes with details read as streams; a unit's few, batch by batch."""
    if whole:
        yield from details.stream(nodes)
        return
    while batch := list(islice(nodes, CHUNK_SIZE)):
        yield from details.attach(batch)


def _write_sheet(workbook, title, *, kind, period, unit, nodes, today, units, rows_for, rollups=None, summary=None):
    sheet = ProgressSheet(workbook, title, kind=kind, period=period, every_section=kind == FULL, rollups=rollups)
    sheet.write_header(
        info=_info(period, unit, today),
        signature=layout.signature(kind=kind, plan_key=period.plan.key, period_label=period.label, unit_name=unit.name if unit else ""),
    )
    for node in _detailed(nodes.iterator(chunk_size=CHUNK_SIZE), TaskDetails(period.plan_id, period), whole=kind == FULL):
        if node.kind != NodeKind.TASK:
            if summary is not None:
                summary.titles[node.pk] = str(node)
            sheet.section(node)
            continue
        facts = task_facts(node, today, units)
        reports = node.period_reports
        rows = rows_for(facts, reports, units)
        if not rows:
            continue
        sheet.task(facts, rows, today, units)
        if summary is not None:
            summary.add(facts, reports, [is_late(report, period, today) for report in reports], units)
    sheet.write_footer()
    return sheet


def _section_rows(summary: Summary, rollups: SheetRollup) -> list[tuple[str, Rollup]]:
    """Each top-level section in plan order, then the tasks under none (if any)."""
    rows = [(summary.titles[pk], rollups.sections[pk]) for pk in rollups.top if pk in summary.titles]
    inside = sum((totals for _title, totals in rows), Rollup())
    loose = Rollup(
        rollups.plan.tasks - inside.tasks, rollups.plan.completed - inside.completed,
        rollups.plan.reported - inside.reported, rollups.plan.percent_total - inside.percent_total,
    )
    if loose.tasks:
        rows.append(("（未分章节）", loose))
    return rows


def _write_summary(workbook, period: ReportingPeriod, summary: Summary, rollups: SheetRollup, today: datetime.date):
    sheet = workbook.create_sheet("汇总")
    widths = [26, 9, 9, 9, 9, 9, 9, 9, 9]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[layout.letter(index)].width = width
    print_setup(sheet)

    def row(values, style="进展表-数字"):
        sheet.append([cell(sheet, value, style) for value in values])

    row([f"{period.plan.title}进展汇总（{layout.period_name(period)}）"], "进展表-标题")
    sheet.merged_cells.ranges.add(CellRange("A1:I1"))
    row([f"统计日期：{today:%Y年%m月%d日}　　报送截止：{period.due_date:%Y年%m月%d日}"], "进展表-表头信息")
    unit_headers = ["单位", "任务数", "已报送", "逾期未报", "已审核", "已完成", "红灯", "黄灯", "绿灯"]
    row(unit_headers, "进展表-列标题")
    unit_first = 4
    units = sorted(summary.units.items(), key=lambda item: str(item[0]))
    for unit, tally in units:
        row([str(unit), tally.tasks, tally.reported, tally.late, tally.approved, tally.completed,
             tally.lights[Light.RED], tally.lights[Light.YELLOW], tally.lights[Light.GREEN]])
    unit_last = unit_first + len(units) - 1
    row([])
    section_header = unit_last + 2
    row(["章节", "任务数", "已完成", "完成率(%)", "已报进度", "平均进度(%)"], "进展表-列标题")
    sections = _section_rows(summary, rollups)
    for title, totals in [*sections, ("合计", rollups.plan)]:
        row([title, totals.tasks, totals.completed, totals.completed_percent, totals.reported, totals.average_percent])
    section_last = section_header + len(sections)
    if units:
        sheet.add_chart(_units_chart(sheet, unit_first, unit_last), f"K{3}")
    if sections:
        sheet.add_chart(_sections_chart(sheet, section_header, section_last), f"K{max(3, 3 + 2 * len(units)) + 20}")


def _units_chart(sheet, first: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = "各单位报送情况"
    chart.y_axis.title = "报告数"
    for column in (3, 4):  # 已报送, 逾期未报
        chart.add_data(Reference(sheet, min_col=column, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = max(7.5, 0.8 * (last - first + 1)), 18
    return chart


def _sections_chart(sheet, header: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar"
    chart.title = "各章节完成率和平均进度(%)"
    for column in (4, 6):  # 完成率(%), 平均进度(%)
        chart.add_data(Reference(sheet, min_col=column, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    chart.height, chart.width = max(7.5, 1.2 * (last - header)), 18
    return chart


# --- the two workbooks ------------------------------------------------------------------------
def export_plan_workbook(out, *, user, period: ReportingPeriod, unit_sheets: bool = False, today: datetime.date | None = None):
    """Write the plan's progress workbook for `period` to `out` (a path or binary file)."""
    today = today or timezone.localdate()
    workbook = SheetWorkbook()
    summary = Summary()
    taken = {"汇总"}
    title = layout.safe_sheet_name("进展情况表", taken)
    units = Unit.objects.in_bulk()
    nodes = visible_nodes(user, period)
    rollups = sheet_rollup(period, None if is_office(user, period.plan_id) else nodes)
    _write_sheet(
        workbook, title, kind=FULL, period=period, unit=None, nodes=nodes.for_export(), today=today,
        units=units, rows_for=_rows_for_full, rollups=rollups, summary=summary,
    )
    _write_summary(workbook, period, summary, rollups, today)
    targets = sheet_targets(user, period)
    if targets:
        write_indicator_sheet(workbook, layout.safe_sheet_name(SHEET_NAME, taken), period=period, targets=targets, unit=None, today=today)
    if unit_sheets:
        for unit in sorted(summary.units, key=str):
            _write_unit_sheet(
                workbook, layout.safe_sheet_name(str(unit), taken), user=user, period=period, unit=unit, today=today, units=units,
            )
    workbook.save(out)


def _write_unit_sheet(workbook, title, *, user, period, unit, today, units):
    def rows_for(facts, reports, units):
        own = [report for report in reports if report.unit_id == unit.pk]
        return [(unit, own[0] if own else None)]

    nodes = visible_nodes(user, period).filter(Q(kind=NodeKind.SECTION) | unit_task_ids(period, unit))
    _write_sheet(
        workbook, title, kind=UNIT, period=period, unit=unit, nodes=nodes.for_export(), today=today, units=units,
        rows_for=rows_for, rollups=sheet_rollup(period, nodes),
    )


def export_unit_workbook(out, *, user, period: ReportingPeriod, unit: Unit, today: datetime.date | None = None):
    """Write the sheet `unit` sends to the office for `period` to `out`, and after it the
    indicators the unit enters the values of (if any), so it sees what it has to enter."""
    today = today or timezone.localdate()
    workbook = SheetWorkbook()
    taken = set()
    _write_unit_sheet(
        workbook, layout.safe_sheet_name(str(unit), taken), user=user, period=period, unit=unit, today=today,
        units=Unit.objects.in_bulk(),
    )
    targets = sheet_targets(user, period, unit=unit)
    if targets:
        write_indicator_sheet(workbook, layout.safe_sheet_name(SHEET_NAME, taken), period=period, targets=targets, unit=unit, today=today)
    workbook.save(out)


SPOOL_BYTES = 4 * 2**20  # a workbook larger than this goes to disk while it is sent


def download(user, period: ReportingPeriod, *, unit: Unit | None = None, unit_sheets: bool = False) -> FileResponse:
    """The unit's sheet (PermissionDenied if the user may not have it) or the plan's workbook,
    as an attachment streamed from a temporary file (in memory while small). The admin's
    download and the API's both answer with this."""
    if unit is not None and not may_export_unit(user, period, unit):
        raise PermissionDenied(
            _("您不能导出%(unit)s的进展情况表：单位账号只能导出本单位的表 (you may export only your own unit's sheet)") % {"unit": unit}
        )
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (FileResponse closes it)
    try:
        if unit is None:
            export_plan_workbook(out, user=user, period=period, unit_sheets=unit_sheets)
        else:
            export_unit_workbook(out, user=user, period=period, unit=unit)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(out, as_attachment=True, filename=export_filename(period, unit), content_type=XLSX_CONTENT_TYPE)


def may_export_unit(user, period: ReportingPeriod, unit: Unit) -> bool:
    """Office staff export any unit's sheet of their plan; a unit account its own units'."""
    return is_office(user, period.plan_id) or unit.pk in acting_unit_ids(user)


def export_filename(period: ReportingPeriod, unit: Unit | None = None) -> str:
    who = f"{unit}-" if unit else ""
    return f"{who}进展情况表-{period.plan.title[:40]}-{period.label}.xlsx"

