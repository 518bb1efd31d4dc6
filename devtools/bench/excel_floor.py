"""The floor of an Excel export: what openpyxl's write-only mode alone costs to write the very
same cells. `read_back` turns an exported workbook into compact rows of (values, style
indexes, height) with its column widths and merged ranges (untimed); `write_floor` writes them
again (timed by the caller). Used by `manage.py bench` and benchmarks/export_excel.py."""
from __future__ import annotations

import datetime
from xml.etree import ElementTree


def _sheet_layout(workbook, sheet) -> tuple[dict, dict, list]:
    """Column widths and hidden flags, row heights and merged ranges, from the sheet's XML
    (a read-only worksheet exposes none of them)."""
    columns, heights, merges = {}, {}, []
    with workbook._archive.open(sheet._worksheet_path) as source:
        for _event, element in ElementTree.iterparse(source, events=("end",)):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "col":
                for index in range(int(element.get("min")), int(element.get("max")) + 1):
                    columns[index] = (float(element.get("width", 0)), element.get("hidden") in ("1", "true"))
            elif tag == "row":
                if element.get("ht"):
                    heights[int(element.get("r"))] = float(element.get("ht"))
                element.clear()
            elif tag == "mergeCell":
                merges.append(element.get("ref"))
    return columns, heights, merges


def _original(cell):
    """The value as the exporter passed it: dates come back as midnight datetimes, empty
    strings as None."""
    value = cell.value
    if value is None and cell.data_type in ("s", "inlineStr"):
        return ""
    if isinstance(value, datetime.datetime) and cell.is_date and value.time() == datetime.time(0):
        return value.date()
    return value


def read_back(source) -> dict:
    """The exported workbook (a path or file object) as {"styles", "style_names", "sheets",
    "cells", "rows"}; picklable."""
    from openpyxl import load_workbook
    from openpyxl.cell.read_only import EmptyCell

    from plans.exports import indicator_sheet
    from plans.exports.styles import named_styles

    known_styles = named_styles() + indicator_sheet.named_styles()
    workbook = load_workbook(source, read_only=True)
    # A read-only cell has no .style; like Cell.style, map its xfId to the named style's name.
    names = list(workbook._named_styles.names)
    unknown = set(names) - {style.name for style in known_styles} - {"Normal"}
    if unknown:
        raise ValueError(f"named styles not in the export's named_styles(): {sorted(unknown)}")
    sheets, cells = [], 0
    for sheet in workbook.worksheets:
        columns, heights, merges = _sheet_layout(workbook, sheet)
        rows = []
        for number, row in enumerate(sheet.iter_rows(), start=1):
            row = list(row)
            while row and isinstance(row[-1], EmptyCell):
                row.pop()
            values = tuple(None if isinstance(cell, EmptyCell) else _original(cell) for cell in row)
            styles = tuple(-1 if isinstance(cell, EmptyCell) else cell.style_array.xfId for cell in row)
            cells += sum(style >= 0 for style in styles)
            rows.append((values, styles, heights.get(number)))
        sheets.append({"title": sheet.title, "columns": columns, "merges": merges, "rows": rows})
    workbook.close()
    # The NamedStyle objects themselves: pickle keeps their number format, copy.copy would drop it.
    return {
        "styles": known_styles, "style_names": names, "sheets": sheets,
        "cells": cells, "rows": sum(len(sheet["rows"]) for sheet in sheets),
    }


def write_floor(data: dict, target) -> None:
    """Write the cells of `read_back` with openpyxl write-only mode and save to `target`."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange

    names = data["style_names"]
    workbook = Workbook(write_only=True)
    arrays = {}
    for style in data["styles"]:
        workbook.add_named_style(style)
        arrays[style.name] = style.as_tuple()
    arrays["Normal"] = workbook._named_styles["Normal"].as_tuple()
    by_index = [arrays[name] for name in names]
    for sheet_data in data["sheets"]:
        sheet = workbook.create_sheet(sheet_data["title"])
        for index, (width, hidden) in sheet_data["columns"].items():
            dimension = sheet.column_dimensions[get_column_letter(index)]
            dimension.width, dimension.hidden = width, hidden
        for number, (values, styles, height) in enumerate(sheet_data["rows"], start=1):
            cells = []
            for value, style in zip(values, styles):
                if style < 0:
                    cells.append(None)
                    continue
                # a cell carrying its named style's array, as plans.exports.cells.cell makes it
                cell = Cell(sheet, row=1, column=1, value=value, style_array=by_index[style])
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            if height:
                sheet.row_dimensions[number].height = height
            sheet.append(cells)
            if height:
                del sheet.row_dimensions[number]
        for ref in sheet_data["merges"]:
            sheet.merged_cells.ranges.add(CellRange(ref))
    workbook.save(target)
