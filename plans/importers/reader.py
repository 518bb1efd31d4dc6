"""Read a plan document from disk into raw text lines.

`read_document` is the only entry point: it returns the document's lines (no line
endings, nothing else changed) and the kind of file it was ("txt" or "docx"). Every
failure is an `ImportRefused` with a Chinese message and a short English part.
Tables in a .docx become one line per row with cells separated by a tab, the form the
task-table parser in `structure` reads.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from .types import ImportRefused
from .units import looks_like_unit

TEXT_SUFFIXES = {".txt", ".text", ".md"}
DOCX_SUFFIXES = {".docx"}
CELL_SEPARATOR = "\t"


def read_document(path) -> tuple[list[str], str]:
    """Return (lines, kind) for a .txt or .docx file; raise ImportRefused otherwise.

    Guarantees: kind is "txt" or "docx"; at least one line has visible text.
    """
    file_path = Path(path)
    if not file_path.exists():
        raise ImportRefused(f"找不到文件：{file_path} (file not found)")
    if file_path.is_dir():
        raise ImportRefused(f"这是一个文件夹，不是文件：{file_path} (the path is a directory)")
    suffix = file_path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        lines, kind = _read_text_lines(file_path), "txt"
    elif suffix in DOCX_SUFFIXES:
        lines, kind = _read_docx_lines(file_path), "docx"
    else:
        raise ImportRefused(
            f"不支持的文件类型“{file_path.suffix or '（无扩展名）'}”，请使用 .txt 或 .docx 文件 "
            f"(unsupported file type; use .txt or .docx)"
        )
    if not any(line.strip() for line in lines):
        raise ImportRefused("文件为空 (the file is empty)")
    return lines, kind


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (BOM optional), else GB18030; raise ImportRefused if neither fits."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(
        "文件不是UTF-8或GB18030编码的文本，请另存为UTF-8后再导入 "
        "(the file is not UTF-8 or GB18030 text)"
    )


def _read_text_lines(file_path: Path) -> list[str]:
    try:
        data = file_path.read_bytes()
    except OSError as error:
        raise ImportRefused(f"无法读取文件：{file_path} (cannot read the file: {error.strerror})") from error
    if not data.strip():
        raise ImportRefused("文件为空 (the file is empty)")
    return decode_text(data).splitlines()


def _read_docx_lines(file_path: Path) -> list[str]:
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as error:  # pragma: no cover - python-docx is a requirement
        raise ImportRefused("缺少python-docx，无法读取.docx文件 (python-docx is not installed)") from error
    try:
        document = docx.Document(str(file_path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as error:
        raise ImportRefused(
            f"无法打开Word文件，文件可能已损坏：{file_path.name} (the .docx file is corrupt or not a Word file)"
        ) from error
    except OSError as error:
        raise ImportRefused(f"无法读取文件：{file_path} (cannot read the file: {error.strerror})") from error
    return docx_lines(document)


def docx_lines(document) -> list[str]:
    """Body paragraphs and table rows of a python-docx Document, in document order.

    A paragraph gives one line. A table row gives one line of its cells joined by a tab;
    a cell merged across columns appears once; line breaks inside a cell are removed
    (a cell with one unit per line keeps them apart, see `join_cell_lines`).
    """
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            lines.extend(_table_lines(Table(child, document)))
    return lines


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        seen_cells = []
        texts = []
        for cell in row.cells:
            if any(cell._tc is seen for seen in seen_cells):
                continue
            seen_cells.append(cell._tc)
            texts.append(join_cell_lines(cell.text.splitlines()))
        lines.append(CELL_SEPARATOR.join(texts))
    return lines


def join_cell_lines(parts: list[str]) -> str:
    """The lines of one table cell as one line.

    A cell listing one unit per line ("市工信局" / "市大数据局") keeps the units apart
    with "、"; any other line break inside a cell is only a wrap and is removed.
    """
    parts = [part.strip() for part in parts if part.strip()]
    if len(parts) > 1 and all(looks_like_unit(part.rstrip("、,，；;")) for part in parts):
        return "、".join(part.rstrip("、,，；;") for part in parts)
    return "".join(parts)
