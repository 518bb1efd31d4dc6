"""The gate every evidence file (佐证材料) passes before it is stored.

A file's kind is decided from its content, never from its name: `evidence_kind` reads the
first bytes (and, for a zip, its directory) and names one of KINDS, or refuses the file
(EvidenceRefused, an UploadRefused whose text names the file, Chinese then English). The
name's extension only tells old Office files apart (.doc, .xls, .wps all start with the same
OLE2 header) and must not contradict the content: a .pdf that is really a zip is refused.
Zip-based kinds get the zip-bomb checks of plans.exports.upload, from the directory alone.
"""
from __future__ import annotations

import math
import re
import zipfile
from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext as _

from plans.exports.upload import MIB, OLE2_MAGIC, ZIP_SIGNATURES, UploadRefused, check_zip_members

MAX_NAME = 255  # Attachment.name
KINDS = ("pdf", "ofd", "docx", "xlsx", "doc", "xls", "wps", "jpg", "png", "zip")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "wps": "application/vnd.ms-works",
    "jpg": "image/jpeg",
    "png": "image/png",
    "zip": "application/zip",
}
# the extensions a kind may be named with; a name without an extension is taken as it is
EXTENSIONS = {kind: {kind} for kind in KINDS} | {"jpg": {"jpg", "jpeg"}}
OLE2_KINDS = ("doc", "xls", "wps")
PDF_MAGIC, JPEG_MAGIC, PNG_MAGIC = b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
MACRO_PART = "vbaproject.bin"
ACCEPTED = "PDF、OFD、Word（.docx/.doc）、Excel（.xlsx/.xls）、WPS、JPG、PNG、ZIP"


class EvidenceRefused(UploadRefused):
    """The file is not evidence we will keep; str(error) is the sentence for the user."""


def clean_name(name: str) -> str:
    """The name as uploaded, without any folder part or control characters, at most 255
    characters (the extension kept); "附件" when nothing is left."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(char for char in name if char.isprintable()).strip().strip(".").strip() or _("附件")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) < 16:
            name = stem[:MAX_NAME - len(extension) - 1] + "." + extension
        else:
            name = name[:MAX_NAME]
    return name


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _refuse(name: str, reason: str) -> EvidenceRefused:
    return EvidenceRefused(_("文件“%(name)s”：%(reason)s") % {"name": name, "reason": reason})


def _megabytes(size: int) -> str:
    return f"{math.ceil(size * 10 / MIB) / 10:.1f}"


def limits_mb() -> dict[str, str]:
    """The limits in MB, as the pages state them: {"size": per file, "total": per owner}."""
    return {
        "size": f"{round(settings.ATTACHMENT_MAX_BYTES / MIB, 1):g}",
        "total": f"{round(settings.ATTACHMENTS_MAX_TOTAL_BYTES / MIB, 1):g}",
    }


def check_evidence_size(name: str, size: int, *, stored: int = 0) -> None:
    """Refuse by size alone, before anything is read: over ATTACHMENT_MAX_BYTES, or taking
    its owner's files (`stored` bytes already) over ATTACHMENTS_MAX_TOTAL_BYTES."""
    limit, total = settings.ATTACHMENT_MAX_BYTES, settings.ATTACHMENTS_MAX_TOTAL_BYTES
    if size <= 0:
        raise _refuse(name, _("文件为空 (the file is empty)"))
    if size > limit:
        raise _refuse(name, _("文件过大（%(size)s MB），每个文件上限为 %(limit)s MB "
                              "(the file is %(size)s MB; the limit is %(limit)s MB)")
                      % {"size": _megabytes(size), "limit": f"{round(limit / MIB, 1):g}"})
    if stored + size > total:
        raise _refuse(name, _("附件合计将超过 %(limit)s MB（已有 %(stored)s MB） "
                              "(the attachments would exceed %(limit)s MB in all; %(stored)s MB already)")
                      % {"limit": f"{round(total / MIB, 1):g}", "stored": _megabytes(stored)})


def _zip_kind(name: str, data: bytes) -> str:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as error:
        raise _refuse(name, _("压缩文件已损坏，无法打开 (the zip file is corrupt)")) from error
    try:
        check_zip_members(members)
    except UploadRefused as refused:
        raise _refuse(name, str(refused)) from refused
    names = {member.filename.lower() for member in members}
    if "ofd.xml" in names:
        return "ofd"
    if "[content_types].xml" in names:
        for kind, folder in (("docx", "word/"), ("xlsx", "xl/")):
            if any(member.startswith(folder) for member in names):
                if any(member.rsplit("/", 1)[-1] == MACRO_PART for member in names):
                    raise _refuse(name, _("文件含有宏，请另存为不含宏的文档后再上传 "
                                          "(the document contains macros; save it without them)"))
                return kind
    return "zip"


def _content_kind(name: str, data: bytes) -> str:
    if data.startswith(PDF_MAGIC):
        return "pdf"
    if data.startswith(JPEG_MAGIC):
        return "jpg"
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(ZIP_SIGNATURES):
        return _zip_kind(name, data)
    if data.startswith(OLE2_MAGIC):
        kind = extension(name)
        if kind not in OLE2_KINDS:
            raise _refuse(name, _("旧版 Office 文件须以 .doc、.xls 或 .wps 为扩展名 "
                                  "(an old Office file must be named .doc, .xls or .wps)"))
        return kind
    raise _refuse(name, _("不是可接受的佐证材料格式，只接受 %(kinds)s "
                          "(not an accepted evidence format: PDF, OFD, Word, Excel, WPS, JPG, PNG or ZIP)")
                  % {"kinds": ACCEPTED})


def evidence_kind(name: str, data: bytes) -> str:
    """The kind (one of KINDS) of a file from its bytes; EvidenceRefused for an empty file,
    another format, a zip bomb or a name whose extension says another kind."""
    if not data:
        raise _refuse(name, _("文件为空 (the file is empty)"))
    kind = _content_kind(name, data)
    named = extension(name)
    if named and named not in EXTENSIONS[kind]:
        raise _refuse(name, _("文件内容是 %(kind)s，与扩展名 .%(ext)s 不符 "
                              "(the content is %(kind)s, not what the extension .%(ext)s says)")
                      % {"kind": kind.upper(), "ext": named})
    return kind
