"""The text lines of a saved web page (`html_lines`), for `reader.read_document`."""
from __future__ import annotations

from html.parser import HTMLParser


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
