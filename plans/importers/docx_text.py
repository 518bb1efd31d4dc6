"""The lines of a python-docx Document (`docx_lines`): body paragraphs after the label Word's
list numbering shows before them (`ListNumbering`), and table rows with their cells separated
by a tab, the form the task-table parser reads.
"""
from __future__ import annotations

import re
import unicodedata

from .list_numbers import format_list_number
from .unit_kinds import looks_like_unit

CELL_SEPARATOR = "\t"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


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


def join_cell_lines(parts: list[str]) -> str:
    """The lines of one table cell as one line.

    A cell listing one unit per line ("市工信局" / "市大数据局") keeps the units apart
    with "、"; any other line break inside a cell is only a wrap and is removed.
    """
    parts = [part.strip() for part in parts if part.strip()]
    if len(parts) > 1 and all(looks_like_unit(part.rstrip("、,，；;")) for part in parts):
        return "、".join(part.rstrip("、,，；;") for part in parts)
    return "".join(parts)
