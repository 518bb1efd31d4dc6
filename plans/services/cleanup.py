"""The scheduled clean-up (daily by default, settings.JOB_SCHEDULE): finished jobs past
JOB_KEEP_HOURS with their files, and files that no row names any more: evidence whose report,
request or plan was deleted (rows go by CASCADE, files stay), plan documents of deleted
imports, job files of deleted jobs, uploads no waiting job will read (left by a job that
crashed for good). A file younger than GRACE is left alone: its row may not
be committed yet."""
from __future__ import annotations

import datetime
import logging

from django.core.files.storage import default_storage
from django.utils import timezone

from plans.models import Attachment, Job, JobState, PlanImport, attachment_storage
from plans.services.jobs import job_storage, jobs_delete_expired

logger = logging.getLogger(__name__)

GRACE = datetime.timedelta(days=1)


def _walk(storage, folder: str):
    """Every file name under `folder` in `storage` (storage-relative)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")


def _delete_orphans(storage, folder: str, known: set[str], cutoff: datetime.datetime) -> int:
    count = 0
    for name in _walk(storage, folder):
        if name in known:
            continue
        try:
            if storage.get_modified_time(name) >= cutoff:
                continue
            storage.delete(name)
        except OSError:  # gone meanwhile, or unreadable: the next run looks again
            logger.warning("clean-up: could not remove %s", name, exc_info=True)
            continue
        count += 1
    return count


def cleanup_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Returns how many of each were removed."""
    now = now or timezone.now()
    cutoff = now - GRACE
    removed = {"jobs": jobs_delete_expired(now=now)}
    removed["evidence"] = _delete_orphans(
        attachment_storage(), "evidence", set(Attachment.objects.values_list("file", flat=True)), cutoff,
    )
    removed["plan_files"] = _delete_orphans(
        default_storage, "plan-imports",
        set(PlanImport.objects.exclude(source_file="").values_list("source_file", flat=True)), cutoff,
    )
    removed["job_files"] = _delete_orphans(
        job_storage(), "jobs", set(Job.objects.exclude(result="").values_list("result", flat=True)), cutoff,
    )
    unfinished = Job.objects.filter(state__in=[JobState.QUEUED, JobState.RUNNING]).values_list("params", flat=True)
    removed["uploads"] = _delete_orphans(
        job_storage(), "uploads", {params.get("upload", "") for params in unfinished}, cutoff,
    )
    return removed
