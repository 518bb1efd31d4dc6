"""The summary sheet (汇总) of the plan's progress workbook: per reporting unit its reports
(reported, late, approved, completed, lights) and per top-level section the roll-up, each
with a native bar chart. Its counts are gathered while the full sheet is written (`Summary`)."""
from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.cell_range import CellRange

from plans.exports import layout
from plans.exports.cells import cell, print_setup
from plans.exports.facts import TaskFacts
from plans.exports.rows import SheetRollup
from plans.models import ProgressReport, ReportingPeriod, ReportState, TaskStatus, Unit
from plans.progress import Light
from plans.rollup import Rollup

SUMMARY_SHEET = "汇总"


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


def section_rows(summary: Summary, rollups: SheetRollup) -> list[tuple[str, Rollup]]:
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


def write_summary(workbook, period: ReportingPeriod, summary: Summary, rollups: SheetRollup, today: datetime.date):
    """Write the summary sheet from the counts the full sheet gathered and its roll-up."""
    sheet = workbook.create_sheet(SUMMARY_SHEET)
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
    row(["章节", "任务数", "已完成", "完成率(%)", "已报进度任务", "平均进度(%)", "覆盖率(%)"], "进展表-列标题")
    sections = section_rows(summary, rollups)
    for title, totals in [*sections, ("合计", rollups.plan)]:
        row([
            title, totals.tasks, totals.completed, totals.completed_percent, totals.reported,
            totals.average_percent, totals.coverage_percent if totals.average_percent is not None else None,
        ])
    section_last = section_header + len(sections)
    total = rollups.plan
    based_on = f"基于 {total.coverage} 项任务" if total.average_percent is not None else "尚无任务报告进度"
    row([f"平均进度只计已报进度的任务（{based_on}）；覆盖率 = 已报进度任务 ÷ 任务数。"], "进展表-表头信息")
    if units:
        sheet.add_chart(_units_chart(sheet, unit_first, unit_last), f"K{3}")
    if sections:
        sheet.add_chart(_sections_chart(sheet, section_header, section_last), f"K{max(3, 3 + 2 * len(units)) + 20}")


# --- charts -----------------------------------------------------------------------------------
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
