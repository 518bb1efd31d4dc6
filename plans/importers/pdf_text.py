"""The text lines of a PDF's text layer (`read_pdf_lines`), for `reader.read_document`."""
from __future__ import annotations

from pathlib import Path

from .types import ImportRefused

MAX_PDF_PAGES = 300  # a plan runs to tens of pages; a longer PDF is something else


def read_pdf_lines(file_path: Path) -> list[str]:
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
