"""Jobs (后台任务): create, start, report progress, finish or fail, and the scheduled runs'
guard. A job's row is the one record every app host and worker reads, so each step is a short
transaction on that row:

- `job_create` writes the row (queued); the caller then hands its id to the queue.
- `job_begin` is the first thing a worker does: it refuses a job that is finished (a retried
  or duplicated message does nothing twice) and one that another worker is running now (its
  heartbeat is fresh: `JobBusy`, the message is tried again later); a job whose worker fell
  silent for LEASE is taken over.
- `job_progress` records how far it got, at most every PROGRESS_EVERY seconds.
- `job_finish` keeps the file and notifies the person who asked, once: the row is locked, and
  a job already done keeps its first file and sends nothing.
- `scheduled_job` gives a scheduled run its row, keyed by name and time slot: two schedulers
  sending the same run produce one row, and only the one that made it runs."""
from __future__ import annotations

import datetime
import logging
import time
import uuid

from django.conf import settings
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plans.models import Job, JobKind, JobState, attachment_storage

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(seconds=30)  # a running job whose heartbeat is older is taken over
PROGRESS_EVERY = 0.5  # seconds between two progress writes of one job
_last_write: dict[int, float] = {}


class JobBusy(Exception):
    """Another worker is running this job now; try again later."""


def job_storage():
    """Finished jobs' files live in the attachments' storage: one setting makes both shared
    by every host (a common path or an S3-compatible store)."""
    return attachment_storage()


def job_create(*, user, kind: str, params: dict, total: int = 0) -> Job:
    if kind not in JobKind.values:
        raise ValueError(f"unknown job kind {kind!r}")
    with transaction.atomic():
        return Job.objects.create(
            kind=kind, key=f"{kind}:{uuid.uuid4().hex}", params=params, total=total,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )


def scheduled_job(*, name: str, slot: int) -> Job | None:
    """The row of scheduled run `name` in time slot `slot`, or None when it already exists
    (another scheduler's message made it): that run is someone else's."""
    try:
        with transaction.atomic():
            return Job.objects.create(kind=name, key=f"{name}:{slot}", params={"slot": slot})
    except IntegrityError:
        return None


def job_begin(*, job_id: int) -> Job | None:
    """Mark the job running for this worker and return it; None when there is nothing to do
    (finished, or gone). Raises JobBusy when another worker's heartbeat is fresh."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        if job.state == JobState.RUNNING and job.heartbeat_at and now - job.heartbeat_at < LEASE:
            raise JobBusy(job_id)
        job.state, job.attempts, job.heartbeat_at = JobState.RUNNING, job.attempts + 1, now
        job.started_at = job.started_at or now
        job.done = 0
        job.save(update_fields=["state", "attempts", "heartbeat_at", "started_at", "done"])
    _last_write.pop(job_id, None)
    return job


def job_progress(*, job: Job, done: int, total: int) -> None:
    """Record progress (and the heartbeat); writes at most every PROGRESS_EVERY seconds and
    always the last step."""
    now = time.monotonic()
    if done < total and now - _last_write.get(job.pk, 0.0) < PROGRESS_EVERY:
        return
    _last_write[job.pk] = now
    job.done, job.total = min(done, total), total
    with transaction.atomic():
        Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
            done=job.done, total=job.total, heartbeat_at=timezone.now(),
        )


def job_release(*, job: Job) -> None:
    """Put a job that hit a passing failure (the database or broker away) back in the queue's
    hands: queued again, its heartbeat cleared so the retry is not taken for a live worker."""
    with transaction.atomic():
        Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(state=JobState.QUEUED, heartbeat_at=None)


def job_finish(
    *, job: Job, content=None, filename: str = "", message: str = "", outcome: dict | None = None,
) -> bool:
    """Done: keep `content` (a binary file) as the job's file, record the message and what the
    job made (`outcome`, e.g. {"sheet_import": 12}) and notify the person who asked. False
    when the job was already done (another copy finished first): nothing is written or sent."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.state == JobState.DONE:
            return False
        if content is not None:
            if locked.result:
                job_storage().delete(locked.result)
            locked.result = job_storage().save(f"jobs/{locked.pk}/{uuid.uuid4().hex}", File(content))
            locked.filename = filename
        locked.state, locked.finished_at, locked.message = JobState.DONE, timezone.now(), message
        locked.outcome = outcome or {}
        locked.done = locked.total = max(locked.total, locked.done)
        locked.save()
        _notify(locked)
    for field in ("state", "result", "filename", "done", "total", "outcome"):
        setattr(job, field, getattr(locked, field))
    _last_write.pop(job.pk, None)
    return True


def job_fail(*, job: Job, reason: str) -> None:
    with transaction.atomic():
        Job.objects.filter(pk=job.pk).exclude(state=JobState.DONE).update(
            state=JobState.FAILED, finished_at=timezone.now(), message=reason[:2000],
        )
    _last_write.pop(job.pk, None)


def _notify(job: Job) -> None:
    """One e-mail to the person who asked for a file, sent while the job's row is locked and
    recorded in it: a retried or duplicated job finds `notified_at` set and sends nothing."""
    user = job.created_by
    if job.notified_at or not job.result or user is None or not user.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("已生成：%(file)s") % {"file": job.filename}
        body = _(
            "您请求的文件已生成，可在“后台任务”页面下载，保留 %(hours)d 小时。\n\n%(file)s\n任务编号：%(id)d"
        ) % {"file": job.filename, "hours": settings.JOB_KEEP_HOURS, "id": job.pk}
    EmailMessage(subject, body, to=[user.email]).send()
    job.notified_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(notified_at=job.notified_at)


def jobs_expired(*, now: datetime.datetime | None = None):
    """Finished jobs past JOB_KEEP_HOURS, oldest first."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.JOB_KEEP_HOURS)
    return Job.objects.filter(state__in=[JobState.DONE, JobState.FAILED], finished_at__lt=cutoff).order_by("pk")


def jobs_delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete finished jobs past JOB_KEEP_HOURS and their files; returns how many."""
    count = 0
    for job in jobs_expired(now=now).iterator():
        if job.result:
            job_storage().delete(job.result)
        with transaction.atomic():
            Job.objects.filter(pk=job.pk).delete()
        count += 1
    return count
