"""The indicator sheet (量化指标) of the progress workbook: each quantitative target of the plan
with its measured value per reporting period up to the exported one, the 序时 value and the
status for that period, the value's note and source, and the trend projected to the end of
the target year (plans/indicators.py computes them; this only lays them out).

In the customary look of the progress sheet (progress_sheet.py): title row merged across, info
row, two header rows, thin borders, wrapped text, frozen header, A4 landscape one page wide
with the header rows repeated and page numbers. Values are written as the stored Decimals, in the
target's own measurement unit (2.8万亿元 is 2.8 under a target in 万亿元): never rounded
through a float on our side. The sheet is for reading: returned.py ignores it (it carries no
signature) and values are entered in the tracker, not read back from here."""
from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from plans.exports import layout
from plans.exports.cells import LINE_HEIGHT, RowSheet, cell, print_setup, wrapped_lines
from plans.exports.rows import periods_up_to
from plans.exports.styles import named_style
from plans.indicators import Indicator, IndicatorStatus, indicators, round_for_display
from plans.measures import plain
from plans.models import ReportingPeriod, Target, Unit

SHEET_NAME = "量化指标"
PLAN_GOAL = "方案总体目标"  # 所属任务 of a target that belongs to the plan, not to a task

# light fills of the status cell (the dashboard's STATUS_COLOURS are for lines and dots)
STATUS_FILL = {
    IndicatorStatus.MET: "C9E7C4",
    IndicatorStatus.ON_COURSE: "CFE2F3",
    IndicatorStatus.OFF_COURSE: "F4B6B6",
    IndicatorStatus.NO_VALUE: "E7E6E6",
}
NUMBER_STYLE = "指标表-数值"
TEXT_STYLE = "进展表-填写"
CENTRED_STYLE = "进展表-填写居中"


def status_style(status: str) -> str:
    return f"指标表-{layout.chinese_labels(IndicatorStatus)[status]}"


def named_styles() -> list:
    """The indicator sheet's own named styles (besides the progress sheet's), new each time."""
    styles = [named_style(NUMBER_STYLE, horizontal="right", wrap=False)]
    return styles + [
        named_style(status_style(status), bold=True, horizontal="center", fill=fill)
        for status, fill in STATUS_FILL.items()
    ]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    group: str = ""
    number: bool = False


PERIOD_WIDTH = 11


def _period_header(period: ReportingPeriod) -> str:
    """The period's name, broken after the year where it would not fit on one line
    (2016年\n第三季度), so that LibreOffice and Excel do not break it inside a word."""
    name = layout.period_name(period)
    return name if wrapped_lines(name, PERIOD_WIDTH) == 1 else name.replace("年", "年\n", 1)


def columns(periods: list[ReportingPeriod]) -> list[Column]:
    """序号 · 指标 · 目标 · 目标年份 · 责任单位 · 所属任务 · a value column per period (under 实际值)
    · 序时目标值 · 状态 · 说明 · 数据来源 (under 本期) · 趋势预计."""
    return [
        Column("number", "序号", 6),
        Column("indicator", "指标", 26),
        Column("target", "目标", 16),
        Column("year", "目标年份", 8),
        Column("owner", "责任单位", 14),
        Column("task", "所属任务", 26),
        *(
            Column(f"value:{period.pk}", _period_header(period), PERIOD_WIDTH, group="实际值", number=True)
            for period in periods
        ),
        Column("expected", "序时目标值", 11, group="本期", number=True),
        Column("status", "状态", 10, group="本期"),
        Column("note", "说明", 22, group="本期"),
        Column("source", "数据来源", 16, group="本期"),
        Column("projected", "趋势预计", 11, number=True),
    ]


def _number(value: Decimal | None) -> Decimal | None:
    """A Decimal as the cell gets it: exponent and trailing zeros gone (1E+2 → 100, 2.800000 → 2.8)."""
    return None if value is None else Decimal(plain(value))


def row_values(indicator: Indicator, number: int) -> dict:
    """The cells of one indicator's row, by column key."""
    target = indicator.target
    reading = indicator.readings[-1]  # the exported period
    value = reading.value
    values = {
        "number": number,
        "indicator": target.indicator,
        "target": indicator.target_text,
        "year": target.year,
        "owner": str(target.owner or ""),
        "task": str(target.task) if target.task_id else PLAN_GOAL,
        "expected": _number(round_for_display(reading.expected)),
        "status": layout.chinese_labels(IndicatorStatus)[reading.status],
        "note": value.note if value else "",
        "source": value.source if value else "",
        "projected": _number(round_for_display(indicator.projected)),
    }
    for each in indicator.readings:
        values[f"value:{each.period.pk}"] = _number(each.value.value) if each.value else None
    return values


# --- the sheet --------------------------------------------------------------------------------
def _title(period: ReportingPeriod) -> str:
    return f"{period.plan.title}量化指标完成情况（{layout.period_name(period)}）"


def _info(period: ReportingPeriod, unit: Unit | None, today: datetime.date) -> str:
    who = f"责任单位：{unit.name}" if unit else f"汇总单位：{period.plan.coordinator or ''}"
    return f"{who}　　报送周期：{layout.period_span(period)}　　制表日期：{today:%Y年%m月%d日}"


def note(unit: Unit | None) -> str:
    labels = layout.chinese_labels(IndicatorStatus)
    text = (
        "说明：实际值、序时目标值和趋势预计均以目标的计量单位计；序时目标值为自基期值（无基期值时为0）按目标年份均匀推进到目标值，"
        "本期末应达到的数值（越低越好且无基期值的指标只看是否达标）；"
        f"状态：“{labels[IndicatorStatus.MET]}”为本期实际值已满足目标，“{labels[IndicatorStatus.ON_COURSE]}”为未达标但不落后于序时目标值，"
        f"“{labels[IndicatorStatus.OFF_COURSE]}”为落后于序时目标值或目标年份已过仍未达标，“{labels[IndicatorStatus.NO_VALUE]}”为本期未填报实际值；"
        "趋势预计为按已填报各期实际值的线性趋势推算的目标年份末数值。"
    )
    if unit is not None:
        text += "实际值请在系统中填报。"
    return text


def tally(rows: list[Indicator]) -> str:
    counts = Counter(indicator.readings[-1].status for indicator in rows)
    labels = layout.chinese_labels(IndicatorStatus)
    parts = "、".join(f"{labels[status]} {counts[status]} 项" for status in IndicatorStatus.values)
    return f"合计：指标 {len(rows)} 项，其中{parts}。"


class IndicatorSheet(RowSheet):
    """Writes the sheet row by row (write-only, like ProgressSheet)."""

    def __init__(self, workbook, title: str, periods: list[ReportingPeriod]):
        workbook.add_styles(named_styles())  # its own styles, once per workbook
        self.sheet = workbook.create_sheet(title)
        self.columns = columns(periods)
        self.width = len(self.columns)
        self.row = 0
        sheet = self.sheet
        for index, column in enumerate(self.columns, start=1):
            sheet.column_dimensions[layout.letter(index)].width = column.width
        sheet.freeze_panes = f"C{layout.FIRST_DATA_ROW}"
        sheet.print_title_rows = f"{layout.GROUP_ROW}:{layout.HEADER_ROW}"
        print_setup(sheet)

    def header(self, title: str, info: str):
        self._wide_row(title, "进展表-标题", height=36)
        self._wide_row(info, "进展表-表头信息", height=22)
        self._append([cell(self.sheet, column.group or column.header, "进展表-列标题") for column in self.columns])
        self._append([cell(self.sheet, column.header, "进展表-列标题") for column in self.columns], 30)
        self._merge_headers([column.group for column in self.columns])

    def indicator(self, indicator: Indicator, number: int):
        values = row_values(indicator, number)
        status = indicator.readings[-1].status
        cells = []
        for column in self.columns:
            if column.key == "status":
                style = status_style(status)
            elif column.number:
                style = NUMBER_STYLE
            elif column.key in ("number", "year"):
                style = CENTRED_STYLE
            else:
                style = TEXT_STYLE
            cells.append(cell(self.sheet, values[column.key], style))
        lines = max(wrapped_lines(values[column.key], column.width) for column in self.columns)
        self._append(cells, LINE_HEIGHT * lines + 4)

    def footer(self, rows: list[Indicator], unit: Unit | None):
        self._append([])
        self._wide_row(tally(rows), "进展表-页脚", height=22)
        text = note(unit)
        total_width = sum(column.width for column in self.columns)
        self._wide_row(text, "进展表-页脚", height=LINE_HEIGHT * wrapped_lines(text, total_width) + 6)


def write_indicator_sheet(
    workbook, title: str, *, period: ReportingPeriod, targets: list[Target], unit: Unit | None, today: datetime.date,
):
    """Write the sheet of `targets` (rows.sheet_targets) for `period`: values of the periods up
    to it, read in one query whatever the number of targets. Returns the worksheet."""
    periods = periods_up_to(period)
    rows = indicators(period.plan, targets, periods, up_to=period)
    sheet = IndicatorSheet(workbook, title, periods)
    sheet.header(_title(period), _info(period, unit, today))
    for number, indicator in enumerate(rows, start=1):
        sheet.indicator(indicator, number)
    sheet.footer(rows, unit)
    return sheet.sheet
