"""Reading a returned progress sheet: the workbook a unit filled in and sent back. Finds the
sheets we exported (by the signature in the hidden key column), checks their headers and
reads every task row's editable cells into frozen dataclasses. No database: what the rows
mean for the reports is decided by services.sheet_check."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from plans.exports import layout
from plans.exports.layout import Column, normalised
from plans.models import TaskStatus


@dataclass(frozen=True)
class Problem:
    """Why a returned sheet cannot be applied, located to the cell where possible."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""  # the column letter
    header: str = ""  # the column's header, for the reader

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"工作表“{self.sheet}”")
        if self.row:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"{self.column}列" + (f"（{self.header}）" if self.header else ""))
        return ("".join(where) + "：" if where else "") + self.message

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header,
            "message": self.message,
        }


@dataclass(frozen=True)
class ReturnedRow:
    sheet: str
    row: int
    task_id: int
    unit_id: int | None
    values: dict  # editable columns: progress/problems/next_steps text, status value or "", percent int or None
    shown: dict  # read-only (checked) columns as the sheet shows them (normalised text)
    columns: dict  # column key → letter, for locating problems
    version: int | None = None  # the report's version when the sheet was exported (0: none yet; None: not recorded)
    check: str = ""  # the key's digest of the cells only the sheet knows (layout.SHEET_CHECKED)


@dataclass(frozen=True)
class ReturnedSheet:
    name: str
    kind: str
    plan_key: str
    period_label: str
    unit_name: str
    rows: tuple[ReturnedRow, ...]


@dataclass(frozen=True)
class ReturnedWorkbook:
    sheets: tuple[ReturnedSheet, ...] = ()  # sheets that are not progress sheets (汇总, notes) are left out
    problems: tuple[Problem, ...] = ()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time.min else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


class _CellError(ValueError):
    pass


def _status(value) -> str:
    text = _text(value)
    if not text:
        return ""
    known = layout.status_from_text()
    status = known.get(text) or known.get(text.lower())
    if status is None:
        labels = layout.chinese_labels(TaskStatus).values()
        raise _CellError("完成状态无效，应为" + "、".join(f"“{label}”" for label in labels) + "之一")
    return status


def _percent(value, number_format: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        text = value.strip().rstrip("%％").strip()
        try:
            value = float(text)
        except ValueError:
            raise _CellError("进度应为0—100的整数") from None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _CellError("进度应为0—100的整数")
    elif "%" in (number_format or ""):
        value = value * 100  # 60% typed into a percent-formatted cell is stored as 0.6
    if not float(value).is_integer() or not 0 <= value <= 100:
        raise _CellError("进度应为0—100的整数")
    return int(value)


def _is_formula(cell) -> bool:
    return getattr(cell, "data_type", None) == "f"


def _find_signature(rows) -> tuple[dict | None, int]:
    """The signature in the group header row and its 1-based column."""
    group_row = rows[layout.GROUP_ROW - 1] if len(rows) >= layout.GROUP_ROW else ()
    for index, cell in enumerate(group_row, start=1):
        value = getattr(cell, "value", None)
        if isinstance(value, str) and value.startswith("{"):
            data = layout.read_signature(value)
            if data:
                return data, index
    return None, 0


def _header_problems(name: str, head: list[tuple], columns: tuple[Column, ...]) -> list[Problem]:
    """Each column's header in the header row, or for an ungrouped column in the group row
    above (the two cells are merged, and only the upper one keeps its text)."""
    def value(row: int, index: int):
        cells = head[row - 1] if len(head) >= row else ()
        return normalised(getattr(cells[index - 1], "value", None)) if index - 1 < len(cells) else ""

    problems = []
    for index, column in enumerate(columns, start=1):
        actual = value(layout.HEADER_ROW, index) or ("" if column.group else value(layout.GROUP_ROW, index))
        if actual != column.header:
            problems.append(Problem(
                f"列标题应为“{column.header}”，表中为“{actual or '空'}”：请勿增删、移动或改名列",
                sheet=name, row=layout.HEADER_ROW, column=layout.letter(index), header=column.header,
            ))
    return problems


def _read_sheet(worksheet, problems: list[Problem]) -> ReturnedSheet | None:
    """`worksheet` a xlsx_reader.StreamSheet: rows come as (number, cells), only those present."""
    name = worksheet.title
    present = dict(worksheet.iter_rows(min_row=1, max_row=layout.HEADER_ROW))
    head = [present.get(number, ()) for number in range(1, layout.HEADER_ROW + 1)]
    signature, signature_column = _find_signature(head)
    if signature is None:
        return None
    kind = signature["kind"]
    columns = layout.columns_for(kind)
    key_index = layout.key_column_index(kind)
    if signature_column != key_index:
        problems.append(Problem(
            f"隐藏的行标识列应在{layout.letter(key_index)}列，现在{layout.letter(signature_column)}列：表中增删了列，请使用原表填写",
            sheet=name, row=layout.GROUP_ROW, column=layout.letter(signature_column),
        ))
        return None
    header_problems = _header_problems(name, head, columns)
    if header_problems:
        problems.extend(header_problems)
        return None
    letters = {column.key: layout.letter(index) for index, column in enumerate(columns, start=1)}
    rows: list[ReturnedRow] = []
    seen: dict[tuple[int, int | None], int] = {}
    previous_task, previous_shown = None, {}
    for number, cells in worksheet.iter_rows(min_row=layout.FIRST_DATA_ROW, max_col=key_index):
        cells = tuple(cells) + (None,) * max(0, key_index - len(cells))
        by_key = {column.key: cells[index] for index, column in enumerate(columns)}
        key_value = getattr(cells[key_index - 1], "value", None)
        row_key = layout.parse_row(key_value)
        key = None if row_key is None else (row_key.task, row_key.unit)
        editable_filled = any(_text(getattr(by_key[c.key], "value", None)) for c in columns if c.editable)
        if key is None:
            if layout.is_section_key(key_value):
                continue
            if str(key_value or "").strip():
                problems.append(Problem(
                    "行标识无法识别：请勿修改最后一列（隐藏列）", sheet=name, row=number,
                    column=layout.letter(key_index),
                ))
            elif editable_filled:
                problems.append(Problem(
                    "此行不是导出的任务行（没有行标识）：请勿插入新行，在原任务行中填写",
                    sheet=name, row=number,
                ))
            continue
        if key in seen:
            problems.append(Problem(
                f"任务行重复（与第{seen[key]}行相同）：请勿复制任务行", sheet=name, row=number,
                column=layout.letter(key_index),
            ))
            continue
        seen[key] = number
        values, row_problems = {}, []
        for column in columns:
            if not column.editable:
                continue
            cell = by_key[column.key]
            if _is_formula(cell):
                row_problems.append(Problem(
                    "不接受公式，请直接填写内容（以=开头的文字请在前面加英文单引号'）",
                    sheet=name, row=number, column=letters[column.key], header=column.header,
                ))
                continue
            value = getattr(cell, "value", None)
            try:
                if column.key == "status":
                    values["status"] = _status(value)
                elif column.key == "percent":
                    values["percent"] = _percent(value, getattr(cell, "number_format", ""))
                else:
                    values[column.key] = _text(value)
            except _CellError as error:
                row_problems.append(Problem(
                    str(error), sheet=name, row=number, column=letters[column.key], header=column.header,
                ))
        problems.extend(row_problems)
        shown = {}
        for column in columns:
            if column.checked:
                value = normalised(getattr(by_key[column.key], "value", None))
                if not value and column.per_task and previous_task == key[0]:
                    value = previous_shown.get(column.key, "")  # the lower cells of a merged task cell are empty
                shown[column.key] = value
        previous_task, previous_shown = key[0], shown
        if not row_problems:
            rows.append(ReturnedRow(
                sheet=name, row=number, task_id=key[0], unit_id=key[1], values=values, shown=shown, columns=letters,
                version=row_key.version, check=row_key.check,
            ))
    return ReturnedSheet(
        name=name, kind=kind, plan_key=str(signature.get("plan", "")), period_label=str(signature.get("period", "")),
        unit_name=str(signature.get("unit", "")), rows=tuple(rows),
    )


def read_returned(workbook) -> ReturnedWorkbook:
    """Every exported progress sheet of a workbook (xlsx_reader.open_stream_workbook), and the
    problems found. Raises UploadRefused at a limit or a malformed cell."""
    problems: list[Problem] = []
    sheets = [sheet for worksheet in workbook.worksheets if (sheet := _read_sheet(worksheet, problems))]
    if not sheets and not problems:
        problems.append(Problem("工作簿中没有本系统导出的进展情况表：请先从系统导出进展情况表，在其中填写后上传"))
    return ReturnedWorkbook(sheets=tuple(sheets), problems=tuple(problems))
