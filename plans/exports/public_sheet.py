"""The public progress sheet of a published plan: what its public page shows, as a workbook
anyone may download (no login).

- 进展情况表: 序号 · 重点任务/章节 · 牵头单位 · 责任单位 · 完成时限 · 完成状态 · 红黄绿灯, the
  section rows merged across, tasks numbered straight through, as offices print it. No report text,
  no review, no row keys: this sheet is not for filling in and is never read back.
- 量化指标: each public indicator's target and its value in every reporting period.

Written from plans.public.PublicPlan only (no query of its own), with the named styles and
print set-up of the office's sheet (styles.py, cells.py); in Chinese, as an official
document, whatever language the reader uses. plans.views.public sends it (download.py)."""
from __future__ import annotations

from django.utils import timezone

from plans.exports.cells import LINE_HEIGHT, RowSheet, cell, print_setup, wrapped_lines
from plans.exports.layout import chinese_labels, letter, safe_sheet_name
from plans.exports.styles import SheetWorkbook, light_style
from plans.indicators import IndicatorStatus
from plans.models import DeadlineKind, TaskStatus
from plans.progress import Light
from plans.public import PublicPlan, PublicSection, PublicTask, TaskGroup

TASK_COLUMNS = (  # header, width
    ("序号", 6),
    ("重点任务/章节", 46),
    ("牵头单位", 16),
    ("责任单位", 28),
    ("完成时限", 20),
    ("完成状态", 11),
    ("红黄绿灯", 9),
)
TASK_SHEET, INDICATOR_SHEET = "进展情况表", "量化指标"
NOTE = (
    "说明：完成状态由责任单位报送、督办单位审核；红黄绿灯由系统按完成时限和序时进度生成"
    "（红灯：超期未完成或落后序时进度30个百分点以上；黄灯：进度滞后、临期或落后10—30个百分点；绿灯：其他）。"
    "“超期”指已过完成时限尚未完成。"
)


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


def summary_text(data: PublicPlan) -> str:
    """任务480项，已完成5项（1%），平均进度80%（基于1/480项任务）: the average with the tasks it
    is based on, as the public page says it."""
    total = data.rollup
    based_on = f"（基于{total.coverage}项任务）" if total.average_percent is not None else ""
    return (
        f"任务{total.tasks}项，已完成{total.completed}项（{_percent(total.completed_percent)}），"
        f"平均进度{_percent(total.average_percent)}{based_on}"
    )


class _Sheet(RowSheet):
    """Rows appended one by one to a write-only sheet, each as high as its text needs."""

    def __init__(self, workbook, title: str, widths: list[float]):
        self.sheet = workbook.create_sheet(title)
        self.widths, self.width = widths, len(widths)
        self.row = 0
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[letter(index)].width = width
        print_setup(self.sheet)

    def append(self, values: list, styles: list[str] | str, height: float | None = None):
        styles = styles if isinstance(styles, list) else [styles] * len(values)
        if height is None:
            lines = max((wrapped_lines(value, width) for value, width in zip(values, self.widths)), default=1)
            height = LINE_HEIGHT * lines + 4
        self._append([cell(self.sheet, value, style) for value, style in zip(values, styles)], height)

    def wide(self, text: str, style: str, height: float | None = None):
        """A row whose text spans every column."""
        self._wide_row(text, style, height=height or LINE_HEIGHT * wrapped_lines(text, sum(self.widths)) + 6)


def _as_of(data: PublicPlan) -> str:
    """数据截至 the time the numbers were read, to the minute (the public page's words)."""
    if data.as_of is None:
        return f"数据截至：{_date(data.today)}"
    moment = timezone.localtime(data.as_of)
    return f"数据截至：{_date(moment)} {moment:%H:%M}"


def _info(data: PublicPlan) -> str:
    plan = data.plan
    organ = "牵头督办单位" if data.organ_is_coordinator else "印发单位"
    parts = [
        f"{organ}：{'、'.join(data.organs)}" if data.organs else "",
        f"文号：{plan.doc_number}" if plan.doc_number else "",
        f"发布日期：{_date(timezone.localtime(plan.published_at))}",
    ]
    parts += [_as_of(data), summary_text(data)]
    return "　　".join(part for part in parts if part)


def _section_text(section: PublicSection) -> str:
    own = section.rollup
    return f"{section.full_heading}（任务{own.tasks}项，已完成{own.completed}项）"


def _deadline_text(task: PublicTask) -> str:
    """10月底前（2016年10月31日）；开始时间：从2016年11月1日起 … and （超期） when overdue."""
    kinds = chinese_labels(DeadlineKind)
    text = "；".join(str(d) if d.is_due else f"{kinds[d.kind]}：{d}" for d in task.deadlines)
    return text + ("（超期）" if task.overdue else "")


def _task_values(task: PublicTask, number: int) -> list:
    return [
        number, task.heading, task.lead, task.responsible_text, _deadline_text(task),
        chinese_labels(TaskStatus)[task.status], chinese_labels(Light)[task.light],
    ]


TASK_STYLES = ["进展表-填写居中", "进展表-填写", "进展表-填写居中", "进展表-填写", "进展表-填写", "进展表-填写居中"]


def write_tasks(workbook, data: PublicPlan, title: str):
    widths = [width for _header, width in TASK_COLUMNS]
    sheet = _Sheet(workbook, title, widths)
    sheet.sheet.freeze_panes = "A4"
    sheet.sheet.print_title_rows = "3:3"
    sheet.wide(f"{data.plan.title}重点任务进展情况表", "进展表-标题", height=36)
    sheet.wide(_info(data), "进展表-表头信息", height=22)
    sheet.append([header for header, _width in TASK_COLUMNS], "进展表-列标题", height=24)
    number = 0
    for block in data.blocks:
        if isinstance(block, PublicSection):
            sheet.wide(_section_text(block), "进展表-章节", height=None)
            continue
        assert isinstance(block, TaskGroup)
        for task in block.tasks:
            number += 1
            sheet.append(_task_values(task, number), [*TASK_STYLES, light_style(task.light)])
    sheet.append([], "进展表-页脚", height=8)
    sheet.wide(NOTE, "进展表-页脚")


def write_indicators(workbook, data: PublicPlan, title: str):
    periods = data.periods
    headers = ["序号", "指标", "目标", "目标年份", *(period.label for period in periods), "最新状态"]
    widths = [6, 30, 20, 9, *(11 for _period in periods), 11]
    sheet = _Sheet(workbook, title, widths)
    sheet.sheet.freeze_panes = "C4"
    sheet.sheet.print_title_rows = "3:3"
    sheet.wide(f"{data.plan.title}量化指标完成情况", "进展表-标题", height=36)
    unit_note = "各期实际值的计量单位同目标。" if periods else "尚无报送周期。"
    sheet.wide(f"统计日期：{_date(data.today)}　　{unit_note}", "进展表-表头信息", height=22)
    sheet.append(headers, "进展表-列标题", height=24)
    statuses = chinese_labels(IndicatorStatus)
    for number, indicator in enumerate(data.indicators, start=1):
        target = indicator.target
        latest = indicator.latest
        values = [
            number, target.indicator, indicator.target_text, target.year,
            *(reading.value.value if reading.value is not None else None for reading in indicator.readings),
            statuses[latest.status if latest else IndicatorStatus.NO_VALUE],
        ]
        styles = ["进展表-填写居中", "进展表-填写", "进展表-填写", "进展表-填写居中",
                  *("进展表-数字" for _reading in indicator.readings), "进展表-填写居中"]
        sheet.append(values, styles)
    if not data.indicators:
        sheet.wide("本方案没有公开的量化指标。", "进展表-页脚")


def public_workbook(out, data: PublicPlan):
    """Write the public workbook of `data` to `out` (a path or binary file)."""
    workbook = SheetWorkbook()
    taken: set[str] = set()
    write_tasks(workbook, data, safe_sheet_name(TASK_SHEET, taken))
    write_indicators(workbook, data, safe_sheet_name(INDICATOR_SHEET, taken))
    workbook.save(out)


def public_filename(data: PublicPlan) -> str:
    return f"进展情况表-{data.plan.title[:40]}.xlsx"

