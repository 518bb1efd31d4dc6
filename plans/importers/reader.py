"""Read a plan document from disk into raw text lines.

`read_document` is the only entry point: it returns the document's lines (no line
endings, nothing else changed) and the kind of file it was ("txt", "docx", "doc", "wps",
"pdf" or "html"). Every failure is an `ImportRefused` with a Chinese message and a short
English part. An old Word (.doc) or WPS (.wps) file is converted to .docx by headless
LibreOffice, where it is installed, and read as that .docx.
Tables in a .docx become one line per row with cells separated by a tab, the form the
task-table parser in `structure` reads; a paragraph numbered by Word's list numbering starts
with the label Word shows ("一、", "（一）", "1.").

A document passes the same gate as an uploaded sheet (plans.exports.upload) before anything
parses it: its size on disk; for a .docx the zip directory (zip bombs, from declared sizes)
and every XML part streamed through defusedxml with DTDs forbidden (python-docx parses with
lxml, which would expand an entity bomb); then the text's length, so the parser and the
import never see more than a generous bound over any real plan.
"""
from __future__ import annotations

import codecs
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
from html.parser import HTMLParser

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

from .types import ImportRefused
from .unit_kinds import looks_like_unit

TEXT_SUFFIXES = {".txt", ".text", ".md"}
DOCX_SUFFIXES = {".docx"}
OLD_WORD_SUFFIXES = {".doc", ".wps"}  # Word 97-2003 and WPS Office's own, which is mostly the same format
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
MAX_PDF_PAGES = 300  # a plan runs to tens of pages; a longer PDF is something else
CELL_SEPARATOR = "\t"

# Real plans hold < 300 KB of text (the seeds ~10,000 characters in < 800 lines).
MAX_DOCUMENT_BYTES = MAX_UPLOAD_BYTES  # the file on disk, refused by its size before it is read
MAX_DOCX_INFLATED_BYTES = 64 * MIB  # a .docx's members once unzipped: python-docx holds its XML as lxml trees
MAX_TEXT_CHARS = 2_000_000
MAX_TEXT_LINES = 20_000
MAX_DOCX_ELEMENTS = 1_000_000  # XML elements in all parts of a .docx: python-docx holds each as an lxml node
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
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
        lines, kind = _read_pdf_lines(file_path), "pdf"
    elif suffix in DOCX_SUFFIXES | OLD_WORD_SUFFIXES:
        lines, kind = _read_word_lines(file_path)
    else:
        raise ImportRefused(
            f"不支持的文件类型“{file_path.suffix or '（无扩展名）'}”，请使用 .txt、.docx、.doc、.wps、.pdf 或网页另存的 .html 文件 "
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


def _read_pdf_lines(file_path: Path) -> list[str]:
    """The text lines of a PDF's text layer, page by page in pdfminer's reading order (page
    footers and lines broken inside a word are the cleanup's: as in a hard-wrapped .txt)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.psexceptions import PSException

    with file_path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise ImportRefused("文件已损坏或不是 PDF 文件 (the file is not a PDF or is damaged)")
    lines: list[str] = []
    try:
        for page in extract_pages(str(file_path), laparams=LAParams(), maxpages=MAX_PDF_PAGES + 1):
            if page.pageid > MAX_PDF_PAGES:
                raise ImportRefused(
                    f"PDF 超过 {MAX_PDF_PAGES} 页，不像一份行动方案 (the PDF has more than {MAX_PDF_PAGES} pages)"
                )
            for element in page:
                if isinstance(element, LTTextContainer):
                    lines.extend(
                        line.get_text().rstrip("\n") for line in element if isinstance(line, LTTextLine)
                    )
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ImportRefused("PDF 文件有密码保护，请去除密码后再导入 (the PDF is password-protected)") from None
    except ImportRefused:
        raise
    except (PSException, ValueError, TypeError, KeyError, AttributeError, IndexError, AssertionError):
        raise ImportRefused("PDF 文件已损坏，无法读取 (the PDF is damaged and cannot be read)") from None
    if not any(line.strip() for line in lines):
        raise ImportRefused(
            "PDF 中没有文字，可能是扫描件：请用带文字层的 PDF、Word 或文本文件导入 "
            "(the PDF has no text layer, perhaps a scan: import a PDF with text, a Word or a text file)"
        )
    return lines


class _PageText(HTMLParser):
    """The text of a saved web page, a line per block (paragraph, heading, list item, line
    break) and a table row per line with its cells joined by " | "; scripts, styles and the
    site's navigation, header and footer left out."""

    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section", "article", "title"}
    SKIPPED = {"script", "style", "nav", "header", "footer", "noscript", "iframe", "select", "button"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.lines.append("")
        elif tag in ("td", "th") and self.lines[-1].strip():
            self.lines[-1] += " | "

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.lines.append("")

    def handle_data(self, data):
        if not self.skipping:
            self.lines[-1] += data.replace("\n", " ")


def html_lines(text: str) -> list[str]:
    """The lines of a saved web page (see _PageText); blank lines dropped."""
    parser = _PageText()
    parser.feed(text)
    parser.close()
    return [line.strip() for line in parser.lines if line.strip()]


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
        if suffix in DOCX_SUFFIXES and _word_fib_flags(data) is None:  # an .xls or the like named .docx
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
    return "Word 文件设有打开密码，请取消密码后再导入 (the document is password-protected; remove the password and import it again)"


def _refuse_encrypted_ole(data: bytes) -> None:
    """Refuse an OLE2 file with a password: an encrypted .docx (an OLE2 wrapper with an
    EncryptionInfo stream) or a Word 97-2003 file whose FIB says fEncrypted."""
    flags = _word_fib_flags(data)
    if ENCRYPTION_STREAM in data or (flags is not None and flags & FIB_ENCRYPTED):
        raise ImportRefused(_password_protected())


FIB_ENCRYPTED = 0x0100  # FibBase bit F ([MS-DOC] 2.5.2): the document is encrypted or XOR-obfuscated
FIB_IDENT = 0xA5EC  # FibBase.wIdent of every Word 97-2003 document
_END_OF_CHAIN = 0xFFFFFFFA  # sector numbers at or above this end a chain ([MS-CFB] 2.1)


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
            "(LibreOffice is not installed, so .doc and .wps files cannot be read; save the file as .docx in Word or WPS and import that)"
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
            f"用LibreOffice转换.{kind}文件超时（超过{CONVERSION_TIMEOUT_SECONDS}秒），文件可能已损坏；请在Word或WPS中另存为.docx后导入 "
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


_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
</oor:items>
"""


def _word_fib_flags(data: bytes) -> int | None:
    """The FibBase flags of the WordDocument stream of an OLE2 compound file ([MS-CFB],
    [MS-DOC] 2.5.2), or None when it holds no Word document or cannot be followed. Reads only
    the header, the FAT and directory sectors and the stream's first bytes; every chain is
    bounded by the file's sector count, so a looping or damaged file ends the walk."""
    try:
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            return None
        size = 1 << shift
        sectors = max(0, (len(data) - size) // size)

        def sector(number: int) -> bytes:
            if number >= sectors:
                raise ValueError("sector out of the file")
            return data[(number + 1) * size:(number + 2) * size]

        fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < _END_OF_CHAIN]
        difat, hops = struct.unpack_from("<I", data, 0x44)[0], 0
        while difat < _END_OF_CHAIN and hops < sectors:
            entries = struct.unpack(f"<{size // 4}I", sector(difat))
            fat_sectors.extend(n for n in entries[:-1] if n < _END_OF_CHAIN)
            difat, hops = entries[-1], hops + 1
        per_sector = size // 4

        def chain(start: int):
            number, hops = start, 0
            while number < _END_OF_CHAIN and hops <= sectors:
                yield number
                fat = sector(fat_sectors[number // per_sector])
                number, hops = struct.unpack_from("<I", fat, (number % per_sector) * 4)[0], hops + 1

        entries = [entry for number in chain(struct.unpack_from("<I", data, 0x30)[0])
                   for entry in (sector(number)[at:at + 128] for at in range(0, size, 128))]
        root, word = entries[0], None
        for entry in entries:
            name_bytes = struct.unpack_from("<H", entry, 0x40)[0]
            if entry[0x42] == 2 and entry[:max(0, name_bytes - 2)].decode("utf-16-le", "replace") == "WordDocument":
                word = entry
                break
        if word is None:
            return None
        start, length = struct.unpack_from("<II", word, 0x74)
        if length < struct.unpack_from("<I", data, 0x38)[0]:  # in the mini stream, 64-byte sectors of the root's
            mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
            offset = start * mini
            root_sectors = chain(struct.unpack_from("<I", root, 0x74)[0])
            for _ in range(offset // size):
                next(root_sectors)
            head = sector(next(root_sectors))[offset % size:][:12]
        else:
            head = sector(start)[:12]
        ident, _nfib, _unused, _lid, _next, flags = struct.unpack("<6H", head)
    except (struct.error, ValueError, IndexError, StopIteration):
        return None
    return flags if ident == FIB_IDENT else None


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
        raise ImportRefused("这是旧版 Word 文件（.doc），请在 Word 中另存为 .docx 后再导入 (this is an old .doc file; save it as .docx)")
    if not data.startswith(ZIP_SIGNATURES):
        raise ImportRefused(_corrupt_docx(name))
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
            check_zip_members(members, max_uncompressed_bytes=MAX_DOCX_INFLATED_BYTES)
            names = {member.filename.lower() for member in members}
            if "[content_types].xml" not in names or not any(n.startswith("word/") for n in names):
                raise ImportRefused(
                    "文件是压缩包，但不是 Word 文档（.docx），请使用 .txt 或 .docx 文件 (the file is a zip archive, not a Word document)"
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
            parser = DefusedExpatParser(namespaceHandling=1, forbid_dtd=True, forbid_entities=True, forbid_external=True)
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


def docx_lines(document) -> list[str]:
    """Body paragraphs and table rows of a python-docx Document, in document order.

    A paragraph gives one line, after the label Word's list numbering shows before it
    ("一、", "（一）", "1."; see `ListNumbering`), which is not in its text. A table row gives
    one line of its cells joined by a tab; a cell merged across columns appears once; line
    breaks inside a cell are removed (a cell with one unit per line keeps them apart, see
    `join_cell_lines`).
    """
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    labels = ListNumbering.of(document).labels(document.element.body)
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(_labelled(labels.get(child, ""), Paragraph(child, document).text))
        elif tag == "tbl":
            lines.extend(_table_lines(Table(child, document), labels))
    return lines


def _table_lines(table, labels: dict) -> list[str]:
    lines = []
    for row in table.rows:
        seen_cells = []
        texts = []
        for cell in row.cells:
            if any(cell._tc is seen for seen in seen_cells):
                continue
            seen_cells.append(cell._tc)
            text = "\n".join(_labelled(labels.get(paragraph._p, ""), paragraph.text) for paragraph in cell.paragraphs)
            texts.append(join_cell_lines(text.splitlines()))
        lines.append(CELL_SEPARATOR.join(texts))
    return lines


def _labelled(label: str, text: str) -> str:
    """A paragraph's text after its list label: right after one ending in punctuation or a
    symbol ("一、", "（1）", "①"), after a space where the label ends in a word ("第一条")."""
    if not label:
        return text
    if text and unicodedata.category(label[-1])[0] in "LN" and unicodedata.category(label[-1]) != "No":
        return f"{label} {text}"
    return label + text


# --- Word list numbering -----------------------------------------------------------------------
def _w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


def _val(element, path: str, default=None):
    """The w:val of the child at `path` (w: names separated by /) of `element`, or `default`."""
    for name in path.split("/"):
        element = element.find(_w(name)) if element is not None else None
    return default if element is None else element.get(_w("val"), default)


def _number(text, default: int | None = None) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default


MAX_LABEL_TEMPLATE = 40  # characters of a level's lvlText: a real one is "%1、" or "（%1）"
MAX_LIST_START = 32767  # Word's own limit on a level's start value


class _Level:
    """One level (w:lvl) of a list definition: how it numbers and how it shows its number."""

    def __init__(self, element):
        self.start = min(max(_number(_val(element, "start"), 0), 0), MAX_LIST_START)
        self.format = _val(element, "numFmt", "decimal")
        self.template = _val(element, "lvlText", "")
        if len(self.template) > MAX_LABEL_TEMPLATE:
            self.template = ""
        legal = element.find(_w("isLgl"))
        self.legal = legal is not None and legal.get(_w("val"), "true") not in ("0", "false", "off")
        self.restart = _number(_val(element, "lvlRestart"))  # None: after any higher level; 0: never
        self.style = _val(element, "pStyle")


class ListNumbering:
    """The labels Word puts before numbered paragraphs, which python-docx's text leaves out.

    A paragraph is numbered by its own w:numPr or its style's (through w:basedOn): a list
    instance (w:num, numId) of a list definition (w:abstractNum) and a level (ilvl). Counting
    follows Word: list instances of one definition share its counters, except that an instance
    whose w:lvlOverride sets a w:startOverride starts that level again the first time it is
    used; a level counts on from its w:start, and a paragraph at one level restarts the levels
    below it (unless their w:lvlRestart says otherwise). The label is the level's w:lvlText
    with each %N replaced by level N's number in that level's w:numFmt (decimal,
    chineseCounting, ideographTraditional, decimalEnclosedCircleChinese, …); bullets give none.
    """

    def __init__(self, numbering=None, styles=None):
        self.definitions: dict[str, dict[int, _Level]] = {}
        self.style_links: dict[str, str] = {}  # abstractNumId -> the style whose list it uses (w:numStyleLink)
        self.instances: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self.style_numbers: dict[str, tuple[str | None, int | None]] = {}
        self.default_style = None
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()

    @classmethod
    def of(cls, document) -> "ListNumbering":
        """The numbering of a python-docx Document (none when it has no numbering part)."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        def part(relationship):
            try:
                return document.part.part_related_by(relationship).element
            except (KeyError, AttributeError):
                return None

        return cls(part(RT.NUMBERING), part(RT.STYLES))

    def _read_numbering(self, numbering) -> None:
        for definition in numbering.iterchildren(_w("abstractNum")):
            key = definition.get(_w("abstractNumId"))
            self.definitions[key] = {
                _number(level.get(_w("ilvl")), 0): _Level(level) for level in definition.iterchildren(_w("lvl"))
            }
            link = _val(definition, "numStyleLink")
            if link:
                self.style_links[key] = link
        for instance in numbering.iterchildren(_w("num")):
            starts, levels = {}, {}
            for override in instance.iterchildren(_w("lvlOverride")):
                level = _number(override.get(_w("ilvl")), 0)
                start = _number(_val(override, "startOverride"))
                if start is not None:
                    starts[level] = min(max(start, 0), MAX_LIST_START)
                definition = override.find(_w("lvl"))
                if definition is not None:
                    levels[level] = _Level(definition)
            self.instances[instance.get(_w("numId"))] = (_val(instance, "abstractNumId"), starts, levels)

    def _read_styles(self, styles) -> None:
        own, based_on = {}, {}
        for style in styles.iterchildren(_w("style")):
            if style.get(_w("type")) != "paragraph":
                continue
            name = style.get(_w("styleId"))
            own[name] = (_val(style, "pPr/numPr/numId"), _number(_val(style, "pPr/numPr/ilvl")))
            based_on[name] = _val(style, "basedOn")
            if style.get(_w("default")) in ("1", "true", "on"):
                self.default_style = name
        for name in own:
            number, level, seen, current = None, None, set(), name
            while current in own and current not in seen:  # the style's own numPr, else its base's
                seen.add(current)
                number = own[current][0] if number is None else number
                level = own[current][1] if level is None else level
                current = based_on[current]
            self.style_numbers[name] = (number, level)

    def _definition(self, instance: str) -> tuple[str, dict[int, _Level]] | None:
        """The list definition an instance uses, through numStyleLink indirections."""
        key = self.instances.get(instance, (None,))[0]
        for _ in range(4):
            link = self.style_links.get(key)
            if link is None:
                break
            linked = self.style_numbers.get(link, (None, None))[0]
            key = self.instances.get(linked, (None,))[0]
        if key not in self.definitions:
            return None
        return key, self.definitions[key]

    def labels(self, body) -> dict:
        """{paragraph element: label} for every numbered paragraph of the body, counted in
        document order: body paragraphs and the paragraphs of table cells, row by row."""
        labels = {}
        if not self.instances:
            return labels

        def walk(element):
            for child in element.iterchildren():
                if child.tag == _w("p"):
                    label = self.label(child)
                    if label:
                        labels[child] = label
                elif child.tag in (_w("tbl"), _w("tr"), _w("tc")):
                    walk(child)

        walk(body)
        return labels

    def label(self, paragraph) -> str:
        """The label of one paragraph element, counting it; "" when it is not numbered."""
        style = _val(paragraph, "pPr/pStyle", self.default_style)
        style_number, style_level = self.style_numbers.get(style, (None, None))
        instance = _val(paragraph, "pPr/numPr/numId", style_number)
        if instance is None or instance == "0" or instance not in self.instances:
            return ""
        found = self._definition(instance)
        if found is None:
            return ""
        key, levels = found
        _abstract, starts, overrides = self.instances[instance]
        levels = {**levels, **overrides}
        level = _number(_val(paragraph, "pPr/numPr/ilvl"), style_level)
        if level is None:
            level = next((n for n, lvl in levels.items() if style and lvl.style == style), 0)
        if level not in levels:
            return ""
        counters = self.counters.setdefault(key, {})
        if instance not in self.started:
            self.started.add(instance)
            for overridden, start in starts.items():
                counters[overridden] = start - 1  # the next paragraph at that level shows `start`
                for lower in [n for n in counters if n > overridden]:
                    del counters[lower]
        counters[level] = counters[level] + 1 if level in counters else levels[level].start
        for lower in [n for n in counters if n > level]:
            restart = levels[lower].restart if lower in levels else None
            if restart is None or (restart and level < restart):
                del counters[lower]
        this = levels[level]
        if this.format == "bullet":
            return ""

        def number(match) -> str:
            shown = int(match.group(1)) - 1
            if shown not in levels:
                return ""
            value = counters.get(shown, levels[shown].start)
            return format_list_number(value, "decimal" if this.legal else levels[shown].format)

        return _LEVEL_FIELD.sub(number, this.template)


_LEVEL_FIELD = re.compile(r"%([1-9])")
_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL_SIMPLIFIED = "零壹贰叁肆伍陆柒捌玖"
_CN_LEGAL_TRADITIONAL = "零壹貳參肆伍陸柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _chinese_number(n: int, digits: str = _CN_DIGITS, units: str = "十百千", *, legal: bool = False) -> str:
    """n in Chinese counting: 十, 十一, 二十, 一百零一, 一千零一十, 一万二千 (legal: 壹拾, 壹拾壹)."""
    if n == 0:
        return digits[0]
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        rest = _chinese_number(low, digits, units, legal=True) if low else ""
        return _chinese_number(high, digits, units, legal=legal) + "万" + (digits[0] if 0 < low < 1000 else "") + rest
    text, zero = "", False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit = n // power % 10
        if digit == 0:
            zero = bool(text)
            continue
        text += (digits[0] if zero else "") + digits[digit] + unit
        zero = False
    if not legal and 10 <= n < 20:
        text = text[1:]  # 十一, not 一十一
    return text


def _enclosed(n: int, ranges: tuple[tuple[int, int, int], ...]) -> str | None:
    for first, last, code in ranges:
        if first <= n <= last:
            return chr(code + n - first)
    return None


def format_list_number(n: int, number_format: str) -> str:
    """The number n as Word shows it in a list numbered in `number_format` (ST_NumberFormat);
    a format or value it has no glyph for falls back to decimal."""
    text = None
    if number_format in ("chineseCounting", "chineseCountingThousand", "japaneseCounting",
                         "taiwaneseCounting", "taiwaneseCountingThousand", "koreanCounting"):
        text = _chinese_number(n)
    elif number_format in ("ideographDigital", "japaneseDigitalTenThousand", "taiwaneseDigital"):
        text = "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    elif number_format == "chineseLegalSimplified":
        text = _chinese_number(n, _CN_LEGAL_SIMPLIFIED, "拾佰仟", legal=True)
    elif number_format in ("ideographLegalTraditional", "japaneseLegal"):
        text = _chinese_number(n, _CN_LEGAL_TRADITIONAL, "拾佰仟", legal=True)
    elif number_format == "ideographTraditional" and 1 <= n <= 10:
        text = _HEAVENLY_STEMS[n - 1]
    elif number_format == "ideographZodiac" and 1 <= n <= 12:
        text = _EARTHLY_BRANCHES[n - 1]
    elif number_format == "ideographZodiacTraditional" and 1 <= n <= 60:
        text = _HEAVENLY_STEMS[(n - 1) % 10] + _EARTHLY_BRANCHES[(n - 1) % 12]
    elif number_format in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        text = _enclosed(n, ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1)))
    elif number_format == "decimalEnclosedFullstop":
        text = _enclosed(n, ((1, 20, 0x2488),))
    elif number_format == "decimalEnclosedParen":
        text = _enclosed(n, ((1, 20, 0x2474),))
    elif number_format == "ideographEnclosedCircle":
        text = _enclosed(n, ((1, 10, 0x3280),))
    elif number_format in ("decimalFullWidth", "decimalFullWidth2"):
        text = str(n).translate(_FULL_WIDTH_DIGITS)
    elif number_format == "decimalZero":
        text = f"{n:02d}"
    elif number_format in ("lowerLetter", "upperLetter") and 1 <= n <= 26 * 4:
        text = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        text = text.upper() if number_format == "upperLetter" else text
    elif number_format in ("lowerRoman", "upperRoman") and 1 <= n < 4000:
        text, rest = "", n
        for value, numeral in _ROMAN:
            count, rest = divmod(rest, value)
            text += numeral * count
        text = text.upper() if number_format == "upperRoman" else text
    elif number_format == "none":
        text = ""
    return str(n) if text is None else text


def join_cell_lines(parts: list[str]) -> str:
    """The lines of one table cell as one line.

    A cell listing one unit per line ("市工信局" / "市大数据局") keeps the units apart
    with "、"; any other line break inside a cell is only a wrap and is removed.
    """
    parts = [part.strip() for part in parts if part.strip()]
    if len(parts) > 1 and all(looks_like_unit(part.rstrip("、,，；;")) for part in parts):
        return "、".join(part.rstrip("、,，；;") for part in parts)
    return "".join(parts)
