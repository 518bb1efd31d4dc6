"""Large uploads checked by a job (issue 19): a returned progress sheet of at least
SHEET_JOB_MIN_BYTES, a plan document of at least PLAN_JOB_MIN_BYTES. The request checks what
is cheap (size, type, the period or the right to import) and refuses bad input as it always
did; it then keeps the bytes in the jobs' shared storage (uploads/<hex>), makes the job and
starts it (plans.jobs.job_start), and the page or API follows the job. A smaller upload is
checked in the request, as before.

The runners (registered with plans.jobs for JobKind.SHEET_CHECK and PLAN_PARSE) read the
bytes back, call the same services (services.sheet_upload, services.plan_draft_upload) with a
`progress` that the job's page shows, and record the upload or draft as the job's outcome
in the transaction that saves it: a job retried after it finished makes nothing more (its row
says done), one whose worker died midway left nothing and starts again. A refusal is the job's
failure, in the words the page would have said; the stored bytes are removed once the job is
settled (kept while a passing failure waits for its retry)."""
from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import translation
from django.utils.translation import gettext as _

from plans import services
from plans.exports.upload import UploadRefused, check_workbook_bytes
from plans.importers.reader import (
    DOCX_SUFFIXES,
    HTML_SUFFIXES,
    MAX_DOCUMENT_BYTES,
    OLD_WORD_SUFFIXES,
    PDF_SUFFIXES,
    TEXT_SUFFIXES,
)
from plans.jobs import TRANSIENT, job_start, register
from plans.models import Job, JobKind, ReportingPeriod
from plans.permissions import can_create_plan

UPLOADS = "uploads"  # the folder of the jobs' storage that holds uploads waiting for their job
DOCUMENT_SUFFIXES = TEXT_SUFFIXES | DOCX_SUFFIXES | OLD_WORD_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES


class Superseded(Exception):
    """Another copy of the job recorded its outcome first: this copy's record is rolled back."""


# --- in the request ---------------------------------------------------------------------------
def sheet_job_wanted(data: bytes) -> bool:
    """A returned sheet large enough to be checked by a job, once its zip directory shows a
    plain .xlsx (what is not one is refused in the request, by the service, as before)."""
    if len(data) < settings.SHEET_JOB_MIN_BYTES:
        return False
    try:
        check_workbook_bytes(data)
    except UploadRefused:
        return False
    return True


def sheet_job_start(*, user, period: ReportingPeriod, file_name: str, data: bytes) -> Job:
    """The started job checking this upload for `period` (one the user may see)."""
    return _start(user, JobKind.SHEET_CHECK, {"period": period.pk, "file_name": file_name}, data)


def plan_job_wanted(user, *, file_name: str, size: int) -> bool:
    """A plan document large enough to be parsed by a job, of a kind the reader takes and
    within its size, from someone who may import plans (else the service refuses at once)."""
    return (
        settings.PLAN_JOB_MIN_BYTES <= size <= MAX_DOCUMENT_BYTES
        and Path(file_name or "").suffix.lower() in DOCUMENT_SUFFIXES and not can_create_plan(user)
    )


def plan_job_start(*, user, file_name: str, data: bytes, plan_year: int | None = None) -> Job:
    return _start(user, JobKind.PLAN_PARSE, {"file_name": file_name, "plan_year": plan_year}, data)


def _start(user, kind: str, params: dict, data: bytes) -> Job:
    storage = services.job_storage()
    name = storage.save(f"{UPLOADS}/{uuid.uuid4().hex}", ContentFile(data))
    try:
        job = services.job_create(
            user=user, kind=kind, params={**params, "upload": name, "language": translation.get_language()},
        )
    except BaseException:
        storage.delete(name)
        raise
    job_start(job)
    job.refresh_from_db()
    return job


# --- in the worker ----------------------------------------------------------------------------
def _sheet_check(job: Job, data: bytes) -> None:
    user, params = job.created_by, job.params
    period = ReportingPeriod.objects.visible_to(user).select_related("plan").filter(pk=params.get("period")).first()
    if period is None:
        raise ValidationError(_("报送周期不存在或不可见 (no such period)"))
    services.sheet_upload(
        user=user, period=period, file_name=params.get("file_name", ""), data=data,
        progress=_progress(job), on_saved=_finisher(job, "sheet_import"),
    )


def _plan_parse(job: Job, data: bytes) -> None:
    params = job.params
    services.plan_draft_upload(
        user=job.created_by, file_name=params.get("file_name", ""), data=data, plan_year=params.get("plan_year"),
        progress=_progress(job), on_saved=_finisher(job, "plan_import"),
    )


def _progress(job: Job):
    def progress(done: int, total: int) -> None:
        services.job_progress(job=job, done=done, total=total)

    return progress


def _finisher(job: Job, record: str):
    """Called inside the transaction saving the record: the job is done with it, or, when
    another copy of the job was done first, the record is rolled back."""
    def on_saved(saved) -> None:
        if not services.job_finish(job=job, outcome={record: saved.pk}):
            raise Superseded(job.pk)

    return on_saved


def _refusal(error: Exception) -> str:
    """The sentence the page shows for a refusal (plans.admin.common.service_refusals)."""
    return " ".join(getattr(error, "messages", None) or [str(error)])


def _with_upload(work):
    """A runner: the stored upload's bytes handed to `work`, in the language of the person
    who asked; a refusal fails the job with its sentence."""
    def run(job: Job) -> None:
        storage, name = services.job_storage(), job.params.get("upload", "")
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            if not name or not storage.exists(name):
                gone = _("上传的文件已不在，请重新上传 (the uploaded file is gone; upload it again)")
                services.job_fail(job=job, reason=gone)
                return
            with storage.open(name, "rb") as stored:
                data = stored.read()
            try:
                work(job, data)
            except Superseded:
                pass
            except (UploadRefused, ValidationError, PermissionDenied) as refusal:
                services.job_fail(job=job, reason=_refusal(refusal))
            except TRANSIENT:
                raise  # plans.jobs tries again later: the upload is still needed
            except Exception:
                storage.delete(name)
                raise
        storage.delete(name)

    return run


register(JobKind.SHEET_CHECK, _with_upload(_sheet_check))
register(JobKind.PLAN_PARSE, _with_upload(_plan_parse))
