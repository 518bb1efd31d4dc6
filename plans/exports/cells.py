"""What every sheet of the exported workbooks is written with (the progress sheet,
progress_sheet.py; the indicator sheet, indicator_sheet.py; the public sheet, public_sheet.py):
the write-only cell of a named style (the styles are in styles.py), the print set-up (A4
landscape, one page wide, page numbers), the row heights wrapped text needs, and `RowSheet`,
a worksheet written row by row."""
from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from plans.exports import layout

EXCEL_TEXT_LIMIT = 32767
PAGE_NUMBERS = "第 &P 页 共 &N 页"


def excel_text(value: str) -> str:
    """What a text becomes in a cell: control characters Excel refuses removed, cut at
    Excel's 32,767 characters. The reader compares against this, not the raw text."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value or "")
    return value[:EXCEL_TEXT_LIMIT]


def cell(sheet, value, style: str) -> Cell:
    """A write-only cell of a named style; text is always text (a leading = + - @ never
    makes a formula). openpyxl cuts text at Excel's limit and refuses control characters:
    only then is the text cleaned (excel_text), so clean text is scanned once."""
    array = sheet.parent.style_arrays[style]
    try:
        written = Cell(sheet, row=1, column=1, value=value, style_array=array)
    except IllegalCharacterError:
        written = Cell(sheet, row=1, column=1, value=excel_text(value), style_array=array)
    if isinstance(value, str):
        written.data_type = "s"
    return written


CACHED_TEXT = 40  # texts up to this long are kept as one cell per (text, style) …
CACHED_CELLS = 5_000  # … this many at most (then the sheet starts again from none)


class SheetCells:
    """`cell` for one sheet (`make`), making a cell once per (value, style) for the values that repeat
    row after row (empty cells, the blank lower cells of a merged range, 已报送, 绿灯, a unit's
    name, …), so most cells of a large sheet are not built again. openpyxl's write-only sheet
    writes each cell of an appended row as it comes and keeps nothing of it, so one cell object
    can stand at any place of any row (and twice in one row)."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.cells: dict = {}

    def make(self, value, style: str) -> Cell:
        if value is None or (value.__class__ is str and len(value) <= CACHED_TEXT):
            key = (value, style)
            made = self.cells.get(key)
            if made is None:
                made = cell(self.sheet, value, style)
                if len(self.cells) >= CACHED_CELLS:
                    self.cells.clear()
                self.cells[key] = made
            return made
        return cell(self.sheet, value, style)


def print_setup(sheet):
    """A4 landscape, one page wide, centred, page numbers in the footer."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top, sheet.page_margins.bottom = 0.6, 0.7
    sheet.oddFooter.center.text = sheet.evenFooter.center.text = PAGE_NUMBERS


# --- row heights ------------------------------------------------------------------------------
LINE_HEIGHT = 13.5  # points per line of 10-point 宋体
MAX_ROW_HEIGHT = 409  # Excel's limit


def wrapped_lines(value, width: float) -> int:
    """Lines a wrapped cell needs in a column `width` characters wide (a CJK character takes
    two): neither Excel nor LibreOffice sizes rows of a written file by itself."""
    if not isinstance(value, str) or not value:
        return 1
    return text_lines(value, line_room(width))


def line_room(width: float) -> float:
    """The room for text on a line of a column `width` characters wide (text_lines)."""
    return max(width - 1.5, 2)


def text_lines(value: str, room: float) -> int:
    """wrapped_lines of a non-empty text in a column of `room` (line_room)."""
    if 2 * len(value) <= room and "\n" not in value:
        return 1
    total = 0
    for paragraph in value.split("\n"):
        # a non-ASCII character takes two
        used = 2 * len(paragraph) - len(paragraph.encode("ascii", "ignore"))
        total += max(1, -(-used // room))
    return int(total)


def cell_range(first_col: int, first_row: int, last_col: int, last_row: int) -> CellRange:
    """CellRange(min_col=…, min_row=…, max_col=…, max_row=…) made without running each bound
    through openpyxl's validating descriptors (they keep the value in the instance's __dict__,
    where this puts it): a large sheet merges its tasks' cells tens of thousands of times."""
    if not (0 < first_col <= last_col <= 18278 and 0 < first_row <= last_row <= 1048576):
        raise ValueError(f"not a cell range: {first_col}, {first_row}, {last_col}, {last_row}")
    made = _new(CellRange)
    bounds = made.__dict__  # filled one key at a time, in __init__'s order: it stays a key-sharing dict
    bounds["min_col"], bounds["min_row"] = first_col, first_row
    bounds["max_col"], bounds["max_row"] = last_col, last_row
    bounds["title"] = None
    return made


_new = object.__new__
_ROW_HEIGHTS: dict = {}


def row_height(height: float) -> dict:
    """The attributes of a row `height` points high, as openpyxl's row dimension gives them
    to its writer (ht, customHeight), made once per height: a write-only sheet merges a row's
    dimension into its <row> element as it writes the row, so a row of a large sheet costs
    no RowDimension object of its own."""
    found = _ROW_HEIGHTS.get(height)
    if found is None:
        found = dict(RowDimension(None, index=1, ht=height))
        if len(_ROW_HEIGHTS) < 1000:  # row heights are whole lines: a few dozen
            _ROW_HEIGHTS[height] = found
    return found


# --- one sheet --------------------------------------------------------------------------------
class RowSheet:
    """A worksheet written row by row: merged ranges added directly (ours never overlap),
    each row's height dropped once written so memory stays flat, and wide rows whose text
    spans the first `width` columns (with extra cells after them, such as a hidden key)."""

    sheet: object
    width: int
    row: int = 0

    def _merge(self, first_col, first_row, last_col, last_row):
        self.sheet.merged_cells.ranges.add(cell_range(first_col, first_row, last_col, last_row))

    def _append(self, cells, height=None):
        """Write the next row; its height is given to openpyxl for that row alone (row_height),
        so memory stays flat."""
        self.row += 1
        if height:
            dimensions = self.sheet.row_dimensions
            dimensions[self.row] = row_height(min(height, MAX_ROW_HEIGHT))
            self.sheet.append(cells)
            del dimensions[self.row]
        else:
            self.sheet.append(cells)

    def _merge_headers(self, groups: list[str]):
        """Over the two header rows: a group's name across its columns, an ungrouped header
        down both rows."""
        index = 0
        while index < self.width:
            group, end = groups[index], index
            while group and end + 1 < self.width and groups[end + 1] == group:
                end += 1
            if group:
                self._merge(index + 1, layout.GROUP_ROW, end + 1, layout.GROUP_ROW)
            else:
                self._merge(index + 1, layout.GROUP_ROW, index + 1, layout.HEADER_ROW)
            index = end + 1

    def _wide_row(self, text: str, style: str, *extra, height=None):
        """A row whose text spans every visible column; `extra` cells follow them."""
        cells = [cell(self.sheet, text, style)]
        cells += [cell(self.sheet, None, style) for _ in range(self.width - 1)]
        self._append([*cells, *extra], height)
        self._merge(1, self.row, self.width, self.row)
