"""The gate every uploaded Excel file passes before anything reads it.

`check_workbook_bytes` refuses what is not a plain .xlsx workbook, reading nothing but the
zip directory; `open_workbook` then lets openpyxl open it. Returned progress sheets are read
by xlsx_reader instead, which also bounds their content (rows, cells, shared strings, text)
and names a malformed cell. Every refusal is an `UploadRefused` whose text is the sentence
for the user (Chinese, English in parentheses).

Zip bombs are decided from the directory's declared sizes without inflating anything. That
is a real bound: zipfile never yields more than a member's declared `file_size`, and
openpyxl reads through zipfile. XML entity bombs are refused by defusedxml, which openpyxl
uses for the parts it streams (sheets, shared strings) once it is installed; the parts it
parses whole go through lxml with entity resolution off.
"""
from __future__ import annotations

import math
import zipfile
from io import BytesIO

import openpyxl
from django.utils.translation import gettext as _

MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * MIB  # the file as uploaded
MAX_UNCOMPRESSED_BYTES = 200 * MIB  # sum of all zip members once inflated
MAX_COMPRESSION_RATIO = 200  # per member, for members over 1 MiB inflated
MAX_MEMBERS = 5000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, and any password-protected Office file
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")  # first member, empty archive, spanned
WORKBOOK_PARTS = ("[content_types].xml", "xl/workbook.xml")  # lower case: zip names in OOXML ignore case
MACRO_PART = "vbaproject.bin"


class UploadRefused(Exception):
    """The file is not a workbook we will read; str(error) is the sentence for the user."""


def check_size(size: int, *, max_bytes: int | None = None) -> None:
    """Refuse a file over the limit (default MAX_UPLOAD_BYTES) by its size alone, before it is read."""
    max_bytes = MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if size > max_bytes:
        sizes = {"size": f"{math.ceil(size * 10 / MIB) / 10:.1f}", "limit": f"{max_bytes / MIB:g}"}
        raise UploadRefused(
            _("文件过大（%(size)s MB），上限为 %(limit)s MB "
              "(the file is %(size)s MB; the limit is %(limit)s MB)") % sizes
        )


def check_workbook_bytes(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse (raise UploadRefused) what is not a plain .xlsx workbook we can safely read,
    reading nothing but the zip directory."""
    if not data:
        raise UploadRefused(_("文件为空 (the file is empty)"))
    check_size(len(data), max_bytes=max_bytes)
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTION_STREAM in data:
            raise UploadRefused(
                _("文件设有打开密码，请取消密码后再上传 "
                  "(the workbook is password-protected; remove the password and upload it again)")
            )
        raise UploadRefused(
            _("这是旧版 Excel 文件（.xls），请在 Excel 中另存为 .xlsx 后再上传 "
              "(this is an old .xls file; save it as .xlsx and upload it again)")
        )
    if not data.startswith(ZIP_SIGNATURES):
        raise UploadRefused(
            _("文件不是 Excel 工作簿（.xlsx），请上传 .xlsx 格式的文件 (the file is not an Excel workbook (.xlsx))")
        )
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as error:
        raise UploadRefused(corrupt_message()) from error
    check_zip_members(members)
    names = {member.filename.lower() for member in members}
    if not all(part in names for part in WORKBOOK_PARTS):
        raise UploadRefused(
            _("文件是压缩包，但不是 Excel 工作簿（.xlsx），请上传 .xlsx 格式的文件 "
              "(the file is a zip archive, not an Excel workbook)")
        )
    if any(name.rsplit("/", 1)[-1] == MACRO_PART for name in names):
        raise UploadRefused(
            _("文件含有宏（.xlsm），请另存为 Excel 工作簿（.xlsx）后再上传 "
              "(the workbook contains macros; save it as .xlsx and upload it again)")
        )


def open_workbook(data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES):
    """check_workbook_bytes, then openpyxl.load_workbook(BytesIO(data), read_only=True,
    data_only=False); any exception openpyxl raises while opening becomes UploadRefused with a
    clear sentence. Returns the workbook.

    The workbook is read-only and keeps its archive open: call `workbook.close()` when done.
    Opening parses each sheet's head (openpyxl reads its dimensions), so an entity
    declaration in any sheet is refused here, not later while reading rows.
    """
    check_workbook_bytes(data, max_bytes=max_bytes)
    try:
        return openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a malformed package
        raise UploadRefused(corrupt_message()) from error


def check_zip_members(members: list[zipfile.ZipInfo], *, max_uncompressed_bytes: int | None = None) -> None:
    """Refuse a zip bomb (too many members, too large inflated (default MAX_UNCOMPRESSED_BYTES),
    or too high a ratio) from the directory's declared sizes alone; shared with the plan
    importer's .docx check."""
    max_uncompressed_bytes = MAX_UNCOMPRESSED_BYTES if max_uncompressed_bytes is None else max_uncompressed_bytes
    if _expands_abnormally(members, max_uncompressed_bytes):
        raise UploadRefused(
            _("文件解压后大小异常，疑似压缩炸弹，已拒绝读取 (the file expands to an abnormal size when unzipped)")
        )


def _expands_abnormally(members: list[zipfile.ZipInfo], max_uncompressed_bytes: int) -> bool:
    if len(members) > MAX_MEMBERS:
        return True
    if sum(member.file_size for member in members) > max_uncompressed_bytes:
        return True
    return any(
        member.file_size > MIB and member.file_size > member.compress_size * MAX_COMPRESSION_RATIO for member in members
    )


def corrupt_message() -> str:
    return _(
        "文件已损坏，无法作为 Excel 工作簿打开，请在 Excel 中重新保存后再上传 "
        "(the workbook is corrupt and cannot be opened)"
    )
