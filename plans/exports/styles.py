"""The cell styles of the exported workbooks: the named-style maker (thin borders, wrapped
text), the progress sheet's named styles and which column takes which, the light cells' fills,
and `SheetWorkbook`, a write-only workbook that carries them.

Fonts are those of official documents: 宋体 (SimSun) for the body, 10 pt (at least 9 pt on
paper once the sheet is fitted to the page, layout.COLUMNS), 黑体 (SimHei) for the title and
the column headers. A cell only names its font: where the named font is not installed (a
Linux desktop, a Mac without the Windows fonts), Excel, WPS and LibreOffice substitute it.
Each font is therefore also marked GB2312 (charset 134) and of its family (serif 宋体, sans
黑体), which makes the substitute a Chinese font of the same kind (e.g. Noto Serif/Sans CJK SC,
Songti SC, 华文宋体) rather than a Latin font without the characters."""
from __future__ import annotations

import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

from plans.exports.layout import Column, chinese_labels
from plans.progress import Light

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
BODY_FONT, HEADING_FONT = "宋体", "黑体"
_GB2312 = 134  # the font's charset: the substitute for a missing font must carry Chinese
_FAMILY = {BODY_FONT: 1, HEADING_FONT: 2}  # 1 roman (serif), 2 swiss (sans): the substitute's kind
_GREY = PatternFill("solid", fgColor="F2F2F2")

LIGHT_FILL = {Light.RED: "F4B6B6", Light.YELLOW: "FCE8A6", Light.GREEN: "C9E7C4"}


def font(name: str = BODY_FONT, *, size=10, bold=False) -> Font:
    """A font named `name` (BODY_FONT, HEADING_FONT), marked GB2312 and of its family so a
    missing one falls back to a Chinese font of the same kind (see the module's docstring)."""
    return Font(name=name, size=size, bold=bold, charset=_GB2312, family=_FAMILY.get(name))


def named_style(
    name, *, size=10, bold=False, horizontal="left", vertical="top", wrap=True, border=True,
    fill=None, number_format=None, heading=False,
):
    """A named style of the sheets: 宋体 of `size` (黑体 if `heading`), thin borders unless
    `border` is false, wrapped text unless `wrap` is false; `fill` a colour (hex) or a PatternFill."""
    style = NamedStyle(name=name)
    style.font = font(HEADING_FONT if heading else BODY_FONT, size=size, bold=bold)
    style.alignment = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap)
    if border:
        style.border = _BOX
    if fill:
        style.fill = PatternFill("solid", fgColor=fill) if isinstance(fill, str) else fill
    if number_format:
        style.number_format = number_format
    return style


def light_style(light: str) -> str:
    """The named style of a red, yellow or green light cell."""
    return f"进展表-{chinese_labels(Light)[light]}"


def named_styles() -> list[NamedStyle]:
    """The sheet's named styles, new for each workbook (a NamedStyle binds to one workbook)."""
    return [
        named_style(
            "进展表-标题", size=16, bold=True, horizontal="center", vertical="center", border=False, heading=True
        ),
        named_style("进展表-表头信息", vertical="center", wrap=False, border=False),
        named_style("进展表-列标题", bold=True, horizontal="center", vertical="center", fill="D9D9D9", heading=True),
        named_style("进展表-章节", bold=True, vertical="center", fill="E7E6E6"),
        named_style("进展表-只读", fill=_GREY),
        named_style("进展表-只读居中", horizontal="center", fill=_GREY),
        named_style("进展表-日期", horizontal="center", fill=_GREY, number_format='yyyy"年"m"月"d"日"'),
        named_style("进展表-填写"),
        named_style("进展表-填写居中", horizontal="center"),
        named_style("进展表-页脚", vertical="center", border=False),
        named_style("进展表-数字", horizontal="center", vertical="center", wrap=False),
        *[
            named_style(light_style(light), bold=True, horizontal="center", fill=fill)
            for light, fill in LIGHT_FILL.items()
        ],
    ]


CELL_STYLE = {
    "number": "进展表-只读居中",
    "lead": "进展表-只读居中",
    "light": "进展表-只读居中",
    "unit": "进展表-只读居中",
    "status": "进展表-填写居中",
    "percent": "进展表-填写居中",
    "remarks": "进展表-只读",
}
STYLED_BY_VALUE = ("light", "deadline")  # the columns whose style depends on the value


def column_style(column: Column) -> str:
    """The named style of a progress sheet column's cells."""
    if column.key in CELL_STYLE:
        return CELL_STYLE[column.key]
    return "进展表-填写" if column.editable else "进展表-只读"


def value_style(column: Column, value, light: str) -> str:
    """The named style of a cell of a column in STYLED_BY_VALUE: the task's light, a date."""
    if column.key == "light":
        return light_style(light)
    if column.key == "deadline" and isinstance(value, datetime.date):
        return "进展表-日期"
    return column_style(column)


class SheetWorkbook(Workbook):
    """A write-only workbook with the sheet's named styles, each also kept as the style array
    a cell of that style carries (what `cell.style = name` would look up, cell after cell)."""

    def __init__(self):
        super().__init__(write_only=True)
        self.style_arrays = {}
        self.add_styles(named_styles())

    def add_styles(self, styles: list[NamedStyle]) -> None:
        """Add the named styles the workbook does not have yet (another sheet's own)."""
        for style in styles:
            if style.name not in self.style_arrays:
                self.add_named_style(style)
                self.style_arrays[style.name] = style.as_tuple()
