"""The progress workbook's former single module, now split by job: styles.py (cell styles),
rows.py (what is read from the database), facts.py (what a row shows), progress_sheet.py,
summary_sheet.py, workbooks.py (the two workbooks) and download.py (the HTTP download). The
names code outside plans.exports imported from here stay importable; import from their homes."""
from __future__ import annotations

from plans.exports.cells import excel_text
from plans.exports.download import XLSX_CONTENT_TYPE
from plans.exports.download import progress_sheet_response as download
from plans.exports.facts import per_task_values, task_facts
from plans.exports.rows import CHUNK_SIZE, TaskDetails, may_export_unit, visible_nodes
from plans.exports.styles import LIGHT_FILL, named_styles
from plans.exports.workbooks import export_filename, export_plan_workbook, export_unit_workbook

__all__ = [
    "CHUNK_SIZE",
    "LIGHT_FILL",
    "XLSX_CONTENT_TYPE",
    "TaskDetails",
    "download",
    "excel_text",
    "export_filename",
    "export_plan_workbook",
    "export_unit_workbook",
    "may_export_unit",
    "named_styles",
    "per_task_values",
    "task_facts",
    "visible_nodes",
]
