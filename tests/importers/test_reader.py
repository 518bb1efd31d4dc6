"""Reading .txt and .docx files into lines; refusals for what cannot be read."""
import docx
import pytest

from plans.importers.reader import read_document
from plans.importers.types import ImportRefused


def test_utf8_text(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("一、主要任务\n责任单位：市环保局。\n", encoding="utf-8")
    assert read_document(path) == (["一、主要任务", "责任单位：市环保局。"], "txt")


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("\ufeff一、主要任务\n".encode("utf-8"))
    assert read_document(path) == (["一、主要任务"], "txt")


def test_gb18030_text(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("一、主要任务\r\n责任单位：市环保局。\r\n".encode("gb18030"))
    assert read_document(path) == (["一、主要任务", "责任单位：市环保局。"], "txt")


def test_text_that_is_neither_utf8_nor_gb18030_is_refused(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(b"\x81\x30\x81\xff\xfe\xfe\x80")
    with pytest.raises(ImportRefused, match="不是UTF-8或GB18030编码的文本"):
        read_document(path)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(b"")
    with pytest.raises(ImportRefused, match="文件为空"):
        read_document(path)


def test_whitespace_only_file_is_refused(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(" \n\u3000\n\t\n", encoding="utf-8")
    with pytest.raises(ImportRefused, match="文件为空"):
        read_document(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(ImportRefused, match="找不到文件"):
        read_document(tmp_path / "none.txt")


def test_directory_is_refused(tmp_path):
    folder = tmp_path / "plan.txt"
    folder.mkdir()
    with pytest.raises(ImportRefused, match="文件夹"):
        read_document(folder)


def test_unsupported_extension_is_refused(tmp_path):
    path = tmp_path / "plan.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(ImportRefused, match="不支持的文件类型"):
        read_document(path)


def test_docx_paragraphs_and_table_rows_in_order(tmp_path):
    document = docx.Document()
    document.add_paragraph("鹤壁市蓝天工程实施方案")
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["序号", "重点任务", "牵头单位"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "推广清洁能源", "市发改委"]):
        cell.text = text
    document.add_paragraph("附件")
    path = tmp_path / "plan.docx"
    document.save(path)
    assert read_document(path) == (
        ["鹤壁市蓝天工程实施方案", "序号\t重点任务\t牵头单位", "1\t推广清洁能源\t市发改委", "附件"],
        "docx",
    )


def test_docx_merged_cell_appears_once(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.rows[0].cells[0].merge(table.rows[0].cells[2])
    merged.text = "一、燃煤烟气治理"
    path = tmp_path / "plan.docx"
    document.save(path)
    assert read_document(path)[0] == ["一、燃煤烟气治理"]


def test_corrupt_docx_is_refused(tmp_path):
    path = tmp_path / "plan.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ImportRefused, match="文件可能已损坏"):
        read_document(path)


def test_table_cell_with_one_unit_per_line_keeps_the_units_apart(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "推动企业上云\n用平台"
    table.rows[0].cells[1].text = "市工信局\n市大数据局"
    path = tmp_path / "plan.docx"
    document.save(path)
    assert read_document(path) == (["推动企业上云用平台\t市工信局、市大数据局"], "docx")
