"""Evidence files (佐证材料) as downloads: one file under its Chinese name, or a period's
files in one zip for the office (entries named 单位/任务序号/文件名, written into a temporary
file, in memory while small, and streamed from there). Never cached by a shared cache, never
sniffed as another type. Who may have them is the caller's check."""
from __future__ import annotations

import re
import shutil
import tempfile
import zipfile

from django.db.models import Q
from django.http import FileResponse

from plans.exports.evidence_check import CONTENT_TYPES
from plans.models import Attachment, ReportingPeriod, Unit

SPOOL_BYTES = 8 * 2**20
ZIP_CONTENT_TYPE = "application/zip"


def period_attachments(period: ReportingPeriod, unit: Unit | None = None):
    """The evidence of a period: of its reports, of the supporting units' inputs to them, of
    the completion claims filed from them, and of the extension requests filed between its
    start and end; only those of `unit` when given (the owner's unit)."""
    rows = Attachment.objects.filter(
        Q(report__period=period) | Q(supporting_input__report__period=period) | Q(claim__report__period=period)
        | Q(extension__task__plan_id=period.plan_id, extension__requested_at__date__range=(period.start, period.end))
    )
    if unit is not None:
        rows = rows.filter(
            Q(report__unit=unit) | Q(supporting_input__unit=unit) | Q(claim__unit=unit) | Q(extension__unit=unit)
        )
    return rows.select_related(
        "task", "report__unit", "supporting_input__unit", "claim__unit", "extension__unit",
    ).order_by("task__position", "uploaded_at", "pk")


def _part(text: str) -> str:
    """A folder or file name safe inside a zip: no slashes, no control characters."""
    text = re.sub(r"[\\/:*?\"<>|]+", "_", "".join(char for char in str(text) if char.isprintable())).strip(" .")
    return text or "_"


def entry_name(attachment: Attachment) -> str:
    """单位/任务序号/文件名: the owner's unit, the task's number in the plan (its path, or its
    position when it has none) and the file's own name."""
    unit = attachment.owner.unit
    task = attachment.task
    number = task.path or str(task.position + 1)
    return f"{_part(unit)}/{_part(number)}/{_part(attachment.name)}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, count = name, 1
    while candidate.lower() in taken:
        count += 1
        stem, dot, extension = name.rpartition(".")
        candidate = f"{stem} ({count}).{extension}" if dot and "/" not in extension else f"{name} ({count})"
    taken.add(candidate.lower())
    return candidate


def evidence_zip_response(attachments, filename: str) -> FileResponse:
    """The files as one zip attachment named `filename`, copied from storage one by one."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  (the response closes it)
    try:
        taken: set[str] = set()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for attachment in attachments:
                name = _unique(entry_name(attachment), taken)
                with attachment.file.open("rb") as source, archive.open(name, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, 2**20)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return private(FileResponse(out, as_attachment=True, filename=filename, content_type=ZIP_CONTENT_TYPE))


def attachment_response(attachment: Attachment) -> FileResponse:
    """One file, streamed from storage, as an attachment under its own (Chinese) name: the
    header carries it as RFC 5987 filename*=utf-8''… (Django's FileResponse)."""
    content_type = CONTENT_TYPES.get(attachment.kind, "application/octet-stream")
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name, content_type=content_type,
    )
    return private(response)


def private(response: FileResponse) -> FileResponse:
    """A download of someone's file: kept by no shared cache, its type taken as sent."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
