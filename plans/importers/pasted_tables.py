"""Tables pasted into a plan as text, rebuilt as rows of "cell | cell": a table one cell a
line ("序号 |", "重点工作 |", …) and one flattened with spaces between its cells.
"""
from __future__ import annotations

import itertools
import re

from .unit_kinds import looks_like_unit

TABLE_ROW = re.compile(r"\t|｜|\|")  # cells separated by a tab or a bar

# A table copied from a web page often arrives one cell a line, each ending in "|": its header
# cells (short, with a header word) say how many cells make a row.
CELL_LINE_END = re.compile(r"[ \u3000]*[|｜\t][ \t\u3000]*$")  # the reader may have turned "|" into a tab
HEADER_CELL = re.compile(
    r"^.{0,6}(?:序号|编号|任务|工作|措施|内容|事项|目标|单位|部门|领导|时限|时间|节点|进度|备注|牵头|配合|责任)"
)
HEADER_CELL_MAX = 10
MIN_TABLE_COLUMNS = 3


def cell_lines_as_rows(numbered: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Rejoin a table written one cell a line ("序号 |", "重点工作 |", …, "1 |", "……|") into
    rows of "cell | cell | …", as many cells a row as its header has. A cell wrapped over
    several lines ends at the line that ends in "|"."""
    result, index = [], 0
    while index < len(numbered):
        header = _header_cells(numbered, index)
        if len(header) < MIN_TABLE_COLUMNS:
            result.append(numbered[index])
            index += 1
            continue
        columns = len(header)
        cells, index = _cells(numbered, index)
        rows = _numbered_rows(cells, columns) if SEQ_HEADER.match(header[0]) else None
        for row in rows or [cells[start : start + columns] for start in range(0, len(cells), columns)]:
            result.append((row[0][0], " | ".join(text for _, text in row)))
    return result


SEQ_HEADER = re.compile(r"^(?:序号|编号|序)$")
UNIT_HEADER = re.compile(r"(?:单位|部门)$")  # 责任单位, 牵头部门: a column of units
SPACED_HEADER_CELL_MAX = 14  # 省重点民生实事项目名称
SEQ_VALUE = re.compile(r"^(\d{1,3})[.、．]?$")


def _numbered_rows(cells: list[tuple[int, str]], columns: int) -> list[list[tuple[int, str]]] | None:
    """Rows cut where the 序号 column counts on (1, 2, 3 …): a row that lost a cell or has one
    more than its header stays one row. None when the numbers do not run in order."""
    first = next((index for index, cell in enumerate(cells) if index >= columns and SEQ_VALUE.match(cell[1])), None)
    if first is None:
        return None
    rows: list[list[tuple[int, str]]] = [cells[:first]]  # the header, with any long header cells after the short ones
    for cell in cells[first:]:
        number = SEQ_VALUE.match(cell[1])
        expected = int(SEQ_VALUE.match(rows[-1][0][1]).group(1)) + 1 if len(rows) > 1 else None
        if number and (expected is None or int(number.group(1)) == expected) and (len(rows) == 1 or len(rows[-1]) >= 2):
            rows.append([cell])
        else:
            rows[-1].append(cell)
    return rows if len(rows) > 1 else None


def _header_cells(numbered: list[tuple[int, str]], index: int) -> list[str]:
    cells = []
    for _number, text in numbered[index:]:
        cell = CELL_LINE_END.sub("", text).strip()
        if not CELL_LINE_END.search(text) or len(cell) > HEADER_CELL_MAX or not HEADER_CELL.match(cell):
            break
        cells.append(cell)
    return cells


def _cells(numbered: list[tuple[int, str]], index: int) -> tuple[list[tuple[int, str]], int]:
    """The cells from `index` on, each (first line, text), up to the first line that neither
    ends a cell nor continues one; and the index after them."""
    cells, pending, first = [], "", None
    while index < len(numbered):
        number, text = numbered[index]
        ends = CELL_LINE_END.search(text)
        if not ends and not (index + 1 < len(numbered) and CELL_LINE_END.search(numbered[index + 1][1])):
            break
        first = number if first is None else first
        pending += CELL_LINE_END.sub("", text).strip().strip("|｜").strip() if ends else text.strip()
        index += 1
        if ends:
            cells.append((first, pending))
            pending, first = "", None
    return cells, index


HEADER_TASK_CELL = re.compile(r"任务|项目|工作|事项|措施|指标")


def cell_header_lines(stripped: list[str]) -> bool:
    """True when the text holds a table header pasted a cell a line without a 序号 (项目 / 分值 /
    目标任务 / 监考单位): its bare numbers are the table's figures, not page numbers."""
    for start in range(len(stripped)):
        window = [re.sub(r"\s+", "", text) for text in stripped[start:start + 6]]
        short = list(itertools.takewhile(lambda text: 0 < len(text) <= HEADER_CELL_MAX, window))
        if len(short) >= MIN_TABLE_COLUMNS and any(UNIT_HEADER.search(text) for text in short) \
                and any(HEADER_TASK_CELL.search(text) for text in short):
            return True
    return False


SPACED_ROW = re.compile(r"^(?P<seq>\d{1,3})[.、．]?\s+(?P<rest>\S.*)$")


def _spaced_words_joined(words: list[str]) -> list[str]:
    """Runs of single characters joined: 序号 工 作 任 务 牵头负责部门 → 序号, 工作任务, 牵头负责部门."""
    joined: list[str] = []
    for index, word in enumerate(words):
        if len(word) == 1 and index and len(words[index - 1]) == 1:
            joined[-1] += word
        else:
            joined.append(word)
    return joined


def space_separated_rows(lines: list[str]) -> list[str]:
    """A table flattened with spaces between its cells (序号 工 作 任 务 牵头负责部门 / 1 居民消费价格
    涨幅3%左右 发展改革委): its header and rows rewritten with tabs between the cells.

    A row gets the header's count of cells. Where the header has a unit column and the row a
    word that reads as a unit, that word is the anchor: the words before it (after the number)
    are the task, the words after it fill the next columns in order (a row may leave its last
    cells empty), and a line without a number (a second row under a merged 序号) is a row too.
    Otherwise the number, then the task (any spaces kept inside it), then one word per column."""
    result, width, unit_column = [], 0, None
    for text in lines:
        cells = _spaced_words_joined(text.split())
        if not TABLE_ROW.search(text) and _spaced_header(cells):
            width = len(cells)
            unit_column = next((at for at, cell in enumerate(cells) if UNIT_HEADER.search(cell)), None)
            result.append("\t".join(cells))
            continue
        plain = width and "\t" not in text and "|" not in text
        row = SPACED_ROW.match(text) if plain else None
        anchored = _unit_anchored(text, row, width, unit_column) if plain and unit_column else None
        if anchored:  # " | ": an empty first cell (a 序号 merged from the row above) survives the strip
            result.append(" | ".join(anchored))
            continue
        if row and len(words := row.group("rest").split()) >= width - 1:
            split = len(words) - (width - 2)  # the task's words, then one word per column after it
            result.append("\t".join([row.group("seq"), " ".join(words[:split]), *words[split:]]))
            continue
        width = width if row or not text else 0
        result.append(text)
    return result


def _spaced_header(cells: list[str]) -> bool:
    """序号 项目名称 责任单位 目标任务 1-8月实际完成情况 …: the number column first, short cells, and
    at least three of them column words, a unit column among them."""
    if len(cells) < MIN_TABLE_COLUMNS or not SEQ_HEADER.match(cells[0]):
        return False
    if all(len(cell) <= HEADER_CELL_MAX and HEADER_CELL.match(cell) for cell in cells):
        return True
    named = [cell for cell in cells if HEADER_CELL.match(cell) or UNIT_HEADER.search(cell)]
    return (len(named) >= MIN_TABLE_COLUMNS and any(UNIT_HEADER.search(cell) for cell in cells)
            and all(len(cell) <= SPACED_HEADER_CELL_MAX and not re.search(r"[。，,；;：:]", cell) for cell in cells))


def _unit_anchored(text: str, row: re.Match | None, width: int, unit_column: int) -> list[str] | None:
    words = (row.group("rest") if row else text).split()
    anchor = next((at for at, word in enumerate(words) if at and looks_like_unit(word)), None)
    if anchor is None or unit_column < 2:
        return None
    cells = [row.group("seq") if row else "", " ".join(words[:anchor]), *[""] * (unit_column - 2), words[anchor]]
    after = words[anchor + 1:]
    tail = width - len(cells)
    if tail <= 0:
        return None
    cells += (
        after[: tail - 1] + [" ".join(after[tail - 1:])] if len(after) >= tail else after + [""] * (tail - len(after))
    )
    return cells
