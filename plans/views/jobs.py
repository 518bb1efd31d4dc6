"""后台任务 in the admin: a person's own jobs, one job's page (its progress while it runs,
refreshing itself; the file or the failure when it ends) and the file's download. Every host
reads the same rows and the same storage, so the page and the file work through any of them."""
from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from plans.exports.download import job_file_response
from plans.models import Job, JobState

REFRESH_SECONDS = 2
LIST_LENGTH = 50


@require_GET
@staff_member_required
def job_list(request):
    jobs = Job.objects.visible_to(request.user).select_related("created_by")[:LIST_LENGTH]
    context = {**admin.site.each_context(request), "title": _("后台任务"), "jobs": jobs}
    return render(request, "plans/job_list.html", context)


def outcome_url(job: Job) -> str | None:
    """Where a finished job's record is shown: the preview of a checked sheet, the draft of a
    parsed plan document."""
    if "sheet_import" in job.outcome:
        return reverse("sheet-import", args=[job.outcome["sheet_import"]])
    if "plan_import" in job.outcome:
        return reverse("admin:plans_planimport_change", args=[job.outcome["plan_import"]])
    return None


@require_GET
@staff_member_required
def job_detail(request, pk: int):
    """While it runs: the progress, refreshing itself. Done with a record to show: there."""
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=pk)
    target = outcome_url(job) if job.state == JobState.DONE else None
    if target:
        return redirect(target)
    context = {
        **admin.site.each_context(request),
        "title": str(job),
        "job": job,
        "refresh": None if job.finished else REFRESH_SECONDS,
        "percent": int(job.done * 100 / job.total) if job.total else 0,
        "ready": job.file_ready,
        "done": f"{job.done:,}",
        "total": f"{job.total:,}",
        "keep_hours": settings.JOB_KEEP_HOURS,
    }
    return render(request, "plans/job.html", context)


@require_GET
@staff_member_required
def job_file(request, pk: int):
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=pk)
    if not job.file_ready:
        raise Http404(_("文件尚未生成或已过期 (the file is not ready or has expired)"))
    return job_file_response(job)
