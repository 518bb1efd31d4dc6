"""The evidence gate (plans.exports.evidence_check) on real bytes of each kind: the kind comes
from the content; other formats, disguised files, oversize files and zip bombs are refused
with a sentence naming the file."""
import io
import zipfile

import docx
import openpyxl
import pytest
from django.utils import translation

from plans.exports.evidence_check import EvidenceRefused, check_evidence_size, clean_name, evidence_kind
from plans.exports.upload import OLE2_MAGIC

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def real_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("鹤壁市水泥粉磨站治理验收情况")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def real_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "资金拨付明细"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def image(fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format=fmt)
    return out.getvalue()


def zipped(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


OFD = zipped({"OFD.xml": b"<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>", "Doc_0/Document.xml": b"<x/>"})
OLE2 = OLE2_MAGIC + b"\x00" * 504


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("验收报告.pdf", PDF, "pdf"),
    ("电子公文.ofd", OFD, "ofd"),
    ("工作总结.docx", real_docx(), "docx"),
    ("资金明细.xlsx", real_xlsx(), "xlsx"),
    ("旧版通知.doc", OLE2, "doc"),
    ("旧版台账.xls", OLE2, "xls"),
    ("金山文档.wps", OLE2, "wps"),
    ("现场照片.jpg", image("JPEG"), "jpg"),
    ("现场照片.JPEG", image("JPEG"), "jpg"),
    ("截图.png", image("PNG"), "png"),
    ("全部材料.zip", zipped({"a.txt": "说明".encode()}), "zip"),
    ("无扩展名", PDF, "pdf"),
])
def test_the_kind_comes_from_the_content(name, data, kind):
    assert evidence_kind(name, data) == kind


@pytest.mark.parametrize(("name", "data"), [
    ("安装包.exe", b"MZ\x90\x00\x03" + b"\x00" * 100),
    ("通知.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100),  # an .exe renamed
    ("页面.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("报告.pdf", b"<html><body>not a pdf</body></html>"),
    ("报告.pdf", zipped({"a.txt": b"x"})),  # a .pdf that is really a zip
    ("报告.docx", PDF),  # a .docx that is really a pdf
    ("照片.png", image("JPEG")),
    ("演示.ppt", OLE2),  # OLE2 named neither .doc, .xls nor .wps
    ("通知.pdf", OLE2),
    ("文本.txt", "纯文本".encode()),
])
def test_other_or_disguised_files_are_refused_naming_the_file(name, data):
    with translation.override(None), pytest.raises(EvidenceRefused) as refused:  # as stored: both languages
        evidence_kind(name, data)
    assert f"“{name}”" in str(refused.value)
    assert "(" in str(refused.value)  # the English half too


def test_an_empty_file_and_a_corrupt_zip_are_refused():
    with pytest.raises(EvidenceRefused, match="为空"):
        evidence_kind("空.pdf", b"")
    with pytest.raises(EvidenceRefused, match="损坏"):
        evidence_kind("坏.zip", b"PK\x03\x04" + b"\x00" * 30)


def test_a_zip_bomb_is_refused_from_its_directory():
    bomb = zipped({"zeros.bin": b"\x00" * (50 * 2**20)})  # 50 MiB of zeros in about 50 KiB
    assert len(bomb) < 2**20
    with pytest.raises(EvidenceRefused, match="压缩炸弹"):
        evidence_kind("材料.zip", bomb)
    many = zipped({f"{n}.txt": b"" for n in range(5001)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(EvidenceRefused, match="压缩炸弹"):
        evidence_kind("材料.zip", many)


def test_a_docx_bomb_is_refused_like_any_zip():
    data = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * (50 * 2**20)})
    with pytest.raises(EvidenceRefused, match="压缩炸弹"):
        evidence_kind("总结.docx", data)


def test_a_document_with_macros_is_refused():
    data = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"})
    with pytest.raises(EvidenceRefused, match="宏"):
        evidence_kind("总结.docx", data)


def test_size_limits_per_file_and_per_owner(settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 2**20
    settings.ATTACHMENTS_MAX_TOTAL_BYTES = 5 * 2**20
    check_evidence_size("照片.jpg", 2 * 2**20, stored=3 * 2**20)  # at both limits exactly: kept
    with pytest.raises(EvidenceRefused, match="“照片.jpg”：文件过大"):
        check_evidence_size("照片.jpg", 2 * 2**20 + 1)
    with pytest.raises(EvidenceRefused, match="合计将超过 5 MB"):
        check_evidence_size("照片.jpg", 2**20, stored=4 * 2**20 + 1)


def test_the_chinese_name_is_kept_without_its_folder_and_within_255_characters():
    assert clean_name("C:\\fakepath\\2016年三季度验收报告.pdf") == "2016年三季度验收报告.pdf"
    assert clean_name("../../etc/会议纪要.docx") == "会议纪要.docx"
    assert clean_name("坏\x00名\n字.pdf") == "坏名字.pdf"
    long = clean_name("很" * 300 + ".pdf")
    assert len(long) == 255 and long.endswith("很.pdf")
    assert clean_name("") == "附件"
