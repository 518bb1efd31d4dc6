"""Task tables (序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限): which column is which
(`table_columns`), and a table pasted one cell a paragraph rebuilt as rows
(`rows_from_cell_paragraphs`).
"""
from __future__ import annotations

import re

from .assignments import NOT_A_UNIT
from .cleanup import Paragraph
from .labels import label_of
from .unit_kinds import looks_like_unit
from .units import split_units

# task-table columns, by the words their header cells contain
TABLE_COLUMNS: tuple[tuple[str, re.Pattern], ...] = (
    ("seq", re.compile(r"^(?:序号|编号|序)$")),
    ("kind", re.compile(r"类型$|类别$|^分类$")),  # 任务类型: a group label, merged down its rows
    # a person, not a unit: 责任领导, 牵头领导, 分管领导, 联系领导, 责任人, 联系人
    ("person", re.compile(r"领导|负责人|责任人|联系人|分管|包保")),
    ("lead", re.compile(r"牵头")),
    ("supporting", re.compile(r"配合|协办|参与|协同")),
    ("implementing", re.compile(r"业主单位|项目业主|建设单位")),  # the owner who builds it
    ("responsible", re.compile(r"责任|主办|主责|(?:推进|实施|承办|落实)(?:单位|部门|主体)")),
    ("deadline", re.compile(r"时限|时间|节点|进度")),
    ("measure", re.compile(r"措施|内容|要求|举措")),
    ("task", re.compile(r"任务|事项|项目|工作|实事|指标")),
)
TABLE_ROLES = ("lead", "responsible", "supporting", "implementing")  # the unit columns of a task table, in that order
TABLE_SPLIT = re.compile(r"\t|｜|\|")
UNIT_COLUMN = re.compile(r"(?:单位|部门)$")
HEADER_CELL_MAX = 16  # 申请中央预算内投资（万元）


def table_columns(text: str) -> dict[str, int] | None:
    """Column index by role when `text` is a task-table header row, else None."""
    cells = [cell.strip() for cell in TABLE_SPLIT.split(text)]
    if any(not is_header_cell(cell) for cell in cells):
        return None  # a task row ("市商务局（牵头）", "新建项目5个") is never a header
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        compact = re.sub(r"\s+", "", cell)
        for name, pattern in TABLE_COLUMNS:
            if pattern.search(compact) and name not in columns:
                columns[name] = index
                break
    has_task = "task" in columns or "measure" in columns
    has_units = any(name in columns for name in TABLE_ROLES)
    if not has_task and has_units and "seq" in columns and columns["seq"] + 1 not in columns.values() \
            and columns["seq"] + 1 < len(cells):
        columns["task"], has_task = columns["seq"] + 1, True  # 序号 | 交通子行业 | …: the column after the number
    if has_task and not has_units:  # 监考单位, 考核单位: the table's only column of units answers for its rows
        only = [index for index, cell in enumerate(cells) if index not in columns.values() and UNIT_COLUMN.search(cell)]
        if len(only) == 1:
            columns["responsible"], has_units = only[0], True
    return columns if has_task and has_units else None


def aligned_on_units(cells: list[str], columns: dict[str, int], misfit: bool) -> list[str]:
    """A row that lost a cell (or has one too many) before its units: its cells from the first
    cell of unit names on moved so that cell sits in the first unit column. Units left of the
    unit columns always move; units right of them only in a row of the wrong length (`misfit`),
    as a row may leave its lead cell empty."""
    unit_columns = unit_column_indexes(columns)
    text_column = columns.get("task", columns.get("measure", 0))
    if not unit_columns:
        return cells
    first = next(
        (index for index, cell in enumerate(cells) if index > text_column and _cell_kind(cell) == "units"), None
    )
    if first is None or first == min(unit_columns) or (first > min(unit_columns) and not misfit):
        return cells
    shift = min(unit_columns) - first
    return cells[:first] + [""] * shift + cells[first:] if shift > 0 else cells[: first + shift] + cells[first:]


# what a table cell pasted on its own line holds, when nothing separates the cells
SEQ_CELL = re.compile(r"^\d{1,3}[.、．]?$")
DEADLINE_CELL = re.compile(r"(?:\d{1,2}月|年底|年内|全年|季度|上半年|下半年|月底|日前|以前|投入使用|长期|持续|完成$)")
DEADLINE_CELL_MAX = 20


def rows_from_cell_paragraphs(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """A task table pasted one cell a paragraph with nothing between the cells (序号 / 民生实事 /
    责任单位 / 完成时限 / 1 / 启动建设…… / 县水务局 / 县住建局 / 12月底前 …): its rows rebuilt as
    "cell | cell" paragraphs, each cell placed by what it holds — a number is 序号, unit
    names go to the unit column, a short time phrase to the deadline column, other text is
    the task (a new row once the row has its units). Other paragraphs are left as they are."""
    result, index = [], 0
    while index < len(paragraphs):
        header = _header_run(paragraphs, index)
        if not header:
            result.append(paragraphs[index])
            index += 1
            continue
        columns = table_columns("\t".join(header))
        result.append(Paragraph(" | ".join(header), paragraphs[index].line))
        rows, index = _cell_rows(paragraphs, index + len(header), columns, len(header))
        result.extend(rows)
    return result


def _header_run(paragraphs: list[Paragraph], index: int) -> list[str]:
    cells = []
    for at, paragraph in enumerate(paragraphs[index:], start=index):
        if TABLE_SPLIT.search(paragraph.text) or not is_header_cell(paragraph.text):
            break
        numbered_next = at + 1 < len(paragraphs) and SEQ_CELL.match(paragraphs[at + 1].text.strip())
        group_label = numbered_next and not COLUMN_WORD.search(paragraph.text)
        if group_label and len(cells) >= 3 and table_columns("\t".join(cells)):
            break  # 养老方面 then 1: the group label of the first rows, not a column (参考文件 is one)
        if len(cells) >= 3 and table_columns("\t".join(cells)) and not _names_a_column(paragraph.text):
            break  # 宏观调控 after 项目 | 分值 | 目标任务 | 监考单位: the first group, not a column
        cells.append(paragraph.text.strip())
    seq = next((at for at, cell in enumerate(cells) if TABLE_COLUMNS[0][1].match(cell)), 0)
    if any(TABLE_TITLE_CELL.search(cell) for cell in cells[:seq]):
        return []  # 任务分工表 / 打*的为具体项目 / 序号 / 事项 …: the table's title and note, not columns
    return cells if len(cells) >= 3 and table_columns("\t".join(cells)) else []


def _names_a_column(cell: str) -> bool:
    compact = re.sub(r"\s+", "", cell)
    return any(pattern.search(compact) for _name, pattern in TABLE_COLUMNS) or bool(
        COLUMN_WORD.search(compact) or UNIT_COLUMN.search(compact))


def unit_column_indexes(columns: dict[str, int]) -> list[int]:
    """The indexes of a table's unit columns (牵头单位, 责任单位, 配合单位), in that order."""
    return [columns[name] for name in TABLE_ROLES if name in columns]


def _cell_rows(paragraphs, index, columns, width) -> tuple[list[Paragraph], int]:
    unit_columns = unit_column_indexes(columns)
    text_column = columns.get("task", columns.get("measure"))
    measure_column = columns["measure"] if "task" in columns and "measure" in columns else None
    # a column after the units that is none of ours (参考文件, 备注): text there once a row has its units
    ours = set(columns.values())
    after_units = next((at for at in range(max(unit_columns, default=width), width) if at not in ours), None)
    # a column none of ours (2025年目标值, 备注): where a figure that is not the next 序号 goes
    other = next((at for at in range(width) if at not in ours), None)
    rows, row, line, number = [], None, 0, None
    merged_from: list[str] | None = None  # the row above, when this one has no 序号 of its own

    def close():
        if row is None or not any(row):
            return
        task_text = row[text_column] if text_column is not None else ""
        dated = "deadline" in columns and row[columns["deadline"]]
        # a sentence or a dated line, not a group label over the next rows (旧住房更新改造 then 5)
        merged = merged_from and MERGED_ROW_TEXT.match(task_text) and (task_text.endswith("。") or dated)
        if merged and "seq" in columns and not any(row[column] for column in unit_columns):
            for column in (columns["seq"], *unit_columns):  # its 序号 and units cells merged with the row above
                row[column] = row[column] or merged_from[column]
        elif measure_column is not None and not row[measure_column] and not any(row[c] for c in unit_columns) \
                and rows and "seq" in columns and row[columns["seq"]]:
            row[measure_column], row[text_column] = row[text_column], ""  # 2 | 新建……: under a merged 事项
        if "seq" not in columns and not any(row[c] for c in unit_columns) and row[text_column] and rows_units \
                and any(row[c] for c in range(width) if c != text_column):
            for column, value in zip(unit_columns, rows_units[-1]):
                row[column] = value  # a row without its units cell, in a table without 序号: merged from above
        if any(row[c] for c in unit_columns):
            rows_units.append([row[c] for c in unit_columns])
        rows.append(Paragraph(" | ".join(cell or "" for cell in row), line))

    rows_units: list[list[str]] = []
    while index < len(paragraphs):
        text = paragraphs[index].text.strip()
        following = paragraphs[index + 1].text.strip() if index + 1 < len(paragraphs) else ""
        after_next = paragraphs[index + 2].text.strip() if index + 2 < len(paragraphs) else ""
        numbered_next = SEQ_CELL.match(following) or (
            label_of(following) and label_of(following)[1] > 1 and _cell_kind(after_next) == "units")
        if label_of(text) and label_of(text)[1] == 1 and not numbered_next:
            # the next section (一、养老项目 then 1, or then (一)… and its units cell, is a group row of the table)
            break
        if ATTACHMENT.match(text) or _header_run(paragraphs, index) or (
                TABLE_TITLE_CELL.search(text) and _header_run(paragraphs, index + 1)):
            break  # 附件2, or the title and header of the next table
        kind = _cell_kind(text)
        if kind == "seq" and "seq" not in columns:
            kind = "figure"  # 3, 186: a score or a target, no row number in a table without 序号
        if kind == "text" and measure_column is not None and row is not None and row[text_column] \
                and not any(row[c] for c in unit_columns) and SEQ_CELL.match(
                    paragraphs[index + 1].text.strip() if index + 1 < len(paragraphs) else ""):
            close()  # 29 / 推动…… / 建立健全“光伏+”推进机制 / 30: the title of the rows that follow
            rows.append(
                Paragraph(" | ".join(text if at == text_column else "" for at in range(width)), paragraphs[index].line)
            )
            row = None
            index += 1
            continue
        next_kind = _cell_kind(paragraphs[index + 1].text.strip()) if index + 1 < len(paragraphs) else ""
        if kind == "text" and "seq" not in columns and other is not None and next_kind in ("seq", "figure") \
                and row is not None and row[text_column] and (row[other] or GROUP_LABEL.match(row[text_column])):
            close()  # 地区生产总值增长率 then 3: a row's name and its figure open the next row
            merged_from, row, line = None, [""] * width, paragraphs[index].line
        if kind == "seq":
            value = int(text.rstrip(".、．"))
            restarts = value == 1 and GROUP_LABEL.match(paragraphs[index - 1].text.strip())  # 托育方面 then 1
            if number is not None and other is not None and value != number + 1 and not restarts:
                kind = "other"  # 60, 100: a figure in the row, not the next row's number
            else:
                number = value
        if kind == "units" and row is not None and text_column is not None and not row[text_column] \
                and unit_columns and text_column < min(unit_columns) and any(row):
            kind = "text"  # 平潭怡馨养老服务中心 right after the 序号: the project's name, not its units
        has_units = row is not None and any(row[column] for column in unit_columns)
        if kind == "text" and has_units and after_units is not None and "seq" in columns:
            row[after_units] = "".join(filter(None, [row[after_units], text]))
            index += 1
            continue
        if row is None or kind == "seq" or (kind == "text" and has_units):
            close()
            merged_from = row if kind == "text" and has_units else None
            row, line = [""] * width, paragraphs[index].line
        if kind == "seq" and "seq" in columns:
            row[columns["seq"]] = text.rstrip(".、．")
        elif kind == "units" and unit_columns:
            filled = [column for column in unit_columns if row[column]]
            column = (
                unit_columns[0] if not filled or len(unit_columns) == 1
                else unit_columns[min(len(filled), len(unit_columns) - 1)]
            )
            row[column] = "、".join(filter(None, [row[column], text]))
        elif kind == "deadline" and "deadline" in columns:
            row[columns["deadline"]] = text
        elif kind in ("other", "figure") and other is not None:
            row[other] = " ".join(filter(None, [row[other], text]))
        elif kind == "blank":
            pass
        elif measure_column is not None and row[text_column] and not row[measure_column] and not has_units:
            row[measure_column] = text  # 事项 then 工作措施: the second text cell is the measure
        elif text_column is not None:
            column = measure_column if measure_column is not None and row[measure_column] else text_column
            row[column] = "".join(filter(None, [row[column], text]))
        index += 1
    close()
    return rows, index


# the task of a row whose 序号 and units cells are merged with the row above: a sentence, not
# the page's furniture after the table (分享到：)
MERGED_ROW_TEXT = re.compile(r"^[^:：]{6,}$")
# words of a column heading that is none of the roles: 参考文件, 备注, 2025年目标值, 建设地点
COLUMN_WORD = re.compile(
    r"文件|依据|来源|说明|备注|情况|标准|值$|率$|数$|名称|类型|类别"
    r"|地点|金额|投资|资金|规模|期限|时间|时限|进度|成效"
)
ATTACHMENT = re.compile(r"^附[件表]\s*\d{0,2}[:：]?$")
TABLE_TITLE_CELL = re.compile(r"(?:表|清单|一览)$|[*＊]|的为|^注")  # a table's title or note above its header
GROUP_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,10}$")  # 养老方面, 旧区改造: a label over the rows below it


def _cell_kind(text: str) -> str:
    if SEQ_CELL.match(text):
        return "seq"
    if re.fullmatch(r"[-—－–/／\\]+|无", text):
        return "blank"  # a cell left empty on purpose
    if re.fullmatch(r"[\d.,，%％]+", text):
        return "figure"  # 4.5, 99.9%, 1,782: a value of the row
    names = split_units(text) if not NOT_A_UNIT.search(text.split("、")[0] + "、") else []  # 7、分解细化……: a measure
    if names and all(map(looks_like_unit, names)) and not re.search(r"[。；;：:！？]$", text):
        return "units"  # not "建成县残疾人综合服务中心。": a sentence; a wrapped list may end in 、 or ，
    if len(text) <= DEADLINE_CELL_MAX and DEADLINE_CELL.search(text):
        return "deadline"
    return "text"


def is_header_cell(cell: str) -> bool:
    """A header cell is a short label: no figures, no sentence or list punctuation."""
    compact = re.sub(r"\s+", "", cell)
    if len(compact) > HEADER_CELL_MAX or re.search(r"[。，,、；;：:]", compact):
        return False
    if re.search(r"\d", compact) and not re.fullmatch(
        r"[\d\-—－~至年月季度第]+[\u4e00-\u9fff]{1,8}[%％]?|\d{1,2}[-—－~]", compact
    ):
        return False  # figures only as a time span heading a column: 1-10月推进情况, 2024年度, 1-8月完成率%, 1- (cut)
    return not (looks_like_unit(compact) or looks_like_unit(re.sub(r"[（(][^（()）]*[)）]$", "", compact)))
