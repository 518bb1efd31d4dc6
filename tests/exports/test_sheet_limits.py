"""A returned sheet is bounded by its content, not only its file size (rows, cells, shared
strings and text read; plans/exports/xlsx_reader.py), and a malformed cell is refused
naming its sheet, row and column: UploadRefused, never another exception. The files are
real exports with the XML inside edited, as a hostile or broken writer would leave them."""
import io
import re
import zipfile

import pytest

from plans import services
from plans.exports import xlsx_reader
from plans.exports.upload import UploadRefused
from plans.models import SheetImport
from tests.exports.conftest import filled, key_of, unit_bytes

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def edited(data: bytes, member: str, edit) -> bytes:
    """The workbook with one part's XML passed through `edit` (text → text)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = edit(content.decode("utf-8")).encode("utf-8")
            target.writestr(info.filename, content)
    return out.getvalue()


def refusal(world, data: bytes, user="official_B") -> str:
    with pytest.raises(UploadRefused) as refused:
        services.sheet_upload(user=world.users[user], period=world.period, file_name="填报.xlsx", data=data)
    assert not SheetImport.objects.exists()  # nothing kept
    return str(refused.value)


def task_row(xml: str, number: int = 7) -> tuple[int, int]:
    """Where row `number` of the sheet XML starts and ends."""
    start = xml.index(f'<row r="{number}"')
    return start, xml.index("</row>", start) + len("</row>")


def replace_cell(xml: str, reference: str, cell: str) -> str:
    """Row 7 (T2's row in B's sheet) with the cell at `reference` replaced by `cell`."""
    start, end = task_row(xml)
    row = re.sub(rf'<c r="{reference}"[^>]*?(/>|>.*?</c>)', cell, xml[start:end], count=1)
    assert row != xml[start:end]
    return xml[:start] + row + xml[end:]


# --- malformed cells -------------------------------------------------------------------------
MALFORMED = {
    "bad reference": ("A7", '<c r="ZZZ0" t="n"><v>1</v></c>', "A", "单元格引用“ZZZ0”无效"),
    "text in a number cell": ("M7", '<c r="M7" t="n"><v>abc</v></c>', "M", "数字单元格中是“abc”"),
    "shared string out of range": ("I7", '<c r="I7" t="s"><v>999999</v></c>', "I", "共享字符串编号 999999 不存在"),
    "bad date": ("G7", '<c r="G7" t="d"><v>notadate</v></c>', "G", "日期“notadate”无效"),
    "bad boolean": ("M7", '<c r="M7" t="b"><v>7</v></c>', "M", "逻辑值应为0或1"),
    "unknown style": ("I7", '<c r="I7" s="9999" t="inlineStr"><is><t>x</t></is></c>', "I", "样式编号“9999”不存在"),
    "unknown type": ("I7", '<c r="I7" t="zz"><v>1</v></c>', "I", "单元格类型“zz”无效"),
}


@pytest.mark.parametrize("case", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_cell_is_refused_naming_sheet_row_and_column(sheet_world, case):
    w = sheet_world
    reference, cell, column, why = case
    data = edited(unit_bytes(w, "B"), SHEET, lambda xml: replace_cell(xml, reference, cell))

    message = refusal(w, data)

    assert f"工作表“{w.units['B']}”第7行{column}列" in message
    assert why in message


def test_a_row_number_going_backwards_is_refused_naming_the_sheet(sheet_world):
    w = sheet_world
    data = edited(unit_bytes(w, "B"), SHEET, lambda xml: xml.replace('<row r="8"', '<row r="3"', 1))

    assert "行号“3”无效" in refusal(w, data)


def test_an_entity_declaration_in_a_sheet_is_refused_as_corrupt(sheet_world):
    w = sheet_world
    declarations = '<!DOCTYPE worksheet [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = edited(unit_bytes(w, "B"), SHEET, lambda xml: declarations + xml)

    assert "文件已损坏" in refusal(w, data)


def test_a_damaged_part_is_refused_as_corrupt(sheet_world):
    w = sheet_world
    data = bytearray(unit_bytes(w, "B"))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200  # inside the deflated sheet
    data[start:start + 50] = bytes(byte ^ 0x5A for byte in data[start:start + 50])

    assert "文件已损坏" in refusal(w, bytes(data))


# --- limits ----------------------------------------------------------------------------------
def _more_rows(count: int, first: int = 1000):
    rows = "".join(f'<row r="{number}"><c r="A{number}" t="n"><v>{number}</v></c></row>' for number in range(first, first + count))
    return lambda xml: xml.replace("</sheetData>", rows + "</sheetData>")


def test_rows_past_the_limit_stop_the_reading_with_a_message_naming_the_limit(sheet_world, monkeypatch):
    w = sheet_world
    monkeypatch.setattr(xlsx_reader, "MAX_ROWS", 40)
    data = edited(unit_bytes(w, "B"), SHEET, _more_rows(60))

    message = refusal(w, data)

    assert "最多读取 40 行" in message
    assert 1000 < int(re.search(r"第([0-9]+)行时已超出", message)[1]) < 1040  # stopped inside the added rows


def test_a_sheet_declaring_more_rows_than_the_limit_is_refused_before_its_rows_are_read(sheet_world):
    w = sheet_world  # a malformed cell in row 7 would refuse the file if any row were read
    data = edited(
        unit_bytes(w, "B"), SHEET,
        lambda xml: replace_cell(xml, "M7", '<c r="M7" t="n"><v>abc</v></c>').replace("</sheetPr>", '</sheetPr><dimension ref="A1:O500000"/>', 1),
    )

    message = refusal(w, data)

    assert "有 500,000 行，超过上限" in message and f"{xlsx_reader.MAX_ROWS:,}" in message


def test_cells_past_the_limit_stop_the_reading(sheet_world, monkeypatch):
    w = sheet_world
    monkeypatch.setattr(xlsx_reader, "MAX_CELLS", 50)

    assert "最多读取 50 个单元格" in refusal(w, unit_bytes(w, "B"))


def shared(data: bytes) -> bytes:
    """The workbook with its inline strings moved into a shared-string table, as Excel and
    WPS write them (openpyxl writes inline strings)."""
    strings: list[str] = []

    def to_shared(match) -> str:
        strings.append(match[2])
        return f'{match[1]}t="s"><v>{len(strings) - 1}</v></c>'

    data = edited(data, SHEET, lambda xml: re.sub(r'(<c [^>]*?)t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', to_shared, xml))
    table = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">' + "".join(f"<si><t>{text}</t></si>" for text in strings) + "</sst>"
    )
    relationship = (
        '<Relationship Id="rIdStrings" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    data = edited(data, "xl/_rels/workbook.xml.rels", lambda xml: xml.replace("</Relationships>", relationship))
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(STRINGS, table)
    return out.getvalue()


def _with_strings(world) -> bytes:
    """B's sheet filled in, with a shared-string table; it reads as the inline one did."""
    key = key_of(world, world.t2, "B")
    data = shared(filled(unit_bytes(world, "B"), {(key, "本期进展情况"): "已淘汰黄标车1200辆。", (key, "存在问题"): "资金不足"}))
    sheet_import = services.sheet_upload(user=world.users["official_B"], period=world.period, file_name="填报.xlsx", data=data)
    assert (sheet_import.problems, sheet_import.changes[0]["fields"]["problems"]) == ([], ["", "资金不足"])
    SheetImport.objects.all().delete()
    return data


def test_a_shared_string_table_declaring_more_entries_than_the_limit_is_refused_before_it_is_read(sheet_world):
    w = sheet_world
    data = edited(_with_strings(w), STRINGS, lambda xml: re.sub(r'uniqueCount="[0-9]+"', 'uniqueCount="10000000"', xml))

    message = refusal(w, data)

    assert "有 10,000,000 条" in message and f"最多 {xlsx_reader.MAX_SHARED_STRINGS:,} 条" in message


def test_shared_strings_past_the_limit_stop_the_reading_when_the_count_is_not_declared(sheet_world, monkeypatch):
    w = sheet_world
    data = edited(_with_strings(w), STRINGS, lambda xml: re.sub(r' (unique)?[cC]ount="[0-9]+"', "", xml))
    monkeypatch.setattr(xlsx_reader, "MAX_SHARED_STRINGS", 5)

    assert "最多 5 条" in refusal(w, data)


def test_text_past_the_limit_stops_the_reading(sheet_world, monkeypatch):
    w = sheet_world
    monkeypatch.setattr(xlsx_reader, "MAX_TEXT_BYTES", 3000)
    key = key_of(w, w.t2, "B")
    data = filled(unit_bytes(w, "B"), {(key, "本期进展情况"): "长" * 1200})  # 3,600 bytes of UTF-8

    assert "文字总量超过上限" in refusal(w, data)
    assert "文字总量超过上限" in refusal(w, shared(data))  # the table's size alone refuses it


def test_a_sheet_within_the_limits_reads_as_before(sheet_world):
    w = sheet_world
    key = key_of(w, w.t2, "B")
    data = filled(unit_bytes(w, "B"), {(key, "本期进展情况"): "已淘汰黄标车1200辆。", (key, "进度(%)"): 60})

    sheet_import = services.sheet_upload(user=w.users["official_B"], period=w.period, file_name="填报.xlsx", data=data)

    assert sheet_import.problems == []
    assert sheet_import.changes[0]["fields"] == {"progress": ["", "已淘汰黄标车1200辆。"], "percent": [None, 60]}
