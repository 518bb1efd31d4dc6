"""The progress sheet's (进展情况表) layout, declared once for the writer (progress_sheet.py)
and the reader of returned sheets (returned.py): its columns, its header rows and the hidden
key column that ties every row back to a task and a reporting unit."""
from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from openpyxl.utils import get_column_letter

from plans.models import Frequency, ReportingPeriod, TaskStatus

FORMAT_VERSION = 1
TITLE_ROW, INFO_ROW, GROUP_ROW, HEADER_ROW = 1, 2, 3, 4
FIRST_DATA_ROW = HEADER_ROW + 1

FULL, UNIT = "full", "unit"  # the whole plan's sheet; one unit's own sheet


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    group: str = ""  # the group header above it (责任分工, 进展情况)
    per_task: bool = False  # one value per task, merged down over the task's report rows
    editable: bool = False  # filled in by the unit and read back from returned sheets
    checked: bool = False  # read-only: a returned sheet must carry it unchanged
    full_only: bool = False  # only in the plan's full sheet


# The widths (in Excel's character units) are those of A4 landscape: the visible columns
# of the plan's sheet add up to 120, which LibreOffice prints (a character unit ≈ 7 pt with its
# fallback for the default font; Excel's Calibri ≈ 5.3 pt) at 90 % or more when it fits the
# sheet to one page wide, so 10-point body text is at least 9 pt on paper. A3 widens them
# (Paper.widen) at the same scale. 办结 (the task's Task.closure), 责任人 (the lead unit's named
# 责任领导 and 联系人) and 签收 (the row's unit's) took their room from the text columns.
COLUMNS = (
    Column("number", "序号", 4, per_task=True, checked=True),
    Column("task", "重点任务", 10, per_task=True, checked=True),
    Column("measures", "具体措施", 12, per_task=True, checked=True),
    Column("lead", "牵头单位", 6, group="责任分工", per_task=True, checked=True),
    Column("responsible", "责任单位", 6, group="责任分工", per_task=True, checked=True),
    Column("supporting", "配合单位", 6, group="责任分工", per_task=True, checked=True),
    Column("people", "责任人", 6, group="责任分工", per_task=True, checked=True),
    Column("deadline", "完成时限", 10, per_task=True, checked=True),
    Column("light", "预警", 4, per_task=True, checked=True),
    Column("closure", "办结", 4, per_task=True, checked=True),
    Column("unit", "填报单位", 6, group="进展情况", checked=True, full_only=True),
    Column("acknowledged", "签收", 5, group="进展情况", checked=True),
    Column("progress", "本期进展情况", 13, group="进展情况", editable=True),
    Column("problems", "存在问题", 6, group="进展情况", editable=True),
    Column("next_steps", "下步打算", 6, group="进展情况", editable=True),
    Column("status", "完成状态", 6, group="进展情况", editable=True),
    Column("percent", "进度(%)", 4, group="进展情况", editable=True),
    Column("remarks", "备注", 6, checked=True),
)
KEY_HEADER = "行标识"  # the hidden last column: row keys, and the sheet's signature above them

FOOTER_LABELS = ("单位负责人", "审核人", "填报人", "联系电话")
BLANK = "　　　　　　"  # room to sign or write by hand


def footer(**people: str) -> str:
    """单位负责人：张伟　　审核人：　　　　　　填报人：李娜　　联系电话：0392-3301234 — the
    people who answer for a sheet (keys leader, reviewer, filler, phone), a blank to fill in by
    hand where nobody is known."""
    keys = ("leader", "reviewer", "filler", "phone")
    return "".join(
        f"{label}：{people[key] + '　　' if people.get(key) else BLANK}" for label, key in zip(FOOTER_LABELS, keys)
    )


FOOTER = footer()  # the footer with nobody named


NOT_REPORTED = "未填报"  # 完成状态 of a unit that has not sent its report of the period


# --- paper ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Paper:
    """A paper the progress sheet is printed on, landscape: its key (`paper=a3`), its
    openpyxl/Excel paper size code, and how much wider its columns are than A4's."""

    key: str
    size: int
    widen: float


PAPERS = {"a4": Paper("a4", 9, 1.0), "a3": Paper("a3", 8, 1.4)}  # A3 is 1.41 times as wide


def paper_for(key: str | None = None) -> Paper:
    """The paper named `key` (a4, a3; any case); none: settings.PROGRESS_SHEET_PAPER, else A4."""
    name = (key or getattr(settings, "PROGRESS_SHEET_PAPER", "") or "a4").strip().lower()
    if name not in PAPERS:
        raise ValueError(f"unknown paper {name!r}: one of {', '.join(PAPERS)}")
    return PAPERS[name]


def column_width(column: Column, paper: Paper) -> float:
    """The column's width on `paper` (character units)."""
    return round(column.width * paper.widen, 1)


def columns_for(kind: str) -> tuple[Column, ...]:
    return tuple(column for column in COLUMNS if kind == FULL or not column.full_only)


def key_column_index(kind: str) -> int:
    """1-based index of the hidden key column: right after the visible ones."""
    return len(columns_for(kind)) + 1


def letter(index: int) -> str:
    return get_column_letter(index)


_SPACES = re.compile(r"\s+")


def normalised(value) -> str:
    """Text as compared with the database: dates as ISO dates, whitespace runs as one space."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value)).strip()


# --- row keys and the sheet signature ---------------------------------------------------------
# read-only cells only the sheet knows (or that may change after the export without making the
# returned sheet wrong: 签收, 办结, the named people): checked by digest
SHEET_CHECKED = ("number", "light", "remarks", "acknowledged", "closure", "people")
_ROW_KEY = re.compile(
    r"T(?P<task>[0-9]{1,18})(?:U(?P<unit>[0-9]{1,18}))?(?:V(?P<version>[0-9]{1,18}))?(?:H(?P<check>[0-9a-f]{%d}))?"
    % (4 * len(SHEET_CHECKED))
)


@dataclass(frozen=True)
class RowKey:
    """A task row's hidden key: the task, the reporting unit, the report's version when the
    sheet was exported (0: no report yet; None: a key written before versions were), and a
    digest of the read-only cells the database cannot recompute (SHEET_CHECKED)."""

    task: int
    unit: int | None
    version: int | None = None
    check: str = ""


def task_row_key(task_id: int, unit_id: int | None, version: int | None = None, check: str = "") -> str:
    """T<task>[U<unit>][V<version>][H<digest>]: the first part alone names the row (tests and
    readers match on it), the rest lets a returned row be told stale or edited."""
    key = f"T{task_id}" + (f"U{unit_id}" if unit_id else "")
    return key + (f"V{version}" if version is not None else "") + (f"H{check}" if check else "")


def cell_digest(value) -> str:
    """Four hex digits of a cell's text, normalised."""
    return hashlib.blake2b(normalised(value).encode("utf-8"), digest_size=2).hexdigest()


def cells_digest(values: dict) -> str:
    """A cell_digest per SHEET_CHECKED cell: an edit to one is caught and named without the
    key growing by the text."""
    return "".join(cell_digest(values.get(key)) for key in SHEET_CHECKED)


def digest_parts(check: str) -> dict:
    """cells_digest split back by column."""
    return {key: check[4 * index:4 * index + 4] for index, key in enumerate(SHEET_CHECKED)} if check else {}


def section_row_key(section_id: int) -> str:
    return f"S{section_id}"


def is_section_key(value) -> bool:
    return str(value or "").strip().startswith("S")


def parse_row(value) -> RowKey | None:
    """A task row's key read back; None for anything else."""
    match = _ROW_KEY.fullmatch(str(value or "").strip())
    if not match:
        return None
    return RowKey(
        int(match["task"]), int(match["unit"]) if match["unit"] else None,
        int(match["version"]) if match["version"] is not None else None, match["check"] or "",
    )


def parse_row_key(value) -> tuple[int, int | None] | None:
    """(task id, unit id or None) from a task row's key; None for anything else."""
    key = parse_row(value)
    return None if key is None else (key.task, key.unit)


def signature(*, kind: str, plan_key: str, period_label: str, unit_name: str = "") -> str:
    """What the key column's header cell carries: which plan, period and unit the sheet is of."""
    return json.dumps(
        {"format": FORMAT_VERSION, "kind": kind, "plan": plan_key, "period": period_label, "unit": unit_name},
        ensure_ascii=False, sort_keys=True,
    )


def read_signature(value) -> dict | None:
    try:
        data = json.loads(str(value or ""))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION or data.get("kind") not in (FULL, UNIT):
        return None
    return data


# --- statuses ---------------------------------------------------------------------------------
@functools.cache
def chinese_labels(choices) -> dict[str, str]:
    """value → label of a TextChoices in Chinese: the sheet is the official document, in
    Chinese whatever language the user reads the admin in."""
    with translation.override("zh-hans"):
        return {choice.value: str(choice.label) for choice in choices}


@functools.cache
def status_from_text() -> dict[str, str]:
    """What a returned sheet may write in 完成状态: the Chinese label, the English one
    (any case), the stored value, and 已调整 or 暂缓 alone."""
    with translation.override("en"):
        english = {str(status.label).lower(): status.value for status in TaskStatus}
    chinese = {label: value for value, label in chinese_labels(TaskStatus).items()}
    alone = {"已调整": TaskStatus.SUSPENDED.value, "暂缓": TaskStatus.SUSPENDED.value}
    alone[NOT_REPORTED] = ""  # left as exported: no status given, the report keeps its own
    return {**english, **{status.value: status.value for status in TaskStatus}, **alone, **chinese}


def status_note() -> str:
    """The note under the table defining what to fill in and what the lights mean."""
    statuses = "".join(f"“{label}”" for label in chinese_labels(TaskStatus).values())
    return (
        f"说明：完成状态填写{statuses}之一（“{NOT_REPORTED}”为本期尚未报送）；"
        "进度(%)填写0—100的整数；预警为系统按完成时限和序时进度生成（红灯：超期未完成或落后序时进度30个百分点以上；"
        "黄灯：进度滞后、临期或落后10—30个百分点；绿灯：其他）；完成时限经批准延期的，括号内为原定时限和延期次数；办结为空即办理中；"
        "灰色列（含责任人、办结、签收）及备注由系统生成，请勿修改；请勿增删行列或修改最后一列（隐藏）。"
    )


# --- titles -----------------------------------------------------------------------------------
_CHINESE_NUMBERS = "一二三四五六七八九十"


def period_name(period: ReportingPeriod) -> str:
    """2016Q3 → 2016年第三季度; 2016-07 → 2016年7月; 2016H1 → 2016年上半年; 2016 → 2016年度."""
    year = period.start.year
    frequency = period.plan.reporting_frequency
    if frequency == Frequency.QUARTERLY:
        return f"{year}年第{_CHINESE_NUMBERS[(period.start.month - 1) // 3]}季度"
    if frequency == Frequency.MONTHLY:
        return f"{year}年{period.start.month}月"
    if frequency == Frequency.HALF_YEARLY:
        return f"{year}年{'上' if period.start.month <= 6 else '下'}半年"
    return f"{year}年度"


def period_span(period: ReportingPeriod) -> str:
    """报送周期：2016年第3季度（7月1日—9月30日）."""
    return f"{period_name(period)}（{period.start.month}月{period.start.day}日—{period.end.month}月{period.end.day}日）"


def sheet_title(period: ReportingPeriod) -> str:
    return f"{period.plan.title}重点任务进展情况表（{period_name(period)}）"


_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def safe_sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = _SHEET_NAME_FORBIDDEN.sub("_", name).strip("'") or "Sheet"
    candidate, counter = base[:31], 2
    while candidate.lower() in taken:
        suffix = f"({counter})"
        candidate, counter = base[: 31 - len(suffix)] + suffix, counter + 1
    taken.add(candidate.lower())
    return candidate
