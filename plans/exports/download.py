"""Workbooks as HTTP downloads: `xlsx_response` turns a workbook writer and a file name into the
attachment every download view answers with; `progress_sheet_response` is the progress sheet's
download (the admin's and the API's), with its permission check."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils.translation import gettext as _

from plans.exports.evidence_download import private
from plans.exports.rows import may_export_unit
from plans.exports.workbooks import export_filename, export_plan_workbook, export_unit_workbook
from plans.models import ReportingPeriod, Unit, attachment_storage

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 4 * 2**20  # a workbook larger than this goes to disk while it is sent


def xlsx_response(write: Callable[[BinaryIO], None], filename: str) -> FileResponse:
    """The workbook `write` writes (to the binary file it is given) as an attachment named
    `filename` (a UTF-8 file name), streamed from a temporary file: in memory while small."""
    # not a with-block: the FileResponse closes it once sent
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    try:
        write(out)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


PAPERS = ("a4", "a3")  # what an office may print the progress sheet on (layout.paper_for)


def check_may_export(user, period: ReportingPeriod, unit: Unit | None) -> None:
    """PermissionDenied, with the sentence, when the user may not have the unit's sheet."""
    if unit is not None and not may_export_unit(user, period, unit):
        raise PermissionDenied(
            _("您不能导出%(unit)s的进展情况表：单位账号只能导出本单位的表 "
              "(you may export only your own unit's sheet)") % {"unit": unit}
        )


def progress_sheet_response(
    user, period: ReportingPeriod, *, unit: Unit | None = None, unit_sheets: bool = False, paper: str | None = None,
) -> FileResponse:
    """The unit's sheet (PermissionDenied if the user may not have it) or the plan's workbook,
    as a download, laid out for `paper` (one of PAPERS; None: the configured default)."""
    check_may_export(user, period, unit)

    def write(out):
        if unit is None:
            export_plan_workbook(out, user=user, period=period, unit_sheets=unit_sheets, paper=paper)
        else:
            export_unit_workbook(out, user=user, period=period, unit=unit, paper=paper)

    return xlsx_response(write, export_filename(period, unit))


def job_file_response(job) -> FileResponse:
    """A finished job's file, streamed from the shared storage under its download name."""
    content_type = XLSX_CONTENT_TYPE if job.filename.endswith(".xlsx") else "application/octet-stream"
    return private(FileResponse(
        attachment_storage().open(job.result, "rb"), as_attachment=True, filename=job.filename,
        content_type=content_type,
    ))
