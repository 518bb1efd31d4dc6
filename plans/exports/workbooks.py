"""The two progress workbooks, written with openpyxl's write-only mode while the task queryset
is iterated, so memory stays flat however large the plan:

- `export_plan_workbook`: the plan's full sheet for a period (every section and task, one
  row per reporting unit, the task's cells merged down), the summary sheet with native charts,
  the indicator sheet (量化指标) when the plan has targets and, on request, one sheet per
  reporting unit.
- `export_unit_workbook`: the sheet a unit sends to the office: its own tasks, 填报单位
  filled in, the signature footer; and the indicators the unit enters the values of.

Each section row shows its roll-up (plans/rollup.py) after its title: the tasks listed below
it, how many are completed, the average reported percent; the summary sheet shows the same
per top-level section and for the plan.

Both show only what the user may see (`visible_to`); returned.py reads the sheets back. Both
take `paper` ("a4", "a3"; default settings.PROGRESS_SHEET_PAPER, else A4): the paper the
progress sheets are laid out and printed on, landscape; an unknown one is a ValueError. Both
take `progress`, a callable progress(done, total) for a background job to show how far it is:
called with the tasks written so far and the tasks of the progress sheet (the plan's, or the
unit's; counted before writing starts), every PROGRESS_EVERY (500) tasks and once at the end,
when the workbook is saved (done = total then). A plan workbook's unit sheets are not counted."""
from __future__ import annotations

import datetime

from django.utils import timezone

from plans.exports import layout
from plans.exports.facts import rows_for_full
from plans.exports.indicator_sheet import SHEET_NAME, write_indicator_sheet
from plans.exports.layout import FULL
from plans.exports.progress_sheet import write_progress_sheet, write_unit_sheet
from plans.exports.rows import sheet_rollup, sheet_targets, units_by_id, visible_nodes
from plans.exports.styles import SheetWorkbook
from plans.exports.summary_sheet import SUMMARY_SHEET, Summary, write_summary
from plans.models import ReportingPeriod, Unit
from plans.permissions import is_office


def export_plan_workbook(
    out, *, user, period: ReportingPeriod, unit_sheets: bool = False, today: datetime.date | None = None,
    paper: str | None = None, progress=None,
):
    """Write the plan's progress workbook for `period` to `out` (a path or binary file)."""
    today = today or timezone.localdate()
    printed = layout.paper_for(paper)
    workbook = SheetWorkbook()
    summary = Summary()
    taken = {SUMMARY_SHEET}
    title = layout.safe_sheet_name("进展情况表", taken)
    units = units_by_id()
    nodes = visible_nodes(user, period)
    rollups = sheet_rollup(period, None if is_office(user, period.plan_id) else nodes)
    sheet = write_progress_sheet(
        workbook, title, kind=FULL, period=period, unit=None, nodes=nodes.for_export(), today=today,
        units=units, rows_for=rows_for_full, rollups=rollups, summary=summary, paper=printed, user=user,
        progress=progress,
    )
    write_summary(workbook, period, summary, rollups, today)
    targets = sheet_targets(user, period)
    if targets:
        write_indicator_sheet(
            workbook, layout.safe_sheet_name(SHEET_NAME, taken), period=period, targets=targets, unit=None,
            today=today,
        )
    if unit_sheets:
        for unit in sorted(summary.units, key=str):
            write_unit_sheet(
                workbook, layout.safe_sheet_name(str(unit), taken), user=user, period=period, unit=unit, today=today,
                units=units, paper=printed,
            )
    workbook.save(out)
    _finished(progress, sheet)


def export_unit_workbook(
    out, *, user, period: ReportingPeriod, unit: Unit, today: datetime.date | None = None, paper: str | None = None,
    progress=None,
):
    """Write the sheet `unit` sends to the office for `period` to `out`, and after it the
    indicators the unit enters the values of (if any), so it sees what it has to enter."""
    today = today or timezone.localdate()
    printed = layout.paper_for(paper)
    workbook = SheetWorkbook()
    taken = set()
    sheet = write_unit_sheet(
        workbook, layout.safe_sheet_name(str(unit), taken), user=user, period=period, unit=unit, today=today,
        units=units_by_id(), paper=printed, progress=progress,
    )
    targets = sheet_targets(user, period, unit=unit)
    if targets:
        write_indicator_sheet(
            workbook, layout.safe_sheet_name(SHEET_NAME, taken), period=period, targets=targets, unit=unit,
            today=today,
        )
    workbook.save(out)
    _finished(progress, sheet)


def _finished(progress, sheet) -> None:
    """The final progress call: every task of the sheet written and the workbook saved."""
    if progress is not None:
        progress(sheet.number, max(sheet.total, sheet.number))


def export_filename(period: ReportingPeriod, unit: Unit | None = None) -> str:
    who = f"{unit}-" if unit else ""
    return f"{who}进展情况表-{period.plan.title[:40]}-{period.label}.xlsx"
