"""Jobs (plans/services/jobs.py, plans/jobs.py): a job is run once however often its message
arrives, a busy job waits for its worker, a dead worker's job is taken over, a finished job
keeps one file and sends one e-mail, scheduled runs are keyed by time slot, the daily
clean-up removes what is no longer named, and periods open on their date."""
import datetime
import io
import os

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from plans import services
from plans.jobs import run_job, run_scheduled
from plans.models import Attachment, Job, JobKind, JobState, ProgressReport, attachment_storage
from tests.factories import (
    AccountFactory,
    AssignmentFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _job(**values) -> Job:
    user = values.pop("user", None) or UserFactory(email="office@hebi.gov.cn")
    return services.job_create(user=user, kind=values.pop("kind", JobKind.EXPORT), params=values.pop("params", {}))


def _files(folder="jobs"):
    storage = attachment_storage()
    found = []

    def walk(path):
        folders, files = storage.listdir(path)
        found.extend(f"{path}/{name}" for name in files)
        for sub in folders:
            walk(f"{path}/{sub}")

    if storage.exists(folder):
        walk(folder)
    return found


def test_a_finished_job_is_not_begun_again():
    job = _job()
    assert services.job_begin(job_id=job.pk).state == JobState.RUNNING
    services.job_finish(job=job, content=io.BytesIO(b"first"), filename="a.xlsx")

    assert services.job_begin(job_id=job.pk) is None
    assert services.job_begin(job_id=999_999) is None  # deleted meanwhile: nothing to do
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_a_job_another_worker_runs_now_is_busy_and_a_silent_ones_is_taken_over():
    job = _job()
    services.job_begin(job_id=job.pk)
    with pytest.raises(services.JobBusy):
        services.job_begin(job_id=job.pk)

    stale = timezone.now() - services.LEASE - datetime.timedelta(seconds=1)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=stale, done=7, total=10)
    taken = services.job_begin(job_id=job.pk)
    assert taken.attempts == 2 and taken.state == JobState.RUNNING
    assert Job.objects.get(pk=job.pk).done == 0  # the new attempt counts from the start


def test_a_job_finished_twice_keeps_its_first_file_and_sends_one_mail():
    job = _job()
    services.job_begin(job_id=job.pk)
    assert services.job_finish(job=job, content=io.BytesIO(b"first"), filename="进展情况表.xlsx") is True
    assert services.job_finish(job=job, content=io.BytesIO(b"second"), filename="进展情况表.xlsx") is False

    row = Job.objects.get(pk=job.pk)
    assert row.state == JobState.DONE and row.notified_at is not None
    assert _files() == [row.result]
    assert attachment_storage().open(row.result).read() == b"first"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["office@hebi.gov.cn"] and "进展情况表.xlsx" in mail.outbox[0].subject


def test_progress_is_recorded_for_a_running_job_and_its_heartbeat_moves():
    job = _job()
    services.job_begin(job_id=job.pk)
    before = Job.objects.get(pk=job.pk).heartbeat_at
    services.job_progress(job=job, done=12_000, total=50_000)
    row = Job.objects.get(pk=job.pk)
    assert (row.done, row.total) == (12_000, 50_000)
    assert row.heartbeat_at >= before


def test_a_failing_job_is_recorded_failed_with_its_reason():
    job = _job(params={"period": 999_999})  # no such period: the export cannot start
    run_job.delay(job.pk)
    row = Job.objects.get(pk=job.pk)
    assert row.state == JobState.FAILED
    assert "ReportingPeriod" in row.message and row.finished_at is not None
    assert not mail.outbox


def test_a_scheduled_run_exists_once_per_slot_however_many_schedulers_send_it(settings, monkeypatch):
    settings.JOB_SCHEDULE = {"cleanup": 3600}
    monkeypatch.setattr("plans.jobs.time.time", lambda: 7200.0 + 5)  # slot 2
    run_scheduled("cleanup")
    run_scheduled("cleanup")  # the second beat's message, same slot
    monkeypatch.setattr("plans.jobs.time.time", lambda: 3 * 3600.0 + 1)  # slot 3
    run_scheduled("cleanup")

    runs = Job.objects.filter(kind=JobKind.CLEANUP).order_by("key")
    assert [run.key for run in runs] == ["cleanup:2", "cleanup:3"]
    assert {run.state for run in runs} == {JobState.DONE}
    assert services.scheduled_job(name="cleanup", slot=2) is None


def test_an_unscheduled_name_runs_nothing(settings):
    settings.JOB_SCHEDULE = {"cleanup": 3600}
    run_scheduled("reminders")
    assert not Job.objects.exists()


def test_the_reminder_run_sends_what_send_reminders_sends(settings, monkeypatch):
    """The scheduled reminders are the command's: a late report's unit gets its e-mail once."""
    settings.JOB_SCHEDULE = {"reminders": 3600}
    today = timezone.localdate()
    period = ReportingPeriodFactory(
        start=today - datetime.timedelta(days=40), end=today - datetime.timedelta(days=10),
        due_date=today - datetime.timedelta(days=3), is_open=True,
    )
    unit = UnitFactory()
    AccountFactory(unit=unit)
    task = TaskFactory(plan=period.plan)
    AssignmentFactory(task=task, unit=unit)
    ProgressReport.objects.create(task=task, unit=unit, period=period)
    run_scheduled("reminders")
    monkeypatch.setattr("plans.jobs.time.time", lambda: 10**9)  # a later hour: already sent today
    run_scheduled("reminders")

    runs = Job.objects.filter(kind=JobKind.REMINDERS)
    assert runs.count() == 2 and {run.state for run in runs} == {JobState.DONE}
    assert len(mail.outbox) == 1


def test_periods_open_on_their_date_once(settings):
    today = timezone.localdate()
    due = ReportingPeriodFactory(start=today, end=today + datetime.timedelta(days=80),
                                 due_date=today + datetime.timedelta(days=85))
    task = TaskFactory(plan=due.plan)
    AssignmentFactory(task=task)
    later = ReportingPeriodFactory(plan=due.plan, label="later", start=today + datetime.timedelta(days=90),
                                   end=today + datetime.timedelta(days=170), due_date=today + datetime.timedelta(days=175))

    opened = services.periods_open_due(today=today)
    assert [period.pk for period in opened] == [due.pk]
    due.refresh_from_db(), later.refresh_from_db()
    assert due.is_open and not later.is_open
    assert ProgressReport.objects.filter(period=due).count() == 1
    assert due.acknowledgements.count() == 1

    services.period_close(user=UserFactory(is_superuser=True), period=due)
    assert services.periods_open_due(today=today) == []  # the office closed it: it stays closed


def test_cleanup_removes_expired_jobs_and_files_no_row_names(settings):
    settings.JOB_KEEP_HOURS = 24
    storage = attachment_storage()
    old, kept = _job(), _job()
    for job in (old, kept):
        services.job_begin(job_id=job.pk)
        services.job_finish(job=job, content=io.BytesIO(b"x"), filename="a.xlsx")
    now = timezone.now() + datetime.timedelta(days=2)  # the files above are older than a day by then
    Job.objects.filter(pk=old.pk).update(finished_at=now - datetime.timedelta(hours=25))
    Job.objects.filter(pk=kept.pk).update(finished_at=now - datetime.timedelta(hours=23))
    old_file = Job.objects.get(pk=old.pk).result
    orphan = storage.save("evidence/2016/09/orphan", ContentFile(b"left behind"))
    young = storage.save("evidence/2016/09/young", ContentFile(b"being written"))
    named = storage.save("evidence/2016/09/named", ContentFile(b"a row names it"))
    waiting = storage.save("uploads/waiting", ContentFile(b"a queued job reads it"))
    left = storage.save("uploads/left", ContentFile(b"its job failed for good"))
    _job(kind=JobKind.SHEET_CHECK, params={"upload": waiting})
    report = ProgressReport.objects.create(
        task=TaskFactory(), unit=UnitFactory(), period=ReportingPeriodFactory(),
    )
    Attachment.objects.create(report=report, task=report.task, file=named, name="a.pdf", kind="pdf", size=1, sha256="0" * 64,
                              uploaded_by=UserFactory())
    os.utime(storage.path(young), (now.timestamp(), now.timestamp()))

    removed = services.cleanup_run(now=now)

    assert removed["jobs"] == 1 and removed["evidence"] == 1 and removed["uploads"] == 1
    assert not Job.objects.filter(pk=old.pk).exists() and Job.objects.filter(pk=kept.pk).exists()
    assert not storage.exists(old_file) and not storage.exists(orphan)
    assert storage.exists(young) and storage.exists(named)
    assert storage.exists(waiting) and not storage.exists(left)
