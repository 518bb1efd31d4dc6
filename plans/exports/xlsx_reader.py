"""A bounded, streaming reader of the .xlsx parts a returned sheet needs: the sheet list,
the cell styles' number formats, the shared strings and each sheet's rows.

openpyxl reads the whole shared-string table before the first row and turns a malformed
cell into an exception that names no cell; a 5 MB upload of a million rows or ten million
shared strings held a worker for a minute at 2 GB. Here every part is parsed as a stream
(lxml.iterparse, elements dropped once read) against one `Budget` of rows, cells and text
bytes for the whole workbook, checked first from what the parts declare (the shared-string
part's size and count, each sheet's <dimension>) and then as they are read, so reading stops
at the limit. A cell that is not what a spreadsheet writes (a bad reference, text in a
number cell, a shared-string index out of range, a bad date or boolean) is refused naming
its sheet, row and column. Every refusal is an UploadRefused (the sentence for the user).
No DTD is accepted and no entity is ever expanded.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from io import BytesIO

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from plans.exports.upload import MIB, UploadRefused, check_workbook_bytes, corrupt_message

MAX_ROWS = 100_000  # rows read, every sheet together
MAX_CELLS = 2_000_000  # cells read, every sheet together
MAX_SHARED_STRINGS = 500_000  # entries of the shared-string table
MAX_TEXT_BYTES = 32 * MIB  # text read (UTF-8), and the shared-string part's size
PROGRESS_ROWS = 500  # rows between two calls of the reader's `progress`

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_ROW, _CELL, _VALUE, _FORMULA, _INLINE = f"{MAIN}row", f"{MAIN}c", f"{MAIN}v", f"{MAIN}f", f"{MAIN}is"
_SI, _T, _RUN, _PHONETIC = f"{MAIN}si", f"{MAIN}t", f"{MAIN}r", f"{MAIN}rPh"
_REFERENCE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INDEX = re.compile(r"[0-9]{1,10}")
MAX_ROW_NUMBER, MAX_COLUMN_NUMBER = 1_048_576, 16_384  # Excel's grid


@dataclass(frozen=True, slots=True)
class SheetCell:
    """What returned.py reads of a cell (the attributes of an openpyxl cell it used)."""

    value: object = None
    data_type: str = "n"  # s, n, b, d, e, or f for a formula (value is then "=…")
    number_format: str = "General"


EMPTY = SheetCell()


class Budget:
    """Rows, cells and text bytes read so far, for the whole workbook; refuses past a limit.
    `progress(done, total)`, when given, hears every PROGRESS_ROWS rows how many were read of
    the rows the sheets declare (`total`, 0 when none declares its size)."""

    def __init__(self, progress=None):
        self.rows = self.cells = self.text = 0
        self.progress, self.total = progress, 0

    def row(self, sheet: str, number: int) -> None:
        self.rows += 1
        if self.progress is not None and self.rows % PROGRESS_ROWS == 0:
            self.progress(min(self.rows, self.total), self.total)
        if self.rows > MAX_ROWS:
            raise UploadRefused(
                f"表格行数超过上限：全部工作表合计最多读取 {MAX_ROWS:,} 行，读到工作表“{sheet}”第{number}行时已超出，"
                f"请删去多余的行或分成几个文件上传 (more than {MAX_ROWS:,} rows, the limit)"
            )

    def cell(self, sheet: str, number: int) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise UploadRefused(
                f"单元格数超过上限：全部工作表合计最多读取 {MAX_CELLS:,} 个单元格，"
                f"读到工作表“{sheet}”第{number}行时已超出，"
                f"请删去多余的内容或分成几个文件上传 (more than {MAX_CELLS:,} cells, the limit)"
            )

    def add_text(self, text: str) -> None:
        self.text += len(text.encode("utf-8")) if not text.isascii() else len(text)
        if self.text > MAX_TEXT_BYTES:
            raise _text_limit()


def _text_limit() -> UploadRefused:
    limit = f"{MAX_TEXT_BYTES / MIB:g}"
    return UploadRefused(
        f"文字总量超过上限（{limit} MB），请删去多余的内容或分成几个文件上传 "
        f"(the text in the workbook exceeds {limit} MB, the limit)"
    )


def _strings_limit(count: int) -> UploadRefused:
    return UploadRefused(
        f"工作簿中的文字条目（共享字符串）超过上限：有 {count:,} 条，最多 {MAX_SHARED_STRINGS:,} 条，"
        f"请删去多余的内容或分成几个文件上传 (more than {MAX_SHARED_STRINGS:,} shared strings, the limit)"
    )


def _cell_problem(sheet: str, row: int, column: str, why: str, english: str) -> UploadRefused:
    where = f"工作表“{sheet}”第{row}行" + (f"{column}列" if column else "")
    return UploadRefused(
        f"{where}：单元格内容无效（{why}），请在 Excel 中检查该单元格并重新保存后再上传 "
        f"(sheet {sheet}, row {row}{', column ' + column if column else ''}: {english})"
    )


def _parse(source, events=("end",), tag=None):
    """iterparse without entities, DTDs or the network; a DOCTYPE refuses the part, and so
    does a part that does not inflate (zipfile checks its CRC at the end)."""
    context = etree.iterparse(
        source, events=("start", *events) if "start" not in events else events, tag=tag,
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True,
    )
    checked = False
    try:
        for event, element in context:
            if not checked:
                checked = True
                if element.getroottree().docinfo.doctype:
                    raise UploadRefused(corrupt_message())
            if event in events:
                yield event, element
    except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        # bad XML, or a damaged part
        raise UploadRefused(corrupt_message()) from error


def _drop(element) -> None:
    """Free a parsed element and the siblings before it (iterparse keeps them otherwise)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class StreamSheet:
    """One worksheet, read row by row on demand (each call reads the part from its start)."""

    def __init__(self, book: StreamWorkbook, title: str, path: str):
        self.parent, self.title, self.path = book, title, path

    def declared_rows(self) -> int | None:
        """The last row its <dimension> declares, read from the part's head only."""
        with self.parent.archive.open(self.path) as source:
            for event, element in _parse(source, events=("start",)):
                if element.tag == f"{MAIN}dimension":
                    match = _REFERENCE.fullmatch((element.get("ref") or "").split(":")[-1].replace("$", ""))
                    return int(match[2]) if match else None
                if element.tag == f"{MAIN}sheetData":
                    return None
        return None

    def iter_rows(self, min_row: int = 1, max_row: int | None = None, max_col: int | None = None):
        """(row number, cells) for each row present in the part from `min_row` to `max_row`;
        cells a tuple by column up to the row's last cell (or `max_col`), empty ones EMPTY."""
        book, sheet = self.parent, self.title
        with book.archive.open(self.path) as source:
            number, cells, column = 0, {}, 0
            for event, element in _parse(source, events=("start", "end"), tag=(_ROW, _CELL)):
                if element.tag == _ROW:
                    if event == "start":
                        number = self._row_number(element, number)
                        if max_row is not None and number > max_row:
                            return
                        book.budget.row(sheet, number)
                        cells, column = {}, 0
                        continue
                    if number >= min_row and cells:
                        width = max(cells)
                        yield number, tuple(cells.get(index, EMPTY) for index in range(1, width + 1))
                    _drop(element)
                    continue
                if event != "end":
                    continue
                book.budget.cell(sheet, number)
                column = self._column(element, number, column)
                if number >= min_row and (max_col is None or column <= max_col):
                    cells[column] = book.cell_value(element, sheet, number, _column_letters(column))
                _drop(element)

    def _row_number(self, element, previous: int) -> int:
        value = element.get("r")
        if value is None:
            return previous + 1
        if not _INDEX.fullmatch(value) or not previous < int(value) <= MAX_ROW_NUMBER:
            raise _cell_problem(self.title, previous + 1, "", f"行号“{value}”无效", f"bad row number {value!r}")
        return int(value)

    def _column(self, element, row: int, previous: int) -> int:
        reference = element.get("r")
        if reference is None:
            column = previous + 1
        else:
            match = _REFERENCE.fullmatch(reference)
            column = _column_number(match[1]) if match else 0
            if not match or int(match[2]) != row or not previous < column <= MAX_COLUMN_NUMBER:
                raise _cell_problem(
                    self.title, row, _column_letters(previous + 1), f"单元格引用“{reference[:20]}”无效",
                    f"bad cell reference {reference[:20]!r}",
                )
        if column > MAX_COLUMN_NUMBER:
            raise _cell_problem(self.title, row, "", "列数超过 Excel 的上限", "beyond the last column")
        return column


class StreamWorkbook:
    """The workbook's sheets (`worksheets`, in workbook order) over a zip kept open until `close()`;
    `progress(done, total)` hears how many rows were read (Budget)."""

    def __init__(self, data: bytes, progress=None):
        self.budget = Budget(progress)
        self.archive = zipfile.ZipFile(BytesIO(data))
        self.names = {info.filename.lower(): info for info in self.archive.infolist()}
        self.strings: list[str] = []
        self.formats: list[str] = []
        self.date_styles: set[int] = set()  # styles whose number format shows a date
        self.epoch = CALENDAR_WINDOWS_1900
        try:
            self._open()
        except (KeyError, ValueError, zipfile.BadZipFile, EOFError, OSError) as error:
            self.close()
            raise UploadRefused(corrupt_message()) from error
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.archive.close()

    def _member(self, path: str) -> zipfile.ZipInfo | None:
        return self.names.get(path.lstrip("/").lower())

    def _open(self) -> None:
        workbook_path = "xl/workbook.xml"
        rels = self._relationships("xl/_rels/workbook.xml.rels")
        sheets = []
        with self.archive.open(self._member(workbook_path)) as source:
            for _event, element in _parse(source, tag=(f"{MAIN}sheet", f"{MAIN}workbookPr")):
                if element.tag == f"{MAIN}workbookPr":
                    if element.get("date1904") in ("1", "true"):
                        self.epoch = CALENDAR_MAC_1904
                    continue
                target = rels.get(element.get(RELATIONSHIP), ("", ""))
                if target[0].endswith("/worksheet") and self._member(target[1]) is not None:
                    sheets.append(StreamSheet(self, element.get("name") or "", self._member(target[1]).filename))
        self.worksheets = sheets
        for rel_type, path in rels.values():
            member = self._member(path)
            if member is None:
                continue
            if rel_type.endswith("/sharedStrings"):
                self._read_strings(member)
            elif rel_type.endswith("/styles"):
                self._read_styles(member)
        for sheet in sheets:  # a sheet declaring more rows than we read is refused before any row is read
            declared = sheet.declared_rows()
            self.budget.total += declared or 0
            if declared is not None and declared > MAX_ROWS:
                raise UploadRefused(
                    f"工作表“{sheet.title}”有 {declared:,} 行，超过上限（全部工作表合计最多 {MAX_ROWS:,} 行），"
                    f"请删去多余的行或分成几个文件上传 "
                    f"(the sheet declares {declared:,} rows; the limit is {MAX_ROWS:,})"
                )

    def _relationships(self, path: str) -> dict[str, tuple[str, str]]:
        """Id → (type, part path) of a .rels part, targets resolved against xl/."""
        member = self._member(path)
        if member is None:
            return {}
        found = {}
        with self.archive.open(member) as source:
            for _event, element in _parse(source, tag=PACKAGE_REL):
                target = element.get("Target") or ""
                if element.get("TargetMode") == "External":
                    continue
                resolved = (
                    target.lstrip("/") if target.startswith("/")
                    else posixpath.normpath(posixpath.join("xl", target))
                )
                found[element.get("Id")] = (element.get("Type") or "", resolved)
        return found

    def _read_strings(self, member: zipfile.ZipInfo) -> None:
        """The shared strings, refused by the part's size or declared count before reading,
        and by the count and text read while streaming."""
        if member.file_size > MAX_TEXT_BYTES:
            raise _text_limit()
        strings, budget = self.strings, self.budget
        with self.archive.open(member) as source:
            for event, element in _parse(source, events=("start", "end"), tag=(f"{MAIN}sst", _SI)):
                if element.tag != _SI:
                    declared = _count(element.get("uniqueCount"))  # entries; `count` counts the cells using them
                    if event == "start" and declared > MAX_SHARED_STRINGS:
                        raise _strings_limit(declared)
                    continue
                if event != "end":
                    continue
                if len(strings) >= MAX_SHARED_STRINGS:
                    raise _strings_limit(len(strings) + 1)
                text = _string_text(element)
                budget.add_text(text)
                strings.append(text)
                _drop(element)

    def _read_styles(self, member: zipfile.ZipInfo) -> None:
        """Each cell style's number format (cellXfs), so a date or percent cell reads as one."""
        custom, formats, in_cell_xfs = {}, [], False
        with self.archive.open(member) as source:
            for event, element in _parse(source, events=("start", "end")):
                tag = element.tag
                if tag == f"{MAIN}cellXfs":
                    in_cell_xfs = event == "start"
                elif event == "end" and tag == f"{MAIN}numFmt":
                    custom[_count(element.get("numFmtId"))] = element.get("formatCode") or "General"
                elif event == "start" and tag == f"{MAIN}xf" and in_cell_xfs:
                    identifier = _count(element.get("numFmtId"))
                    formats.append(custom.get(identifier) or BUILTIN_FORMATS.get(identifier, "General"))
                    if len(formats) > 65_000:  # Excel's limit of cell formats
                        raise UploadRefused(corrupt_message())
        self.formats = formats
        self.date_styles = {index for index, code in enumerate(formats) if is_date_format(code)}

    def cell_value(self, element, sheet: str, row: int, column: str) -> SheetCell:
        """A <c> element as a SheetCell; a value its type cannot hold refuses the workbook."""
        data_type = element.get("t", "n")
        style = element.get("s")
        number_format, style_index = "General", 0
        if style is not None:
            if not _INDEX.fullmatch(style) or int(style) >= max(len(self.formats), 1):
                raise _cell_problem(
                    sheet, row, column, f"样式编号“{style[:20]}”不存在", f"style {style[:20]!r} does not exist"
                )
            style_index = int(style)
            if self.formats:
                number_format = self.formats[style_index]
        formula = element.find(_FORMULA)
        if formula is not None:
            text = "=" + (formula.text or "")
            self.budget.add_text(text)
            return SheetCell(text, "f", number_format)
        if data_type == "inlineStr":
            inline = element.find(_INLINE)
            text = _string_text(inline) if inline is not None else ""
            self.budget.add_text(text)
            return SheetCell(text, "s", number_format)
        raw = element.findtext(_VALUE)
        if raw is None or raw == "":
            return SheetCell(None, "n", number_format)
        if data_type == "s":
            if not _INDEX.fullmatch(raw.strip()) or int(raw) >= len(self.strings):
                raise _cell_problem(
                    sheet, row, column, f"共享字符串编号 {raw[:20]} 不存在（共 {len(self.strings)} 条）",
                    f"shared string {raw[:20]} does not exist",
                )
            return SheetCell(self.strings[int(raw)], "s", number_format)
        if data_type in ("str", "e"):
            self.budget.add_text(raw)
            return SheetCell(raw, "s" if data_type == "str" else "e", number_format)
        if data_type == "b":
            if raw.strip() not in ("0", "1"):
                raise _cell_problem(
                    sheet, row, column, f"逻辑值应为0或1，表中为“{raw[:20]}”", f"boolean {raw[:20]!r} is not 0 or 1"
                )
            return SheetCell(raw.strip() == "1", "b", number_format)
        if data_type == "d":
            try:
                return SheetCell(from_ISO8601(raw.strip()), "d", number_format)
            except (ValueError, TypeError, OverflowError):
                raise _cell_problem(sheet, row, column, f"日期“{raw[:20]}”无效", f"bad date {raw[:20]!r}") from None
        if data_type != "n":
            raise _cell_problem(
                sheet, row, column, f"单元格类型“{data_type[:20]}”无效", f"unknown cell type {data_type[:20]!r}"
            )
        text = raw.strip()
        if not _NUMBER.fullmatch(text):
            raise _cell_problem(sheet, row, column, f"数字单元格中是“{raw[:20]}”", f"number cell holds {raw[:20]!r}")
        number = float(text) if any(char in text for char in ".eE") else int(text)
        if isinstance(number, float) and number in (float("inf"), float("-inf")):
            raise _cell_problem(sheet, row, column, f"数字“{raw[:20]}”超出范围", f"number {raw[:20]!r} out of range")
        if style_index in self.date_styles:
            try:
                return SheetCell(from_excel(number, self.epoch), "d", number_format)
            except (ValueError, OverflowError, TypeError):
                raise _cell_problem(
                    sheet, row, column, f"日期序号 {raw[:20]} 超出范围", f"date serial {raw[:20]!r} out of range"
                ) from None
        return SheetCell(number, "n", number_format)


def _count(value) -> int:
    return int(value) if value and _INDEX.fullmatch(value) else 0


def _string_text(element) -> str:
    """A <si> or <is>: its <t>, or its runs' <t> joined; phonetic runs (<rPh>) left out."""
    parts = []
    for child in element:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            parts.append(child.findtext(_T) or "")
    return "".join(parts)


def open_stream_workbook(data: bytes, *, max_bytes: int | None = None, progress=None) -> StreamWorkbook:
    """check_workbook_bytes (the zip directory), then the sheet list, styles and shared strings
    within the limits. Call `close()` when done. `progress(done, total)`, when given, hears
    the rows read as they are read (a job shows them to the person waiting)."""
    if max_bytes is None:
        check_workbook_bytes(data)
    else:
        check_workbook_bytes(data, max_bytes=max_bytes)
    return StreamWorkbook(data, progress)
