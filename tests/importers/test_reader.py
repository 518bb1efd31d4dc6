"""Reading .txt and .docx files into lines; refusals for what cannot be read."""
import codecs
import io
import random
import re
import signal
import time
import zipfile
from pathlib import Path

import docx
import pytest
from django.conf import settings

from plans.importers import reader
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


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_text_with_its_byte_order_mark(tmp_path, encoding):
    """Windows Notepad saves "Unicode" as UTF-16 with a byte-order mark."""
    path = tmp_path / "plan.txt"
    text = "一、主要任务\r\n责任单位：市环保局。\r\n"
    path.write_bytes((codecs.BOM_UTF16_BE + text.encode("utf-16-be")) if encoding == "utf-16-be" else text.encode("utf-16"))
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
    path = tmp_path / "plan.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ImportRefused, match="不支持的文件类型.*\\.doc、\\.wps.*\\.pdf"):
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


# --- bounds and hostile files: each is refused with a sentence, before anything is parsed -----
OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>"
)


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs or ("一、主要任务", "1.推广清洁能源。责任单位：市发改委。"):
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] = (), add: dict[str, bytes] = ()) -> bytes:
    """The package `data` with some members replaced and others added (deflated)."""
    replace, add = dict(replace), dict(add)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def with_doctype(xml: bytes, doctype: bytes) -> bytes:
    return doctype + xml.split(b"?>", 1)[1]


def document_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml")


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_file_over_the_size_limit_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "plan.txt"
    with path.open("wb") as handle:  # a sparse file stands for a large one without writing it
        handle.truncate(reader.MAX_DOCUMENT_BYTES + 1)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("a file over the limit was read"))
    with pytest.raises(ImportRefused, match="文件过大"):
        read_document(path)


def test_text_longer_than_the_character_bound_is_refused(tmp_path):
    line = "推进" * 500 + "\n"  # 1,001 characters a line
    path = write(tmp_path, "plan.txt", (line * (reader.MAX_TEXT_CHARS // len(line) + 1)).encode())
    assert path.stat().st_size < reader.MAX_DOCUMENT_BYTES
    with pytest.raises(ImportRefused, match="文本过长"):
        read_document(path)


def test_text_with_more_lines_than_the_bound_is_refused(tmp_path):
    path = write(tmp_path, "plan.txt", b"x\n" * (reader.MAX_TEXT_LINES + 1))
    with pytest.raises(ImportRefused, match="行数过多"):
        read_document(path)


def test_the_bounds_are_far_above_the_seed_plans():
    for seed in (Path(settings.BASE_DIR) / "seeds").glob("*.txt"):
        lines, _kind = read_document(seed)
        assert sum(map(len, lines)) * 20 < reader.MAX_TEXT_CHARS and len(lines) * 20 < reader.MAX_TEXT_LINES
        assert seed.stat().st_size * 100 < reader.MAX_DOCUMENT_BYTES


def never_parsed_by_python_docx(monkeypatch):
    monkeypatch.setattr(docx, "Document", lambda *args: pytest.fail("python-docx parsed a document over the bound"))


def test_docx_lines_are_bounded_before_python_docx_parses_the_document(tmp_path, monkeypatch):
    data = docx_bytes("一行")
    paragraph = b"<w:p><w:r><w:t>\xe4\xb8\x80\xe8\xa1\x8c</w:t></w:r></w:p>"  # 一行
    xml = document_xml(data).replace(paragraph, paragraph * (reader.MAX_TEXT_LINES + 1))
    assert xml.count(paragraph) == reader.MAX_TEXT_LINES + 1
    path = write(tmp_path, "plan.docx", rezip(data, replace={"word/document.xml": xml}))
    never_parsed_by_python_docx(monkeypatch)
    with pytest.raises(ImportRefused, match="行数过多"):
        read_document(path)


def test_docx_table_rows_count_as_lines_and_their_cell_paragraphs_do_not(tmp_path):
    """The bound is on the lines the reader makes: a 7,000-row table with 28,000 cell paragraphs passes."""
    cell = "<w:tc><w:p><w:r><w:t>市发改委</w:t></w:r></w:p></w:tc>"
    table = "<w:tbl>" + ("<w:tr>" + cell * 4 + "</w:tr>") * 7000 + "</w:tbl>"
    data = docx_bytes("一行")
    xml = document_xml(data).replace(b"<w:body>", b"<w:body>" + table.encode())
    lines, _kind = read_document(write(tmp_path, "plan.docx", rezip(data, replace={"word/document.xml": xml})))
    assert len(lines) == 7001 and lines[0] == "\t".join(["市发改委"] * 4)


def test_docx_characters_are_bounded_before_python_docx_parses_the_document(tmp_path, monkeypatch):
    rng = random.Random(13)  # varied text: compresses too little to count as a zip bomb
    text = "".join(rng.choices("推进落实加强完善建立健全市发改委环保局工信局财政局", k=reader.MAX_TEXT_CHARS + 1))
    data = docx_bytes("一行")
    xml = document_xml(data).replace("一行".encode(), text.encode())
    path = write(tmp_path, "plan.docx", rezip(data, replace={"word/document.xml": xml}))
    assert path.stat().st_size < reader.MAX_DOCUMENT_BYTES
    never_parsed_by_python_docx(monkeypatch)
    with pytest.raises(ImportRefused, match="文本过长"):
        read_document(path)


def test_docx_xml_elements_are_bounded_before_python_docx_parses_them(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_DOCX_ELEMENTS", 20_000)
    rng = random.Random(13)
    runs = b"".join(b'<w:r w:rsidR="%08X"/>' % rng.getrandbits(16) for _ in range(20_001))  # runs without text
    data = docx_bytes("一行")
    xml = document_xml(data).replace(b"<w:body>", b"<w:body><w:p>" + runs + b"</w:p>")
    path = write(tmp_path, "plan.docx", rezip(data, replace={"word/document.xml": xml}))
    never_parsed_by_python_docx(monkeypatch)
    with pytest.raises(ImportRefused, match="元素过多"):
        read_document(path)


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 64,  # every byte value, NULs included
    b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64,
    b"PK\x03\x04" + b"\x00" * 200,
    "一、主要任务\n".encode() + b"\x00\x01\x02\x03" * 100,
])
def test_binary_junk_named_txt_is_refused(tmp_path, data):
    with pytest.raises(ImportRefused, match="不是文本文件|不是UTF-8或GB18030"):
        read_document(write(tmp_path, "plan.txt", data))


def test_docx_entity_bomb_is_refused(tmp_path):
    data = docx_bytes()
    xml = with_doctype(document_xml(data), BILLION_LAUGHS).replace("推广清洁能源".encode(), b"&lol9;")
    with pytest.raises(ImportRefused, match="实体"):
        read_document(write(tmp_path, "plan.docx", rezip(data, replace={"word/document.xml": xml})))


@pytest.mark.parametrize("part", ["word/styles.xml", "[Content_Types].xml", "_rels/.rels"])
def test_docx_doctype_in_any_xml_part_is_refused(tmp_path, part):
    data = docx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(part)
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(ImportRefused, match="实体"):
        read_document(write(tmp_path, "plan.docx", rezip(data, replace={part: with_doctype(xml, doctype)})))


def test_docx_doctype_in_utf16_part_is_refused(tmp_path):
    data = docx_bytes()
    xml = with_doctype(document_xml(data), BILLION_LAUGHS).replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
    with pytest.raises(ImportRefused, match="实体"):
        read_document(write(tmp_path, "plan.docx", rezip(data, replace={"word/document.xml": xml.decode().encode("utf-16")})))


def test_docx_zip_bomb_by_ratio_is_refused_without_inflating(tmp_path, monkeypatch):
    data = rezip(docx_bytes(), add={"word/media/padding.bin": b"\x00" * (4 * 1024 * 1024)})
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *args: pytest.fail("a zip bomb was inflated"))
    with pytest.raises(ImportRefused, match="压缩炸弹"):
        read_document(write(tmp_path, "plan.docx", data))


def test_docx_zip_bomb_by_member_count_is_refused(tmp_path):
    data = rezip(docx_bytes(), add={f"word/media/{n}.xml": b"" for n in range(5001)})
    with pytest.raises(ImportRefused, match="压缩炸弹"):
        read_document(write(tmp_path, "plan.docx", data))


def test_docx_inflating_beyond_the_docx_bound_is_refused(tmp_path):
    block = bytes(random.Random(13).getrandbits(8) for _ in range(1024))  # repeats compress ~80:1, under the ratio limit
    filler = block * (reader.MAX_DOCX_INFLATED_BYTES // len(block) + 1)
    data = rezip(docx_bytes(), add={"word/media/filler.bin": filler})
    assert len(data) < reader.MAX_DOCUMENT_BYTES
    with pytest.raises(ImportRefused, match="压缩炸弹"):
        read_document(write(tmp_path, "plan.docx", data))


def test_docx_that_is_not_a_zip_is_refused(tmp_path):
    with pytest.raises(ImportRefused, match="文件可能已损坏"):
        read_document(write(tmp_path, "plan.docx", "一、主要任务\n".encode() * 50))


def test_zip_that_is_not_a_docx_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "一、主要任务")
    with pytest.raises(ImportRefused, match="不是 Word 文档"):
        read_document(write(tmp_path, "plan.docx", buffer.getvalue()))


def test_xlsx_named_docx_is_refused(tmp_path):
    import openpyxl

    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with pytest.raises(ImportRefused, match="不是 Word 文档"):
        read_document(write(tmp_path, "plan.docx", buffer.getvalue()))


def test_docx_with_malformed_xml_is_refused(tmp_path):
    data = docx_bytes()
    broken = document_xml(data)[:-40]
    with pytest.raises(ImportRefused, match="文件可能已损坏"):
        read_document(write(tmp_path, "plan.docx", rezip(data, replace={"word/document.xml": broken})))


def test_encrypted_docx_is_refused(tmp_path):
    data = OLE2_HEADER + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
    with pytest.raises(ImportRefused, match="密码"):
        read_document(write(tmp_path, "plan.docx", data))


def test_ole2_file_without_a_word_document_named_docx_is_refused(tmp_path, monkeypatch):
    data = OLE2_HEADER + "WordDocument".encode("utf-16-le") + b"\x00" * 64  # the name, but no directory holding it
    monkeypatch.setattr(reader.subprocess, "Popen", lambda *args, **kwargs: pytest.fail("LibreOffice was started"))
    with pytest.raises(ImportRefused, match="文件可能已损坏"):
        read_document(write(tmp_path, "plan.docx", data))


# --- old Word (.doc) and WPS (.wps) files, converted by LibreOffice ------------------------------
needs_office = pytest.mark.skipif(
    reader.find_office_program() is None, reason="LibreOffice (soffice) is not installed; `make test-programs` installs it"
)


def soffice_convert(source: Path, target_format: str) -> Path:
    """`source` converted by LibreOffice into `target_format` next to it (its own profile)."""
    import subprocess

    profile = source.parent / f"profile-{source.stem}"
    subprocess.run(
        [reader.find_office_program(), "--headless", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", target_format, "--outdir", str(source.parent), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    return source.with_suffix("." + target_format.split(":")[0])


@pytest.fixture(scope="module")
def plan_docx(tmp_path_factory) -> Path:
    """A plan as .docx: the Hebi seed, then a task table."""
    folder = tmp_path_factory.mktemp("old-word")
    document = docx.Document()
    for line in (Path(settings.BASE_DIR) / "seeds" / "hebi-2016-blue-sky-plan.txt").read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["序号", "重点任务", "牵头单位"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["1", "推广清洁能源", "市发改委\n市环保局"]):
        cell.text = text
    document.add_paragraph("附件")  # Word always ends a document with a paragraph, never a table
    document.save(folder / "plan.docx")
    return folder / "plan.docx"


@pytest.fixture(scope="module")
def old_word(plan_docx):
    """The plan as .docx and as LibreOffice's .doc of it (tests using it are skipped without LibreOffice)."""
    if reader.find_office_program() is None:
        pytest.skip("LibreOffice (soffice) is not installed; `make test-programs` installs it")
    return plan_docx, soffice_convert(plan_docx, "doc")


def read_lines(path) -> list[str]:
    return read_document(path)[0]


@needs_office
def test_a_doc_file_is_converted_and_reads_as_the_docx_it_was_made_from(old_word):
    docx_path, doc_path = old_word
    assert doc_path.read_bytes().startswith(reader.OLE2_MAGIC)
    lines, kind = read_document(doc_path)
    assert kind == "doc"
    assert lines == read_lines(docx_path)
    assert "1\t推广清洁能源\t市发改委、市环保局" in lines and len(lines) > 150


@needs_office
def test_a_wps_file_in_word_format_is_converted(old_word, tmp_path):
    """LibreOffice writes no .wps; WPS Office's .wps files are Word 97-2003 files under that name."""
    docx_path, doc_path = old_word
    wps = write(tmp_path, "方案.wps", doc_path.read_bytes())
    assert read_document(wps) == (read_lines(docx_path), "wps")


@needs_office
def test_a_doc_file_named_docx_is_converted_too(old_word, tmp_path):
    docx_path, doc_path = old_word
    assert read_document(write(tmp_path, "plan.docx", doc_path.read_bytes())) == (read_lines(docx_path), "doc")


def test_a_docx_file_named_doc_is_read_as_a_docx_without_libreoffice(plan_docx, tmp_path, monkeypatch):
    docx_path = plan_docx
    monkeypatch.setattr(reader.subprocess, "Popen", lambda *args, **kwargs: pytest.fail("LibreOffice was started"))
    assert read_document(write(tmp_path, "plan.doc", docx_path.read_bytes())) == (read_lines(docx_path), "docx")


@needs_office
def test_two_conversions_at_once_do_not_collide(old_word):
    from concurrent.futures import ThreadPoolExecutor

    docx_path, doc_path = old_word
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(read_lines, [doc_path, doc_path]))
    assert results == [read_lines(docx_path)] * 2


@needs_office
def test_the_converted_docx_passes_the_same_bounds_before_python_docx_parses_it(old_word, monkeypatch):
    _docx_path, doc_path = old_word
    monkeypatch.setattr(reader, "MAX_TEXT_LINES", 100)
    never_parsed_by_python_docx(monkeypatch)
    with pytest.raises(ImportRefused, match="行数过多"):
        read_document(doc_path)


def test_a_doc_over_the_size_limit_is_refused_before_any_conversion(tmp_path, monkeypatch):
    path = tmp_path / "plan.doc"
    with path.open("wb") as handle:
        handle.truncate(reader.MAX_DOCUMENT_BYTES + 1)
    monkeypatch.setattr(reader.subprocess, "Popen", lambda *args, **kwargs: pytest.fail("LibreOffice was started"))
    with pytest.raises(ImportRefused, match="文件过大"):
        read_document(path)


def test_without_libreoffice_a_doc_is_refused_with_what_to_do(old_word, tmp_path, monkeypatch):
    _docx_path, doc_path = old_word
    monkeypatch.setattr(reader.shutil, "which", lambda name: None)
    for name in ("plan.doc", "plan.wps"):
        with pytest.raises(ImportRefused, match="服务器未安装LibreOffice.*另存为.docx后导入"):
            read_document(write(tmp_path, name, doc_path.read_bytes()))


def encrypted(doc: bytes) -> bytes:
    """`doc` with FibBase.fEncrypted set, as Word marks a .doc saved with an open password: the
    FIB is the WordDocument stream's start, a sector (512-byte) boundary, beginning 0xA5EC."""
    data = bytearray(doc)
    fib = next(at for at in range(512, len(data), 512) if data[at:at + 2] == b"\xec\xa5")
    data[fib + 0x0B] |= 0x01  # bit 8 of the flags at offset 0x0A
    return bytes(data)


@pytest.mark.parametrize("name", ["plan.doc", "plan.wps", "plan.docx"])
def test_a_password_protected_doc_is_refused_before_any_conversion(old_word, tmp_path, monkeypatch, name):
    _docx_path, doc_path = old_word
    monkeypatch.setattr(reader.subprocess, "Popen", lambda *args, **kwargs: pytest.fail("LibreOffice was started"))
    with pytest.raises(ImportRefused, match="打开密码"):
        read_document(write(tmp_path, name, encrypted(doc_path.read_bytes())))


@needs_office
@pytest.mark.parametrize("data", [
    OLE2_HEADER + bytes(random.Random(13).getrandbits(8) for _ in range(20_000)),  # an OLE2 header, then noise
    b"{\\rtf1 \x00\x01 not really" + bytes(range(256)) * 8,
])
def test_a_damaged_doc_is_refused_when_libreoffice_cannot_convert_it(tmp_path, data):
    with pytest.raises(ImportRefused, match="LibreOffice无法转换此.doc文件.*另存为.docx后导入"):
        read_document(write(tmp_path, "plan.doc", data))


@needs_office
def test_a_conversion_over_the_time_limit_is_stopped_and_refused(old_word, tmp_path, monkeypatch):
    _docx_path, doc_path = old_word
    monkeypatch.setattr(reader, "CONVERSION_TIMEOUT_SECONDS", 0.2)  # LibreOffice takes over a second to start
    started = []
    real_popen = reader.subprocess.Popen
    monkeypatch.setattr(reader.subprocess, "Popen", lambda *args, **kwargs: started.append(real_popen(*args, **kwargs)) or started[-1])
    with pytest.raises(ImportRefused, match="转换.doc文件超时"):
        read_document(doc_path)
    assert started[0].returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while group_alive(started[0].pid) and time.monotonic() < deadline:  # killed; init reaps what it had started
        time.sleep(0.05)
    assert not group_alive(started[0].pid)


def group_alive(group: int) -> bool:
    """Whether a process of the group is still running (a zombie waiting for init is not)."""
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


def test_a_saved_web_page_is_read_a_line_per_block_without_scripts_or_navigation(tmp_path):
    path = tmp_path / "plan.html"
    path.write_text(
        "<html><head><title>实施意见</title><script>var x = '责任单位：假';</script></head><body>"
        "<nav>首页 | 政务公开</nav><h1>关于推进人才集聚工程的实施意见</h1>"
        "<p>一、总体目标</p><p>1.目标。大力实施人才行动计划。（牵头单位：市委组织部）</p>"
        "<table><tr><td>序号</td><td>任务</td><td>牵头单位</td></tr><tr><td>1</td><td>建设人才港</td><td>市人社局</td></tr></table>"
        "<footer>版权所有</footer></body></html>",
        encoding="utf-8",
    )
    lines, kind = read_document(path)
    assert kind == "html"
    assert lines == [
        "实施意见", "关于推进人才集聚工程的实施意见", "一、总体目标", "1.目标。大力实施人才行动计划。（牵头单位：市委组织部）",
        "序号 | 任务 | 牵头单位", "1 | 建设人才港 | 市人社局",
    ]


# --- PDF -----------------------------------------------------------------------------------------
def pdf_of(text: str, path: Path, *, password: str | None = None, width: float = 460) -> Path:
    """A PDF with the text set in a CJK font (reportlab's built-in STSong-Light), each
    paragraph filled line by line up to `width` points and a "— N —" footer on each page,
    as offices' PDFs are."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    sheet = canvas.Canvas(str(path), pagesize=A4, encrypt=password)
    y = 800
    for line in text.splitlines():
        while line:
            cut = 1
            while cut < len(line) and pdfmetrics.stringWidth(line[: cut + 1], "STSong-Light", 12) <= width:
                cut += 1
            chunk, line = line[:cut], line[cut:]
            sheet.setFont("STSong-Light", 12)
            sheet.drawString(50, y, chunk)
            y -= 18
            if y < 60:
                sheet.drawString(280, 30, f"— {sheet.getPageNumber()} —")
                sheet.showPage()
                y = 800
        y -= 4
    sheet.save()
    return path


@pytest.mark.parametrize("seed", ["hebi-2016-blue-sky-plan.txt", "fujian-2024-export-industries-plan.txt"])
def test_the_same_plan_from_txt_docx_and_pdf_gives_the_same_tasks_and_units(tmp_path, seed):
    from plans.importers import parse_document

    text = (Path(settings.BASE_DIR) / "seeds" / seed).read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(tmp_path / "plan.docx")
    (tmp_path / "plan.txt").write_text(text, encoding="utf-8")
    pdf_of(text, tmp_path / "plan.pdf")

    def tasks(name):
        plan = parse_document(tmp_path / name)
        return [(task.path, task.responsible, task.supporting, task.implementing) for task in plan.tasks]

    from_txt = tasks("plan.txt")
    assert len(from_txt) > 20
    assert tasks("plan.docx") == from_txt
    assert tasks("plan.pdf") == from_txt


def test_a_password_protected_pdf_is_refused_with_a_sentence(tmp_path):
    path = pdf_of("一、主要任务\n责任单位：市环保局。", tmp_path / "plan.pdf", password="secret")
    with pytest.raises(reader.ImportRefused, match="密码"):
        read_document(path)


def test_a_pdf_without_a_text_layer_is_refused_as_a_likely_scan(tmp_path):
    path = pdf_of("", tmp_path / "scan.pdf")
    with pytest.raises(reader.ImportRefused, match="扫描件"):
        read_document(path)


@pytest.mark.parametrize("data", [b"not a pdf at all", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF garbage"])
def test_a_damaged_pdf_is_refused_with_a_sentence(tmp_path, data):
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    with pytest.raises(reader.ImportRefused, match="PDF"):
        read_document(path)



# --- Word list numbering: the labels Word shows, which python-docx's text leaves out -------------
W_NAMESPACE = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def add_list(document, levels, *, restart_never=(), start=1) -> int:
    """A list definition (w:abstractNum) with `levels` [(numFmt, lvlText), …] in the document's
    numbering part and a list instance (w:num) of it; returns the instance's numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    numbering = document.part.numbering_part.element
    key = max((int(a.get(qn("w:abstractNumId"))) for a in numbering.iterchildren(qn("w:abstractNum"))), default=-1) + 1
    definition = parse_xml(
        f'<w:abstractNum {W_NAMESPACE} w:abstractNumId="{key}"><w:multiLevelType w:val="multilevel"/>'
        + "".join(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="{start}"/><w:numFmt w:val="{number_format}"/>'
            + ('<w:lvlRestart w:val="0"/>' if level in restart_never else "")
            + f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
            for level, (number_format, text) in enumerate(levels)
        )
        + "</w:abstractNum>"
    )
    first_instance = numbering.find(qn("w:num"))
    if first_instance is None:
        numbering.append(definition)
    else:
        first_instance.addprevious(definition)  # the schema wants every abstractNum before the nums
    return numbering.add_num(key).numId


def another_instance(document, num_id: int, *, restart_level: int | None = None) -> int:
    """A second list instance of the same definition as `num_id`, restarting a level if asked."""
    numbering = document.part.numbering_part.element
    instance = numbering.add_num(numbering.num_having_numId(num_id).abstractNumId.val)
    if restart_level is not None:
        instance.add_lvlOverride(ilvl=restart_level).add_startOverride(1)
    return instance.numId


def add_numbered(document, num_id: int, level: int, text: str):
    paragraph = document.add_paragraph(text)
    numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numbering.get_or_add_ilvl().val = level
    numbering.get_or_add_numId().val = num_id
    return paragraph


PLAN_LEVELS = [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3."), ("decimal", "（%4）")]


def saved(document, tmp_path, name="plan.docx") -> Path:
    document.save(tmp_path / name)
    return tmp_path / name


def test_word_list_numbering_gives_each_paragraph_its_label_counted_as_word_counts(tmp_path):
    document = docx.Document()
    document.add_paragraph("鹤壁市蓝天工程实施方案")
    plan = add_list(document, PLAN_LEVELS)
    for level, text in [
        (0, "总体要求"), (1, "加快清洁能源替代"), (2, "推广天然气。责任单位：市发改委"), (3, "城区"), (3, "县区"),
        (2, "发展光伏。责任单位：市发改委"), (1, "治理工业废气"), (2, "完成超低排放改造。责任单位：市环保局"),
        (0, "保障措施"), (1, "加强组织领导"),
    ]:
        add_numbered(document, plan, level, text)
    document.add_paragraph("附件")
    assert read_lines(saved(document, tmp_path)) == [
        "鹤壁市蓝天工程实施方案",
        "一、总体要求", "（一）加快清洁能源替代", "1.推广天然气。责任单位：市发改委", "（1）城区", "（2）县区",
        "2.发展光伏。责任单位：市发改委", "（二）治理工业废气", "1.完成超低排放改造。责任单位：市环保局",
        "二、保障措施", "（一）加强组织领导",
        "附件",
    ]


@pytest.mark.parametrize("number_format, template, expected", [
    ("decimalEnclosedCircleChinese", "%1", ["①甲", "②乙", "③丙"]),
    ("decimalEnclosedCircle", "%1", ["①甲", "②乙", "③丙"]),
    ("ideographTraditional", "%1、", ["甲、甲", "乙、乙", "丙、丙"]),
    ("chineseCountingThousand", "第%1条", ["第一条 甲", "第二条 乙", "第三条 丙"]),  # a label ending in a word: a space
    ("chineseLegalSimplified", "%1、", ["壹、甲", "贰、乙", "叁、丙"]),
    ("decimal", "%1）", ["1）甲", "2）乙", "3）丙"]),
    ("decimalEnclosedParen", "%1", ["⑴甲", "⑵乙", "⑶丙"]),
    ("upperRoman", "%1.", ["I.甲", "II.乙", "III.丙"]),
    ("lowerLetter", "%1)", ["a)甲", "b)乙", "c)丙"]),
    ("bullet", "\uf06c", ["甲", "乙", "丙"]),  # a bullet is no label
])
def test_list_number_formats(tmp_path, number_format, template, expected):
    document = docx.Document()
    items = add_list(document, [(number_format, template)])
    for text in "甲乙丙":
        add_numbered(document, items, 0, text)
    assert read_lines(saved(document, tmp_path)) == expected


@pytest.mark.parametrize("number, chinese", [
    (1, "一"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"), (99, "九十九"),
    (100, "一百"), (101, "一百零一"), (110, "一百一十"), (1001, "一千零一"), (1010, "一千零一十"), (10_000, "一万"),
])
def test_chinese_counting(number, chinese):
    assert reader.format_list_number(number, "chineseCounting") == chinese


def test_a_nested_list_level_restarts_under_each_higher_item_unless_told_not_to(tmp_path):
    """Word restarts （一） under each 一、; a level with w:lvlRestart 0 counts on through the
    document, as the Fujian plan numbers its measures （一）…（十九） across its parts."""
    document = docx.Document()
    plan = add_list(document, PLAN_LEVELS, restart_never={1})
    for level, text in [(0, "甲"), (1, "乙"), (1, "丙"), (0, "丁"), (1, "戊"), (2, "己"), (0, "庚"), (2, "辛")]:
        add_numbered(document, plan, level, text)
    assert read_lines(saved(document, tmp_path)) == [
        "一、甲", "（一）乙", "（二）丙", "二、丁", "（三）戊", "1.己", "三、庚", "1.辛",
    ]


def test_list_instances_of_one_definition_continue_unless_one_restarts(tmp_path):
    document = docx.Document()
    first = add_list(document, PLAN_LEVELS)
    continued = another_instance(document, first)
    restarted = another_instance(document, first, restart_level=1)
    add_numbered(document, first, 0, "甲")
    add_numbered(document, first, 1, "乙")
    document.add_paragraph("说明")
    add_numbered(document, continued, 1, "丙")  # "continue numbering": a new instance, the same counters
    add_numbered(document, restarted, 1, "丁")  # "restart numbering": an instance with a startOverride
    add_numbered(document, restarted, 1, "戊")
    assert read_lines(saved(document, tmp_path)) == ["一、甲", "（一）乙", "说明", "（二）丙", "（一）丁", "（二）戊"]


def test_numbering_from_a_paragraph_style_and_in_table_cells_counts_in_document_order(tmp_path):
    """python-docx's template numbers its "List Number" style "%1." through the style's w:numPr;
    numbered paragraphs in a table's 序号 column count between the body's, row by row."""
    document = docx.Document()
    document.add_paragraph("推广清洁能源", style="List Number")
    table = document.add_table(rows=2, cols=2)
    for row, text in zip(table.rows, ["建设光伏电站", "整治燃煤锅炉"]):
        row.cells[0].paragraphs[0].style = document.styles["List Number"]
        row.cells[1].text = text
    document.add_paragraph("加强监督考核", style="List Number")
    assert read_lines(saved(document, tmp_path)) == ["1.推广清洁能源", "2.\t建设光伏电站", "3.\t整治燃煤锅炉", "4.加强监督考核"]


def test_a_numbering_level_turned_off_or_missing_gives_no_label(tmp_path):
    document = docx.Document()
    plan = add_list(document, PLAN_LEVELS[:1])
    add_numbered(document, plan, 0, "甲")
    add_numbered(document, plan, 3, "乙")  # a level the definition lacks
    add_numbered(document, 0, 0, "丙")  # numId 0: numbering turned off
    add_numbered(document, 99, 0, "丁")  # an instance the numbering part lacks
    add_numbered(document, plan, 0, "戊")
    assert read_lines(saved(document, tmp_path)) == ["一、甲", "乙", "丙", "丁", "二、戊"]


def test_an_overlong_label_template_is_ignored_and_a_huge_start_is_bounded(tmp_path):
    document = docx.Document()
    long_label = add_list(document, [("decimal", "%1" + "、" * 5000)])
    huge_start = add_list(document, [("lowerLetter", "%1.")], start=10**9)
    for number in range(3):
        add_numbered(document, long_label, 0, "甲")
        add_numbered(document, huge_start, 0, "乙")
    lines = read_lines(saved(document, tmp_path))
    assert lines[::2] == ["甲"] * 3
    assert lines[1::2] == ["32767.乙", "32768.乙", "32769.乙"]  # Word's own limit; no letter for it: decimal


def test_a_plan_numbered_by_word_imports_as_the_same_plan_typed_out(tmp_path):
    """The Fujian plan with its labels (一、 （一） 1. （1）) made Word list numbering reads back as its text."""
    from plans.importers import parse_document

    text = (Path(settings.BASE_DIR) / "seeds" / "fujian-2024-export-industries-plan.txt").read_text(encoding="utf-8")
    text = text.replace("（十九）完善出口信用保险服务", "（十八）完善出口信用保险服务")  # the plan skips （十八）; Word would not
    labels = [r"[一二三四五六七八九十]+、", r"（[一二三四五六七八九十]+）", r"\d+\.", r"（\d+）"]
    document = docx.Document()
    plan = add_list(document, PLAN_LEVELS, restart_never={1})
    numbered = 0
    for line in text.splitlines():
        level = next((n for n, label in enumerate(labels) if re.match(label, line)), None)
        if level is None:
            document.add_paragraph(line)
        else:
            add_numbered(document, plan, level, re.sub("^" + labels[level], "", line))
            numbered += 1
    assert numbered > 20
    path = saved(document, tmp_path)
    assert "（一）持续壮大支柱" not in document_xml(path.read_bytes()).decode()  # the labels are Word's, not text
    assert read_lines(path) == text.splitlines()
    (tmp_path / "plan.txt").write_text(text, encoding="utf-8")

    def tasks(name):
        return [(task.path, task.responsible, task.supporting) for task in parse_document(tmp_path / name).tasks]

    assert len(tasks("plan.txt")) > 20 and tasks("plan.docx") == tasks("plan.txt")


def test_a_numbered_doc_keeps_its_labels_through_libreoffice(old_word, tmp_path):
    document = docx.Document()
    plan = add_list(document, PLAN_LEVELS)
    for level, text in [(0, "总体要求"), (1, "加快清洁能源替代"), (2, "推广天然气"), (0, "保障措施")]:
        add_numbered(document, plan, level, text)
    document.add_paragraph("附件")
    doc = soffice_convert(saved(document, tmp_path), "doc")
    assert read_document(doc) == (["一、总体要求", "（一）加快清洁能源替代", "1.推广天然气", "二、保障措施", "附件"], "doc")
