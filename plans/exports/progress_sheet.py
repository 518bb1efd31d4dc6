"""The progress sheet (进展情况表) itself, written row by row while the nodes are iterated, in
the customary layout offices print, file and send upward: title row, info row, two header
rows, section rows merged across with their roll-up, a row per report under each task (the
task's cells merged down), the hidden row keys, the signature footer (the plan's and a unit's
alike), landscape one page wide on A4 (or A3, `paper`) with columns narrow enough that the fit
keeps 10-point body text at 9 pt or more on paper (layout.COLUMNS). `write_progress_sheet`
writes the plan's or a unit's; `write_unit_sheet` a unit's."""
from __future__ import annotations

import datetime
from itertools import islice

from django.db.models import Q
from openpyxl.worksheet.datavalidation import DataValidation

from plans.exports import layout
from plans.exports.cells import (
    LINE_HEIGHT,
    RowSheet,
    SheetCells,
    cell,
    excel_text,
    line_room,
    print_setup,
    text_lines,
    wrapped_lines,
)
from plans.exports.facts import TaskFacts, acknowledged_text, is_late, per_task_values, report_values, task_facts
from plans.exports.layout import FULL, UNIT, chinese_labels
from plans.exports.signers import sheet_footer
from plans.exports.rows import (
    CHUNK_SIZE,
    SheetRollup,
    TaskDetails,
    sheet_nodes,
    sheet_rollup,
    unit_task_ids,
    visible_nodes,
)
from plans.exports.styles import STYLED_BY_VALUE, column_style, value_style
from plans.models import NodeKind, ProgressReport, ReportingPeriod, Task, TaskStatus, Unit
from plans.rollup import Rollup


def rollup_text(totals: Rollup) -> str:
    """任务 20 项，已完成 5 项 25%，平均进度 60%，基于 12/20 项任务 (平均进度 — when no task has a
    percent): the average with the tasks it is based on, as the dashboard gives it (plans.rollup)."""
    average = "—" if totals.average_percent is None else f"{totals.average_percent}%，基于 {totals.coverage} 项任务"
    return f"任务 {totals.tasks} 项，已完成 {totals.completed} 项 {totals.completed_percent}%，平均进度 {average}"


def section_text(node: Task, rollups: SheetRollup | None) -> str:
    """A section row's text: its title, then its roll-up when tasks are listed below it."""
    totals = rollups.sections.get(node.pk) if rollups else None
    if totals is None or not totals.tasks:
        return str(node)
    return f"{node}（{rollup_text(totals)}）"


def checked_digests(per_task: dict) -> list[tuple[str, str | None]]:
    """(key, digest) of each read-only cell only the sheet knows (序号, 预警, 备注, 签收, 办结,
    责任人: layout.SHEET_CHECKED), in order: the digest of the task's shared cells, None for
    a row's own (row_key)."""
    return [(key, _digest(per_task[key]) if key in per_task else None) for key in layout.SHEET_CHECKED]


def row_key(task_id: int, unit: Unit | None, report: ProgressReport | None, checked: list, own: dict) -> str:
    """The hidden key: task and unit, the report's version as exported (a returned row
    older than the report is refused), and a digest of the read-only cells only the sheet
    knows (`checked`: checked_digests, and the row's `own` cells), so an edit to them is
    refused too."""
    check = "".join(digest if digest is not None else _digest(own[key]) for key, digest in checked)
    return layout.task_row_key(task_id, unit.pk if unit else None, report.version if report else 0, check)


_DIGESTS: dict = {}  # cell digests of the short texts shown again and again (已报送, 绿灯, 签收 dates)


def _digest(value) -> str:
    """layout.cell_digest of a read-only cell's value as the sheet shows it (excel_text)."""
    if value.__class__ is not str or len(value) > 40:
        return layout.cell_digest(excel_text(value) if isinstance(value, str) else value)
    digest = _DIGESTS.get(value)
    if digest is None:
        digest = layout.cell_digest(excel_text(value))
        if len(_DIGESTS) >= 10_000:
            _DIGESTS.clear()
        _DIGESTS[value] = digest
    return digest


# --- one sheet --------------------------------------------------------------------------------
class ProgressSheet(RowSheet):
    """Writes one progress sheet row by row: header rows, section rows (merged across,
    written only once a task below them appears unless `every_section`), task rows (the
    per-task cells merged down over the task's report rows), then the footer."""

    def __init__(
        self, workbook, title: str, *, kind: str, period: ReportingPeriod, every_section: bool,
        rollups: SheetRollup | None = None, paper: layout.Paper | None = None,
    ):
        self.sheet = workbook.create_sheet(title)
        self.paper = paper or layout.paper_for()
        self.kind, self.period, self.every_section = kind, period, every_section
        self.rollups = rollups
        self.columns = layout.columns_for(kind)
        self.widths = {column.key: layout.column_width(column, self.paper) for column in self.columns}
        self.column_styles = [(column, column_style(column)) for column in self.columns]
        self.width = len(self.columns)
        self.key_index = layout.key_column_index(kind)
        self.cells = SheetCells(self.sheet)
        # (index in the row, column, style, line room) of the per-task columns; (index in the
        # row, key, style, line room) of a report's own columns
        self.shared_columns = [
            (index, column, style, line_room(self.widths[column.key]))
            for index, (column, style) in enumerate(self.column_styles) if column.per_task
        ]
        self.own_columns = [
            (index, column.key, style, line_room(self.widths[column.key]))
            for index, (column, style) in enumerate(self.column_styles) if not column.per_task
        ]
        self.row = 0
        self.number = 0  # tasks written
        self.total = 0  # tasks the sheet lists, when counted (write_progress_sheet's `progress`)
        self.pending_sections: list[Task] = []
        self.written_sections: set[int] = set()
        self._setup()

    # layout ------------------------------------------------------------------------------
    def _setup(self):
        sheet = self.sheet
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[layout.letter(index)].width = self.widths[column.key]
        key = sheet.column_dimensions[layout.letter(self.key_index)]
        key.width, key.hidden = 12, True
        sheet.freeze_panes = f"C{layout.FIRST_DATA_ROW}"
        sheet.print_title_rows = f"{layout.GROUP_ROW}:{layout.HEADER_ROW}"
        print_setup(sheet)  # landscape, one page wide, page numbers
        sheet.page_setup.paperSize = self.paper.size

    def _keyed_row(self, text: str, style: str, key=None, height=None):
        """A wide row with the row key in the hidden key column."""
        extra = [] if key is None else [cell(self.sheet, key, "进展表-表头信息")]
        self._wide_row(text, style, *extra, height=height)

    def write_header(self, *, info: str, signature: str):
        self._wide_row(layout.sheet_title(self.period), "进展表-标题", height=36)
        self._wide_row(info, "进展表-表头信息", height=22)
        groups = [column.group for column in self.columns]
        group_cells = [
            cell(self.sheet, group or column.header, "进展表-列标题") for group, column in zip(groups, self.columns)
        ]
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

    def task(
        self, facts: TaskFacts, rows: list[tuple[Unit | None, ProgressReport | None]], today: datetime.date,
        units: dict, acknowledgement=lambda unit_id: None,
    ):
        """The task's rows; `acknowledgement(unit id)` gives each row's unit's 签收
        (rows.TaskDetails.acknowledgement)."""
        self._flush_sections()
        self.number += 1
        per_task = per_task_values(facts, self.number)
        first = self.row + 1
        make, sheet = self.cells.make, self.sheet
        # the row's cells, the task's shared ones in place: on the first row, and the empty
        # ones under them (a merged range's lower cells stay empty); a report fills in its own
        top, lower = [None] * self.width, [None] * self.width if len(rows) > 1 else None
        shared = 1
        for index, column, style, room in self.shared_columns:
            value = per_task[column.key]
            if column.key in STYLED_BY_VALUE:
                top[index] = make(value, value_style(column, value, facts.light))
                if lower:
                    lower[index] = make(None, value_style(column, None, facts.light))
            else:
                top[index] = make(value, style)
                if lower:
                    lower[index] = make(None, style)
            if value.__class__ is str and (2 * len(value) > room or "\n" in value):
                shared = max(shared, text_lines(value, room))
        share = -(-shared // len(rows))  # the merged per-task text, spread over the task's rows
        checked = checked_digests(per_task)
        task_id, period = facts.task.pk, self.period
        for position, (unit, report) in enumerate(rows):
            acknowledged = acknowledged_text(acknowledgement(unit.pk if unit else None), today)
            own = report_values(unit, report, is_late(report, period, today), units, acknowledged)
            cells = (lower if position else top).copy()
            lines = 1
            for index, key, style, room in self.own_columns:
                value = own[key]
                cells[index] = make(value, style)
                if value.__class__ is str and (2 * len(value) > room or "\n" in value):  # else one line
                    lines = max(lines, text_lines(value, room))
            cells.append(cell(sheet, row_key(task_id, unit, report, checked, own), "进展表-表头信息"))
            self._append(cells, LINE_HEIGHT * max(lines, share) + 4)
        if self.row > first:
            for index, _column, _style, _room in self.shared_columns:
                self._merge(index + 1, first, index + 1, self.row)

    def write_footer(self, signers: str = layout.FOOTER):
        last = self.row
        if last >= layout.FIRST_DATA_ROW:
            self._validations(layout.FIRST_DATA_ROW, last)
        self._append([])
        self._wide_row(signers, "进展表-页脚", height=24)  # who answers for the sheet: a unit's or the office's
        total_width = sum(self.widths.values())
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


# --- writing it from the database -------------------------------------------------------------
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


PROGRESS_EVERY = 500  # tasks written between two calls of a sheet's `progress`


def write_progress_sheet(
    workbook, title, *, kind, period, unit, nodes, today, units, rows_for, rollups=None, summary=None, paper=None,
    user=None, progress=None,
):
    """Write a progress sheet of `kind` (FULL: the plan's; UNIT: `unit`'s) listing `nodes`
    (Task.objects.for_export), a row per (unit, report) `rows_for` gives for each task, for
    `paper` (layout.Paper; default layout.paper_for()), signed by the people of
    signers.sheet_footer(`user`, `unit`). With `summary` (summary_sheet.Summary), gather its
    counts on the way. With `progress`, count the sheet's tasks first (one query: the sheet's
    `total`) and call progress(tasks written, total) every PROGRESS_EVERY tasks written
    before the last (the caller makes the final call once the workbook is saved)."""
    sheet = ProgressSheet(
        workbook, title, kind=kind, period=period, every_section=kind == FULL, rollups=rollups, paper=paper
    )
    sheet.write_header(
        info=_info(period, unit, today),
        signature=layout.signature(
            kind=kind, plan_key=period.plan.key, period_label=period.label, unit_name=unit.name if unit else ""
        ),
    )
    sheet.total = nodes.filter(kind=NodeKind.TASK).count() if progress is not None else 0
    details = TaskDetails(period.plan_id, period)
    for node in _detailed(sheet_nodes(nodes), details, whole=kind == FULL):
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
        sheet.task(facts, rows, today, units, details.acknowledgement)
        if progress is not None and sheet.number % PROGRESS_EVERY == 0 and sheet.number < sheet.total:
            progress(sheet.number, sheet.total)
        if summary is not None:
            summary.add(facts, reports, [is_late(report, period, today) for report in reports], units)
    sheet.write_footer(sheet_footer(user, unit))
    return sheet


def write_unit_sheet(workbook, title, *, user, period, unit, today, units, paper=None, progress=None):
    """The sheet `unit` sends to the office: the sections and the tasks it reports on, one
    row each with its own report (`progress`: as write_progress_sheet's)."""
    def rows_for(facts, reports, units):
        own = [report for report in reports if report.unit_id == unit.pk]
        return [(unit, own[0] if own else None)]

    nodes = visible_nodes(user, period).filter(Q(kind=NodeKind.SECTION) | unit_task_ids(period, unit))
    return write_progress_sheet(
        workbook, title, kind=UNIT, period=period, unit=unit, nodes=nodes.for_export(), today=today, units=units,
        rows_for=rows_for, rollups=sheet_rollup(period, nodes), paper=paper, user=user, progress=progress,
    )
