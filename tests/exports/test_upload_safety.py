"""The upload gate: every kind of file that is not a plain, safe .xlsx is refused with its own sentence.

Every bad file is built here, in memory; none is inflated to its full size by the gate.
"""
import io
import zipfile

import openpyxl
import pytest

from plans.exports import upload
from plans.exports.upload import UploadRefused, check_workbook_bytes, open_workbook

MIB = 1024 * 1024
OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
SHEET = "xl/worksheets/sheet1.xml"


def _workbook_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["任务", "进度"])
    workbook.active.append(["推广清洁能源", 42])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _workbook_with(members: dict[str, bytes]) -> bytes:
    """A real workbook with `members` added or replacing its own."""
    with zipfile.ZipFile(io.BytesIO(_workbook_bytes())) as archive:
        own = {name: archive.read(name) for name in archive.namelist()}
    return _zip(own | members)


def _refusal(data: bytes) -> str:
    with pytest.raises(UploadRefused) as refused:
        check_workbook_bytes(data)
    return str(refused.value)


def test_empty_file_is_refused():
    assert "文件为空" in _refusal(b"")


def test_file_over_the_size_limit_is_refused_with_its_size_and_the_limit():
    message = _refusal(b"\x00" * (upload.MAX_UPLOAD_BYTES + 1))
    assert "文件过大（10.1 MB），上限为 10 MB" in message


def test_password_protected_workbook_is_refused():
    data = OLE2_HEADER + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
    assert "文件设有打开密码" in _refusal(data)


def test_old_xls_file_is_refused_with_advice_to_save_as_xlsx():
    data = OLE2_HEADER + "Workbook".encode("utf-16-le") + b"\x00" * 64
    assert "另存为 .xlsx" in _refusal(data)


@pytest.mark.parametrize(
    "data",
    [
        "任务,进度\n推广清洁能源,42\n".encode(),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        bytes(range(256)) * 4,
    ],
    ids=["csv", "pdf", "random-bytes"],
)
def test_file_that_is_not_a_zip_is_refused_as_not_a_workbook(data):
    assert "文件不是 Excel 工作簿（.xlsx）" in _refusal(data)


def test_truncated_workbook_is_refused_as_corrupt():
    data = _workbook_bytes()
    assert "文件已损坏" in _refusal(data[: len(data) // 2])


@pytest.mark.parametrize(
    "members",
    [
        {"readme.txt": b"hello"},
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"},
    ],
    ids=["plain-zip", "docx"],
)
def test_zip_without_workbook_parts_is_refused_as_not_a_workbook(members):
    assert "文件是压缩包，但不是 Excel 工作簿" in _refusal(_zip(members))


def test_zip_with_too_many_members_is_refused_as_abnormal():
    extra = {f"xl/extra/{index}.xml": b"" for index in range(upload.MAX_MEMBERS)}
    assert "文件解压后大小异常" in _refusal(_workbook_with(extra))


def test_zip_whose_declared_total_exceeds_the_limit_is_refused_as_abnormal(monkeypatch):
    # Members of exactly 1 MiB escape the ratio rule, so only the total can refuse them.
    monkeypatch.setattr(upload, "MAX_UNCOMPRESSED_BYTES", 3 * MIB)
    extra = {f"xl/extra/{index}.bin": b"\x00" * MIB for index in range(4)}
    assert "文件解压后大小异常" in _refusal(_workbook_with(extra))


def test_large_member_compressed_beyond_the_ratio_is_refused_as_abnormal():
    data = _workbook_with({"xl/media/zeros.bin": b"\x00" * (50 * MIB)})
    assert len(data) < 100 * 1024
    assert "文件解压后大小异常" in _refusal(data)


def test_member_of_one_mib_is_exempt_from_the_ratio_rule():
    data = _workbook_with({"xl/media/zeros.bin": b"\x00" * MIB})
    assert check_workbook_bytes(data) is None


def test_macro_enabled_workbook_is_refused():
    data = _workbook_with({"xl/vbaProject.bin": b"\x00" * 128})
    assert "文件含有宏（.xlsm）" in _refusal(data)


def test_workbook_with_malformed_xml_is_refused_as_corrupt():
    data = _workbook_with({"xl/workbook.xml": b"<workbook><sheets><sheet"})
    with pytest.raises(UploadRefused, match="文件已损坏"):
        open_workbook(data)


def test_entity_expansion_in_sheet_xml_is_refused_when_opening():
    with zipfile.ZipFile(io.BytesIO(_workbook_bytes())) as archive:
        sheet = archive.read(SHEET).decode()
    declarations = (
        '<!DOCTYPE worksheet [<!ENTITY a "lol">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    bomb = declarations + sheet.replace("<t>任务</t>", "<t>&c;</t>")
    with pytest.raises(UploadRefused, match="文件已损坏"):
        open_workbook(_workbook_with({SHEET: bomb.encode()}))


def test_valid_workbook_passes_the_check():
    assert check_workbook_bytes(_workbook_bytes()) is None


def test_open_workbook_returns_a_workbook_whose_values_can_be_read():
    workbook = open_workbook(_workbook_bytes())
    rows = list(workbook.active.iter_rows(values_only=True))
    workbook.close()
    assert rows == [("任务", "进度"), ("推广清洁能源", 42)]
