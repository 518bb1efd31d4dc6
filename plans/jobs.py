"""The jobs a Celery worker runs (or the asking process itself, with no broker configured):
`run_job` runs a job row made by plans.services.job_create, `run_scheduled` is what celery
beat sends (settings.JOB_SCHEDULE). Each job is idempotent through its row
(plans/services/jobs.py): a finished job is not run again, a job another worker is running is
tried again later, a job whose worker died is taken over; passing failures (the database or
the broker away) are retried with back-off, others recorded as the job's failure reason."""
from __future__ import annotations

import logging
import tempfile
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from kombu.exceptions import KombuError
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import services
from plans.exports.download import check_may_export, progress_sheet_response
from plans.exports.rows import unit_task_ids, visible_nodes
from plans.exports.workbooks import export_filename, export_plan_workbook, export_unit_workbook
from plans.models import Job, JobKind, ReportingPeriod, Unit

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 3
BUSY_RETRY_SECONDS = 10


def _export(job: Job) -> None:
    params, user = job.params, job.created_by
    period = ReportingPeriod.objects.visible_to(user).select_related("plan").get(pk=params["period"])
    unit = Unit.objects.get(pk=params["unit"]) if params.get("unit") else None

    def progress(done: int, total: int) -> None:
        services.job_progress(job=job, done=done, total=total)

    with tempfile.TemporaryFile() as out:
        if unit is None:
            export_plan_workbook(out, user=user, period=period, unit_sheets=bool(params.get("unit_sheets")),
                                 paper=params.get("paper"), progress=progress)
        else:
            export_unit_workbook(out, user=user, period=period, unit=unit, paper=params.get("paper"),
                                 progress=progress)
        out.seek(0)
        services.job_finish(job=job, content=out, filename=export_filename(period, unit))


def _reminders(job: Job) -> None:
    summary = services.reminders_send(today=timezone.localdate())
    services.job_finish(job=job, message="\n".join(summary.as_lines()))


def _open_periods(job: Job) -> None:
    opened = services.periods_open_due(today=timezone.localdate())
    services.job_finish(job=job, message=_("开放了 %(count)d 个报送周期") % {"count": len(opened)})


def _cleanup(job: Job) -> None:
    removed = services.cleanup_run()
    services.job_finish(job=job, message=", ".join(f"{name} {count}" for name, count in removed.items()))


RUNNERS = {
    JobKind.EXPORT: _export,
    JobKind.REMINDERS: _reminders,
    JobKind.OPEN_PERIODS: _open_periods,
    JobKind.CLEANUP: _cleanup,
}


def register(kind: str, runner) -> None:
    """Other modules add the runner of their job kind (the import checks, the plan parser)."""
    RUNNERS[kind] = runner


@shared_task(bind=True, name="plans.jobs.run_job", max_retries=None)
def run_job(self, job_id: int) -> None:
    try:
        job = services.job_begin(job_id=job_id)
    except services.JobBusy:
        if self.request.is_eager:  # the same process cannot wait for another worker
            return
        raise self.retry(countdown=BUSY_RETRY_SECONDS) from None
    if job is None:
        return
    try:
        RUNNERS[job.kind](job)
    except SoftTimeLimitExceeded:
        services.job_fail(job=job, reason=_("超过时限，已停止 (stopped: over the time limit)"))
    except TRANSIENT as exc:
        if self.request.retries < MAX_RETRIES and not self.request.is_eager:
            logger.warning("job %s: passing failure, retried (%s)", job_id, exc)
            services.job_release(job=job)
            raise self.retry(countdown=5 * 2**self.request.retries, exc=exc) from None
        logger.exception("job %s failed", job_id)
        reason = _("暂时无法完成（%(error)s），请稍后重试 (a passing failure; try again later)")
        services.job_fail(job=job, reason=reason % {"error": type(exc).__name__})
    except Exception as exc:  # recorded for the person waiting; the log has the traceback
        logger.exception("job %s failed", job_id)
        services.job_fail(job=job, reason=str(exc) or type(exc).__name__)


def job_start(job: Job) -> None:
    """Hand a job to the queue (a worker takes it) or, with no broker, run it now. A broker
    that cannot be reached fails the job with a sentence (its page says so) instead of the
    request failing."""
    try:
        run_job.delay(job.pk)
    except (KombuError, OSError):
        logger.exception("job %s: the broker cannot be reached", job.pk)
        services.job_fail(
            job=job, reason=_("任务队列暂时无法连接，请稍后重试 (the job queue cannot be reached; try again later)"),
        )


def progress_sheet_or_job(user, period: ReportingPeriod, *, unit: Unit | None = None, unit_sheets: bool = False,
                          paper: str | None = None):
    """The progress sheet as a download when small, else a started export job (the admin
    page and the API then show its progress). PermissionDenied as progress_sheet_response."""
    check_may_export(user, period, unit)
    tasks = visible_nodes(user, period).tasks()
    if unit is not None:
        tasks = tasks.filter(unit_task_ids(period, unit))
    if tasks.count() < settings.EXPORT_JOB_MIN_TASKS:
        return progress_sheet_response(user, period, unit=unit, unit_sheets=unit_sheets, paper=paper)
    params = {"period": period.pk, "unit": unit.pk if unit else None, "unit_sheets": unit_sheets, "paper": paper}
    job = services.job_create(user=user, kind=JobKind.EXPORT, params=params)
    job_start(job)
    job.refresh_from_db()
    return job


@shared_task(name="plans.jobs.run_scheduled")
def run_scheduled(name: str) -> None:
    """One scheduled run per name and time slot, however many schedulers sent it."""
    seconds = settings.JOB_SCHEDULE.get(name)
    if not seconds:
        return
    job = services.scheduled_job(name=name, slot=int(time.time()) // seconds)
    if job is not None:
        run_job.delay(job.pk)
