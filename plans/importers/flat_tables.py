"""Task tables whose cells were run together into one stretch of text.

A page saved by a crawler or a document-sharing site often holds a plan's task table with
every separator gone: "序号主要工作任务具体工作措施完成时限主要责任单位1推进生态文明建设1、建立
…领导小组3月区经发局区环土局2、制定…6月区环土局". Nothing marks where a cell ends, but the
header still names the columns in order, and three kinds of cell can be told by what they
hold: the row's number, a time phrase (3月, 全年) and a run of known unit names (the unit
gazetteer). `rows_from_flattened` finds such a header, cuts the text after it into rows at
its unit runs, and gives each row back as "cell | cell | …" text in the header's columns,
so the table reader that reads any other task table reads it too.

A row is found from its units outwards: the units are the anchor; the cell just before them
(a time phrase, or a person's name under a 分管领导 column) is split off; the row's text runs
back to its number. A column after the units that is none of the roles (任务来源, 备注) takes
the text up to the next row's number. Text after a row's units that has no units of its own
before the next number continues the row above (a wrapped cell), and a run of unit names
with no row text before it continues nothing and is dropped.
"""
from __future__ import annotations

import re

from .gazetteer import holds_clause_word, is_known_unit, split_run_together
from .tables import is_header_cell, table_columns, unit_column_indexes
from .unit_kinds import DEPARTMENT_END, ENTERPRISE, looks_like_unit

HAN = "\u4e00-\u9fff"
# the end of a header cell: its column word (longest first, so 任务来源 is one cell)
HEADER_CELL = re.compile(
    rf"(?:序号|编号)|[{HAN}（）()]{{0,9}}?"
    r"(?:任务来源|项目名称|名称|内容|任务|措施|事项|时限|时间|节点|单位|部门|领导|责任人|联系人|来源|备注|依据|地点|进度|类别|目标)"
)
HEADER_START = re.compile(r"(?:序号|编号)\s*(?=[" + HAN + "])")
HEADER_MIN_CELLS = 3
TIME_CELL = re.compile(
    r"(?:(?:19|20)\d{2}年)?(?:\d{1,2}月(?:份)?(?:底|末|中旬|上旬|下旬)?(?:前)?|年底前?|年内|全年|长期|持续推进|上半年|下半年)"
)
PERSON = re.compile(rf"[{HAN}]{{2,3}}")  # a name under a 分管领导 column
SENTENCE_END = "。；;"
UNIT_SEPARATORS = re.compile(r"[、，,]")
RUN_MAX = 160  # characters of unit names in one cell
UNKNOWN_NAME_MAX = 16
NOTE = re.compile(r"\s*注\s*[:：]")  # the note under a table ends it
ATTACHMENT_TITLE = re.compile(r"(?:^|(?<=[。；;\s]))附件\s*\d{0,2}[:：]?[^。；;]{0,80}$")  # the table's 附件 title
MEASURE_LABEL = re.compile(r"(?<!\d)\d{1,3}[、.．](?!\d)")  # 1、 2、: the measures within a row
PAGE_MARKER = re.compile(r"^(\d{1,2})、")  # a sharing site's page number at a line's start


def rows_from_flattened(lines: list[str]) -> list[str]:
    """`lines` with each run-together task table (a header with no separators, its rows after
    it on the same line) given back as "cell | cell" rows, one a line break, in the line where
    the table stood (the lines it ran on to are left empty), so every line keeps its number;
    the text before the table and after it (from a 注： note on) stays on that line too.
    Other lines are unchanged."""
    result = list(lines)
    index = 0
    while index < len(lines):
        line = lines[index]
        found = _header(line)
        if found is None:
            index += 1
            continue
        start, end, cells, columns = found
        body, following = _table_text(lines, index, line[end:])
        body, note = _until_note(body)
        rows, rest = _rows(body, cells, columns)
        if not rows:
            index += 1
            continue
        before = line[PAGE_MARKER.match(line).end() if following > index + 1 else 0: start]
        attachment = ATTACHMENT_TITLE.search(before)  # ……2.48亿元。 附件：……分工表 then the header
        before, title = (before[: attachment.start()], attachment.group().strip()) if attachment else (before, "")
        parts = [before, title, " | ".join(cells), *(" | ".join(row) for row in rows), rest.strip(), note]
        result[index] = "\n".join(part for part in parts if part.strip())
        result[index + 1: following] = [""] * (following - index - 1)
        index = following
    return result


def _header(line: str) -> tuple[int, int, list[str], dict[str, int]] | None:
    """(start, end, cells, columns) of a task-table header written with no separators."""
    for match in HEADER_START.finditer(line):
        cells, at = [], match.start()
        while at < len(line):
            while at < len(line) and line[at] in " \u3000":
                at += 1
            cell = HEADER_CELL.match(line, at)
            if not cell or not is_header_cell(cell[0]):
                break
            cells.append(cell[0])
            at = cell.end()
        columns = table_columns("\t".join(cells)) if len(cells) >= HEADER_MIN_CELLS else None
        if columns and len(columns) >= HEADER_MIN_CELLS:
            return match.start(), at, cells, columns
    return None


def _table_text(lines: list[str], index: int, rest: str) -> tuple[str, int]:
    """The table's text from the header on, and the index of the line after it. A line that
    opens with a sharing site's page marker (1、… then 2、…) carries the table on to the next
    page marker's line, the marker dropped."""
    marker = PAGE_MARKER.match(lines[index])
    index += 1
    page = int(marker[1]) if marker else None
    while page is not None and index < len(lines):
        following = PAGE_MARKER.match(lines[index])
        if not following or int(following[1]) != page + 1:
            break
        rest += lines[index][following.end():]
        page += 1
        index += 1
    return rest, index


def _until_note(body: str) -> tuple[str, str]:
    note = NOTE.search(body)
    return (body[: note.start()], body[note.start():].strip()) if note else (body, "")


def unit_run(text: str, start: int) -> int:
    """The end of the longest run of known unit names (separated by 、，or by nothing) that
    begins at `start`, with any names the gazetteer does not know right after it (晋陵公司,
    三十六脚湖水库管理处: a unit's ending, no clause word); else `start`."""
    limit = min(len(text), start + RUN_MAX)
    stop = re.search(r"\d|[。；;：:|]", text[start:limit])
    limit = start + stop.start() if stop else limit
    end = next((end for end in range(limit, start + 1, -1) if _all_units(text[start:end])), start)
    while start < end < limit:
        at = end + 1 if text[end] in "、，," else end
        name = next((text[at:cut] for cut in range(at + 2, min(limit, at + UNKNOWN_NAME_MAX) + 1)
                     if _unknown_unit(text[at:cut])), None)
        if name is None:
            break
        end = at + len(name)
    return end


def _unknown_unit(name: str) -> bool:
    return bool((DEPARTMENT_END.search(name) or ENTERPRISE.search(name)) and looks_like_unit(name)
                and not holds_clause_word(name))


def _all_units(text: str) -> bool:
    pieces = UNIT_SEPARATORS.split(text)
    return all(piece and (is_known_unit(piece) or split_run_together(piece)) for piece in pieces)


def _unit_runs(body: str, before: str) -> list[tuple[int, int, int]]:
    """(cell start, units start, units end) of each run of units in `body`: where the column
    before the units is a time column, the run starts after a time phrase; a person column, after
    a sentence and a name; a text column, after a sentence."""
    runs: list[tuple[int, int, int]] = []
    floor = 0
    for cell_start, start in _run_starts(body, before):
        if start < floor:
            continue
        end = unit_run(body, start)
        if end > start:
            runs.append((cell_start, start, end))
            floor = end
    return runs


def _run_starts(body: str, before: str):
    if before == "deadline":
        for match in TIME_CELL.finditer(body):
            yield match.start(), match.end()
    elif before == "person":
        for at in (index + 1 for index, char in enumerate(body) if char in SENTENCE_END):
            for length in (2, 3):
                name = body[at: at + length]
                if PERSON.fullmatch(name) and not is_known_unit(name) and unit_run(body, at + length) > at + length:
                    yield at, at + length
                    break
    else:
        for index, char in enumerate(body):
            if char in SENTENCE_END:
                yield index + 1, index + 1


def _rows(body: str, cells: list[str], columns: dict[str, int]) -> tuple[list[list[str]], str]:
    """The table's rows, each as many cells as its header, and the text after the table."""
    body = body.replace("".join(cells), "")  # the header again at a page break
    unit_columns = unit_column_indexes(columns)
    first, last = min(unit_columns), max(unit_columns)
    before = _kind_of(columns, first - 1)
    after = _kind_of(columns, last + 1) if last + 1 < len(cells) else None
    runs = _unit_runs(body, before)
    task_column = columns.get("task", columns.get("measure", 0))
    measure_column = columns.get("measure", task_column)
    # where the text after a row's units goes: a column of its own (任务来源), else the row's text
    carry_column = last + 1 if after == "text" else task_column
    rows: list[list[str]] = []
    numbers = _Numbers()
    cursor = 0
    for cell_start, start, end in runs:
        carried, text = numbers.split_row(body[cursor:cell_start], first_row=not rows)
        if rows:
            rows[-1][carry_column] += carried.strip()
        row = [""] * len(cells)
        seq, text = numbers.seq(text)
        label = MEASURE_LABEL.search(text) if measure_column != task_column else None
        if "seq" in columns:  # a second row under a 序号 merged down: the 序号 continues
            row[columns["seq"]] = seq or ("" if label or not numbers.seq_number else str(numbers.seq_number))
        if label:
            row[task_column], row[measure_column] = text[: label.start()].strip(), text[label.start():].strip()
        else:
            row[task_column] = text.strip()
        if before in ("deadline", "person"):
            row[first - 1] = body[cell_start:start]
        names = _names(body[start:end])
        if len(unit_columns) > 1:  # 牵头单位 then 配合单位, run together: the first name leads
            row[first], row[last] = names[0], "、".join(names[1:])
        else:
            row[first] = "、".join(names)
        cursor = end
        time = TIME_CELL.match(body, end) if after == "deadline" else None
        if time:
            row[last + 1], cursor = time[0], time.end()
        rows.append(row)
    rest = ""
    if rows:
        carried, rest = numbers.split_row(body[cursor:], first_row=False)
        rows[-1][carry_column] += carried.strip()
    return rows, rest


def _names(text: str) -> list[str]:
    """The unit names of a run: known names split where one ends and the next begins, names the
    gazetteer does not know cut after their unit's ending."""
    names = []
    for piece in filter(None, UNIT_SEPARATORS.split(text)):
        at = 0
        while at < len(piece):
            end = unit_run(piece, at)
            known = next((cut for cut in range(end, at + 1, -1) if _all_units(piece[at:cut])), None)
            if known:
                names.extend(
                    [piece[at:known]] if is_known_unit(piece[at:known]) else split_run_together(piece[at:known])
                )
                at = known
                continue
            cut = next((cut for cut in range(at + 2, len(piece) + 1) if _unknown_unit(piece[at:cut])), len(piece))
            names.append(piece[at:cut])
            at = cut
    return names


def _kind_of(columns: dict[str, int], index: int) -> str:
    kinds = {at: name for name, at in columns.items()}
    kind = kinds.get(index, "other")
    return kind if kind in ("deadline", "person") else "text"


class _Numbers:
    """The 序号 met so far (1, 2, 3 …), to tell the next row's number from figures in the text;
    the measure labels within rows (1、 2、 …) are found where a row is cut."""

    def __init__(self):
        self.seq_number = 0

    def seq(self, text: str) -> tuple[str, str]:
        """(序号, text after it) when `text` opens with the next row number."""
        match = re.match(r"\s*(\d{1,3})(?![\d、.．,，%])\s*", text)
        if match and int(match[1]) == self.seq_number + 1:
            self.seq_number += 1
            return match[1], text[match.end():]
        return "", text

    def split_row(self, text: str, *, first_row: bool) -> tuple[str, str]:
        """(text that belongs to the row above, this row's text) of the text between the row
        above's units and this row's: this row opens at the next 序号 (at the start or after a
        sentence or a bracket), else, when the text holds measure labels, at the last of them;
        else the whole text is this row's (a second row under the same 序号)."""
        if first_row:
            return "", text
        next_seq = re.search(rf"(?:^|(?<=[。；;）)\s]))\s*{self.seq_number + 1}\s*(?=[{HAN}“《])", text)
        if next_seq:
            return text[: next_seq.start()], text[next_seq.start():]
        labels = list(MEASURE_LABEL.finditer(text))
        if labels:
            return text[: labels[-1].start()], text[labels[-1].start():]
        return "", text
