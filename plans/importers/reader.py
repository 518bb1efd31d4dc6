"""Read a plan document from disk into raw text lines.

`read_document` is the only entry point: it returns the document's lines (no line
endings, nothing else changed) and the kind of file it was ("txt", "docx", "doc", "wps",
"pdf" or "html"). Every failure is an `ImportRefused` with a Chinese message and a short
English part. An old Word (.doc) or WPS (.wps) file is converted to .docx by headless
LibreOffice, where it is installed, and read as that .docx.
Tables in a .docx become one line per row with cells separated by a tab, the form the
task-table parser in `structure` reads; a paragraph numbered by Word's list numbering starts
with the label Word shows ("一、", "（一）", "1."). The text of each format is read in its own
module (`docx_text`, `pdf_text`, `html_text`); this one holds the gate and the conversion.

A document passes the same gate as an uploaded sheet (plans.exports.upload) before anything
parses it: its size on disk; for a .docx the zip directory (zip bombs, from declared sizes)
and every XML part streamed through defusedxml with DTDs forbidden (python-docx parses with
lxml, which would expand an entity bomb); then the text's length, so the parser and the
import never see more than a generous bound over any real plan.
"""
from __future__ import annotations

import codecs
import os
import shutil
import signal
import subprocess
import tempfile

import unicodedata
import zipfile
from io import BytesIO
from pathlib import Path
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from plans.exports.upload import (
    ENCRYPTION_STREAM, MAX_UPLOAD_BYTES, MIB, OLE2_MAGIC, ZIP_SIGNATURES, UploadRefused, check_size, check_zip_members,
)

from .docx_text import W_NS, docx_lines
from .html_text import html_lines
from .list_numbers import format_list_number
from .ole2 import FIB_ENCRYPTED, word_fib_flags
from .pdf_text import read_pdf_lines
from .types import ImportRefused

# the readers of this module, and format_list_number that the tests take from here
__all__ = ["check_docx_bytes", "check_text_bounds", "decode_text", "find_office_program", "format_list_number",
           "read_document"]

TEXT_SUFFIXES = {".txt", ".text", ".md"}
DOCX_SUFFIXES = {".docx"}
OLD_WORD_SUFFIXES = {".doc", ".wps"}  # Word 97-2003 and WPS Office's own, which is mostly the same format
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}

# Real plans hold < 300 KB of text (the seeds ~10,000 characters in < 800 lines).
MAX_DOCUMENT_BYTES = MAX_UPLOAD_BYTES  # the file on disk, refused by its size before it is read
MAX_DOCX_INFLATED_BYTES = 64 * MIB  # a .docx's members once unzipped: python-docx holds its XML as lxml trees
MAX_TEXT_CHARS = 2_000_000
MAX_TEXT_LINES = 20_000
MAX_DOCX_ELEMENTS = 1_000_000  # XML elements in all parts of a .docx: python-docx holds each as an lxml node
MAIN_PART = "word/document.xml"
MAX_CONTROL_SHARE = 0.01  # control characters (not tab or line breaks) in real text: next to none
CONVERSION_TIMEOUT_SECONDS = 60  # LibreOffice converts a 40-page .doc in about 2 s, most of it its start


def read_document(path) -> tuple[list[str], str]:
    """Return (lines, kind) for a .txt, .docx, .doc, .wps, .pdf or .html file; raise
    ImportRefused otherwise.

    Guarantees: kind is "txt", "docx", "doc", "wps", "pdf" or "html"; at least one line has
    visible text.
    """
    file_path = Path(path)
    if not file_path.exists():
        raise ImportRefused(f"找不到文件：{file_path} (file not found)")
    if file_path.is_dir():
        raise ImportRefused(f"这是一个文件夹，不是文件：{file_path} (the path is a directory)")
    suffix = file_path.suffix.lower()
    if suffix in TEXT_SUFFIXES | DOCX_SUFFIXES | OLD_WORD_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES:
        _check_file_size(file_path)
    if suffix in TEXT_SUFFIXES:
        lines, kind = _read_text_lines(file_path), "txt"
    elif suffix in HTML_SUFFIXES:
        lines, kind = html_lines(decode_text(_read_bytes(file_path))), "html"
    elif suffix in PDF_SUFFIXES:
        lines, kind = read_pdf_lines(file_path), "pdf"
    elif suffix in DOCX_SUFFIXES | OLD_WORD_SUFFIXES:
        lines, kind = _read_word_lines(file_path)
    else:
        raise ImportRefused(
            f"不支持的文件类型“{file_path.suffix or '（无扩展名）'}”，"
            f"请使用 .txt、.docx、.doc、.wps、.pdf 或网页另存的 .html 文件 "
            f"(unsupported file type; use .txt, .docx, .doc, .wps, .pdf or a saved .html page)"
        )
    if not any(line.strip() for line in lines):
        raise ImportRefused("文件为空 (the file is empty)")
    check_text_bounds(lines)
    return lines, kind


def check_text_bounds(lines: list[str]) -> None:
    """Refuse a text beyond MAX_TEXT_CHARS or MAX_TEXT_LINES, before the parser sees it."""
    if len(lines) > MAX_TEXT_LINES:
        raise ImportRefused(_too_many_lines())
    if sum(map(len, lines)) + len(lines) > MAX_TEXT_CHARS:  # line breaks count too
        raise ImportRefused(_too_many_chars())


def _too_many_lines() -> str:
    return (f"文本行数过多，超过 {MAX_TEXT_LINES:,} 行的上限，这不像一份行动方案 "
            f"(the text has more than {MAX_TEXT_LINES:,} lines, the limit)")


def _too_many_chars() -> str:
    return (f"文本过长，超过 {MAX_TEXT_CHARS:,} 个字符的上限，这不像一份行动方案 "
            f"(the text has more than {MAX_TEXT_CHARS:,} characters, the limit)")


def _check_file_size(file_path: Path) -> None:
    try:
        size = file_path.stat().st_size
    except OSError as error:
        raise ImportRefused(f"无法读取文件：{file_path} (cannot read the file: {error.strerror})") from error
    try:
        check_size(size, max_bytes=MAX_DOCUMENT_BYTES)
    except UploadRefused as refusal:
        raise ImportRefused(str(refusal)) from None


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-16 when they start with its byte-order mark (Windows Notepad's
    "Unicode"), else UTF-8 (BOM optional), else GB18030; raise ImportRefused if none fits."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(
        "文件不是UTF-8或GB18030编码的文本，请另存为UTF-8后再导入 "
        "(the file is not UTF-8 or GB18030 text)"
    )


def _read_bytes(file_path: Path) -> bytes:
    try:
        return file_path.read_bytes()
    except OSError as error:
        raise ImportRefused(f"无法读取文件：{file_path} (cannot read the file: {error.strerror})") from error


def _read_text_lines(file_path: Path) -> list[str]:
    data = _read_bytes(file_path)
    if not data.strip():
        raise ImportRefused("文件为空 (the file is empty)")
    text = decode_text(data)
    _refuse_binary(text)
    return text.splitlines()


def _refuse_binary(text: str) -> None:
    """Binary data often decodes as GB18030; a NUL or a share of control characters no text has gives it away."""
    controls = sum(1 for char in text if unicodedata.category(char) == "Cc" and not char.isspace())
    if "\x00" in text or controls > len(text) * MAX_CONTROL_SHARE:
        raise ImportRefused(
            "文件不是文本文件（含有二进制内容），请使用 .txt 或 .docx 文件 (the file holds binary data, not text)"
        )


def _read_word_lines(file_path: Path) -> tuple[list[str], str]:
    """A Word or WPS file by what it holds, whatever its name says: a .docx package is read
    as one (a .docx saved under .doc or .wps too), anything else named .doc or .wps and an
    unencrypted Word 97-2003 file named .docx go through LibreOffice (`_convert_to_docx`)."""
    data = _read_bytes(file_path)
    if not data.strip():
        raise ImportRefused("文件为空 (the file is empty)")
    suffix = file_path.suffix.lower()
    if data.startswith(ZIP_SIGNATURES) or (suffix in DOCX_SUFFIXES and not data.startswith(OLE2_MAGIC)):
        return _docx_data_lines(data, name=file_path.name), "docx"
    if data.startswith(OLE2_MAGIC):
        _refuse_encrypted_ole(data)
        if suffix in DOCX_SUFFIXES and word_fib_flags(data) is None:  # an .xls or the like named .docx
            raise ImportRefused(_corrupt_docx(file_path.name))
    kind = suffix.removeprefix(".") if suffix in OLD_WORD_SUFFIXES else "doc"
    with tempfile.TemporaryDirectory(prefix="plan-import-") as folder:
        converted = _convert_to_docx(file_path, Path(folder), kind=kind)
        _check_file_size(converted)
        return _docx_data_lines(_read_bytes(converted), name=file_path.name), kind


def _docx_data_lines(data: bytes, *, name: str) -> list[str]:
    try:
        import docx  # python-docx
    except ImportError as error:  # pragma: no cover - python-docx is a requirement
        raise ImportRefused("缺少python-docx，无法读取.docx文件 (python-docx is not installed)") from error
    check_docx_bytes(data, name=name)
    try:
        return docx_lines(docx.Document(BytesIO(data)))
    except Exception as error:  # python-docx and lxml raise many kinds for a malformed package
        raise ImportRefused(_corrupt_docx(name)) from error


def _password_protected() -> str:
    return (
        "Word 文件设有打开密码，请取消密码后再导入 "
        "(the document is password-protected; remove the password and import it again)"
    )


def _refuse_encrypted_ole(data: bytes) -> None:
    """Refuse an OLE2 file with a password: an encrypted .docx (an OLE2 wrapper with an
    EncryptionInfo stream) or a Word 97-2003 file whose FIB says fEncrypted."""
    flags = word_fib_flags(data)
    if ENCRYPTION_STREAM in data or (flags is not None and flags & FIB_ENCRYPTED):
        raise ImportRefused(_password_protected())


def find_office_program() -> str | None:
    """The LibreOffice program on PATH (soffice, or libreoffice as some packages name it), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert_to_docx(file_path: Path, folder: Path, *, kind: str) -> Path:
    """Convert an old Word or WPS file to .docx with headless LibreOffice in `folder`: a
    copy under a plain name, a private user profile (parallel conversions never share one,
    macros off) and a time limit after which the whole process group is killed."""
    program = find_office_program()
    if program is None:
        raise ImportRefused(
            "服务器未安装LibreOffice，无法读取.doc/.wps文件；请在Word或WPS中另存为.docx后导入 "
            "(LibreOffice is not installed, so .doc and .wps files cannot be read; "
            "save the file as .docx in Word or WPS and import that)"
        )
    source = folder / f"document.{kind}"
    profile = folder / "profile"
    out = folder / "out"
    command = [
        program, "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck", "--nodefault",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source),
    ]
    try:
        shutil.copyfile(file_path, source)
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            cwd=folder, start_new_session=True,  # its own process group: soffice starts soffice.bin
        )
    except OSError as error:  # no room for the copy, a program that cannot be run
        raise ImportRefused(_conversion_failed(kind)) from error
    try:
        process.communicate(timeout=CONVERSION_TIMEOUT_SECONDS)
    except BaseException as error:  # the time limit, or an interrupt: nothing it started outlives the call
        _kill_group(process)
        if not isinstance(error, subprocess.TimeoutExpired):
            raise
        raise ImportRefused(
            f"用LibreOffice转换.{kind}文件超时（超过{CONVERSION_TIMEOUT_SECONDS}秒），文件可能已损坏；"
            f"请在Word或WPS中另存为.docx后导入 "
            f"(converting the .{kind} file with LibreOffice took more than {CONVERSION_TIMEOUT_SECONDS} seconds; "
            f"save it as .docx in Word or WPS and import that)"
        ) from None
    converted = out / "document.docx"
    if process.returncode != 0 or not converted.is_file():
        raise ImportRefused(_conversion_failed(kind))
    return converted


def _conversion_failed(kind: str) -> str:
    return (f"LibreOffice无法转换此.{kind}文件，文件可能已损坏或不是Word/WPS文档；请在Word或WPS中另存为.docx后导入 "
            f"(LibreOffice could not convert the .{kind} file: it may be damaged or not a Word or WPS document; "
            f"save it as .docx in Word or WPS and import that)")


def _kill_group(process: subprocess.Popen) -> None:
    """Kill the still-running conversion's process group (its leader not yet reaped, so the group is ours)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


_PROFILE_SETTINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    '<item oor:path="/org.openoffice.Office.Common/Security/Scripting">'
    '<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>\n'
    '<item oor:path="/org.openoffice.Office.Common/Security/Scripting">'
    '<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>\n'
    "</oor:items>\n"
)


def check_docx_bytes(data: bytes, *, name: str) -> None:
    """Refuse (ImportRefused) what is not a plain .docx we can safely hand to python-docx:
    an encrypted or old .doc file, a non-zip, a zip bomb, a zip without Word's parts, any
    XML part that declares a DTD (entity bombs, external entities) or is not well-formed,
    more than MAX_DOCX_ELEMENTS elements in all, and a main document whose text passes the
    text bounds. All from one streaming pass that keeps nothing and stops at the first excess."""
    if not data.strip():
        raise ImportRefused("文件为空 (the file is empty)")
    if data.startswith(OLE2_MAGIC):
        _refuse_encrypted_ole(data)
        raise ImportRefused(
            "这是旧版 Word 文件（.doc），请在 Word 中另存为 .docx 后再导入 "
            "(this is an old .doc file; save it as .docx)"
        )
    if not data.startswith(ZIP_SIGNATURES):
        raise ImportRefused(_corrupt_docx(name))
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
            check_zip_members(members, max_uncompressed_bytes=MAX_DOCX_INFLATED_BYTES)
            names = {member.filename.lower() for member in members}
            if "[content_types].xml" not in names or not any(n.startswith("word/") for n in names):
                raise ImportRefused(
                    "文件是压缩包，但不是 Word 文档（.docx），请使用 .txt 或 .docx 文件 "
                    "(the file is a zip archive, not a Word document)"
                )
            bounds = _DocxBounds()
            for member in members:
                _check_xml_part(archive, member, name, bounds)
    except UploadRefused as refusal:
        raise ImportRefused(str(refusal)) from None
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, RuntimeError, NotImplementedError) as error:
        raise ImportRefused(_corrupt_docx(name)) from error  # RuntimeError: an encrypted member


def _check_xml_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, bounds: "_DocxBounds") -> None:
    """Stream one member through defusedxml's SAX parser (nothing kept) if it looks like XML."""
    with archive.open(member) as stream:
        head = stream.read(64)
    if not _looks_like_xml(head):
        return
    try:
        with archive.open(member) as stream:
            bounds.main = member.filename.lower() == MAIN_PART
            parser = DefusedExpatParser(
                namespaceHandling=1, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
            parser.setContentHandler(bounds)
            parser.parse(stream)
    except ImportRefused:
        raise
    except DefusedXmlException as error:
        raise ImportRefused(
            f"Word 文件的 {member.filename} 含有 XML 实体或文档类型声明（DTD），疑似实体炸弹，已拒绝读取 "
            f"(the document declares XML entities or a DTD in {member.filename}; refused)"
        ) from error
    except Exception as error:  # SAXParseException and the like: not well-formed XML
        raise ImportRefused(_corrupt_docx(name)) from error


def _looks_like_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 byte-order marks
        return True
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


class _DocxBounds(ContentHandler):
    """Counts what python-docx would hold (elements, in every part) and, in the main document,
    the lines `docx_lines` would make (body paragraphs and top-level table rows) and the
    characters of their text; refuses as soon as a bound is passed."""

    def __init__(self):
        super().__init__()
        self.main = False
        self.elements = self.lines = self.chars = 0
        self._tables = self._texts = 0  # depth inside w:tbl and w:t

    def startElementNS(self, name, qname, attrs):
        self.elements += 1
        if self.elements > MAX_DOCX_ELEMENTS:
            raise ImportRefused(
                f"Word 文件的 XML 元素过多（超过 {MAX_DOCX_ELEMENTS:,} 个），这不像一份行动方案 "
                f"(the document has more than {MAX_DOCX_ELEMENTS:,} XML elements)"
            )
        if self.main and name[0] == W_NS:
            if name[1] == "tbl":
                self._tables += 1
            elif name[1] == "tr" and self._tables == 1:
                self._line()
            elif name[1] == "t":
                self._texts += 1

    def endElementNS(self, name, qname):
        if self.main and name[0] == W_NS:
            if name[1] == "tbl":
                self._tables -= 1
            elif name[1] == "p" and not self._tables:
                self._line()
            elif name[1] == "t":
                self._texts -= 1

    def characters(self, content):
        if self._texts:
            self.chars += len(content)
            if self.chars > MAX_TEXT_CHARS:
                raise ImportRefused(_too_many_chars())

    def _line(self):
        self.lines += 1
        if self.lines > MAX_TEXT_LINES:
            raise ImportRefused(_too_many_lines())


def _corrupt_docx(name: str) -> str:
    return f"无法打开Word文件，文件可能已损坏：{name} (the .docx file is corrupt or not a Word file)"

