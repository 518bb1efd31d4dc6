"""A large progress sheet is made by a job (EXPORT_JOB_MIN_TASKS, set low here): the admin
link leads to the job's page, which shows the progress while it runs and offers the file when
done; the API answers 202 with the job to poll and then the file. The file is the same
workbook the direct download gives, its requester gets one e-mail, and nobody else reaches
the job, its page or its file."""
import io
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from plans.models import Job, JobState
from tests.exports.conftest import load
from tests.exports.test_sheet_views import signed_in  # noqa: F401  (the fixture, reused)


@pytest.fixture
def as_jobs(settings):
    settings.EXPORT_JOB_MIN_TASKS = 1


def _rows(workbook) -> list[tuple]:
    return [tuple(cell for cell in row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_a_large_sheet_becomes_a_job_whose_page_offers_the_same_workbook(signed_in, sheet_world, settings):
    client = signed_in("office")
    url = reverse("progress-sheet", args=[sheet_world.period.pk])
    direct = load(b"".join(client.get(url).streaming_content))
    office = sheet_world.users["office"]
    office.email = "office@hebi.gov.cn"
    office.save()

    settings.EXPORT_JOB_MIN_TASKS = 1
    response = client.get(url)

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.state == JobState.DONE and job.created_by == office
    assert job.total == job.done == 2  # the plan's two tasks
    page = client.get(response["Location"]).content.decode()
    assert "已生成（2 行）" in page and reverse("job-file", args=[job.pk]) in page
    download = client.get(reverse("job-file", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert _rows(load(b"".join(download.streaming_content))) == _rows(direct)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["office@hebi.gov.cn"]
    listed = client.get(reverse("job-list")).content.decode()
    assert job.filename in listed


def test_the_job_page_shows_progress_while_it_runs_and_refreshes(signed_in, sheet_world):
    client = signed_in("office")
    job = Job.objects.create(kind="export", key="export:running", created_by=sheet_world.users["office"],
                             state=JobState.RUNNING, done=12_000, total=50_000)
    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "正在生成… 12,000/50,000 行" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert client.get(reverse("job-file", args=[job.pk])).status_code == 404  # not ready yet


def test_a_failed_job_says_why_and_stops_refreshing(signed_in, sheet_world):
    client = signed_in("office")
    job = Job.objects.create(kind="export", key="export:failed", created_by=sheet_world.users["office"],
                             state=JobState.FAILED, message="超过时限，已停止")
    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "失败：超过时限，已停止" in page and "http-equiv" not in page


def test_another_account_reaches_neither_the_job_nor_its_file(signed_in, sheet_world, as_jobs):
    client = signed_in("official_A")
    url = reverse("progress-sheet", args=[sheet_world.period.pk]) + f"?unit={sheet_world.units['A'].pk}"
    job_url = client.get(url)["Location"]
    job = Job.objects.get()
    assert job.state == JobState.DONE and job.params["unit"] == sheet_world.units["A"].pk

    other = signed_in("official_B")
    assert other.get(job_url).status_code == 404
    assert other.get(reverse("job-file", args=[job.pk])).status_code == 404
    assert job.filename not in other.get(reverse("job-list")).content.decode()


def test_a_unit_cannot_start_a_job_for_another_units_sheet(signed_in, sheet_world, as_jobs):
    client = signed_in("official_B")
    url = reverse("progress-sheet", args=[sheet_world.period.pk]) + f"?unit={sheet_world.units['A'].pk}"
    assert client.get(url).status_code == 403
    assert not Job.objects.exists()


def test_the_api_answers_202_with_the_job_then_the_file(sheet_world, as_jobs):
    api = APIClient()
    api.force_authenticate(sheet_world.users["office"])
    query = urlencode({"period": sheet_world.period.label})
    response = api.get(f"/api/plans/{sheet_world.plan.pk}/progress.xlsx?{query}")

    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get()
    assert body["id"] == job.pk and response["Location"] == body["url"]
    assert body["url"].endswith(f"/api/jobs/{job.pk}/")
    polled = api.get(f"/api/jobs/{job.pk}/").json()
    assert polled["state"] == "done" and polled["done"] == polled["total"] == 2
    file = api.get(polled["download"])
    assert file.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(file.streaming_content)))
    assert sheet_world.plan.title in workbook.worksheets[0]["A1"].value

    stranger = APIClient()
    stranger.force_authenticate(sheet_world.users["official_B"])
    assert stranger.get(f"/api/jobs/{job.pk}/").status_code == 404
    assert stranger.get(f"/api/jobs/{job.pk}/file/").status_code == 404
    assert stranger.get("/api/jobs/").json()["count"] == 0


def test_the_period_lists_export_action_goes_to_the_job_of_a_large_sheet(signed_in, sheet_world, as_jobs):
    client = signed_in("office")
    response = client.post(reverse("admin:plans_reportingperiod_changelist"), {
        "action": "export_sheet", "_selected_action": [sheet_world.period.pk],
    })
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.state == JobState.DONE and job.params["unit_sheets"] is False


def test_the_index_links_to_the_jobs_once_there_is_one(signed_in, sheet_world, as_jobs):
    client = signed_in("office")
    assert 'id="jobs-shortcut"' not in client.get(reverse("admin:index")).content.decode()
    client.get(reverse("progress-sheet", args=[sheet_world.period.pk]))
    assert 'id="jobs-shortcut"' in client.get(reverse("admin:index")).content.decode()


def test_a_broker_that_cannot_be_reached_fails_the_job_with_a_sentence_not_the_request(
    signed_in, sheet_world, as_jobs, settings,
):
    from tracker.celery import app

    def fresh_connections():  # pooled connections (made by earlier tests) would keep the old broker
        app._pool = None
        app.amqp._producer_pool = None

    before = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:1/0"  # nothing listens there
    settings.CELERY_BROKER_URL = app.conf.broker_url
    fresh_connections()
    try:
        response = signed_in("office").get(reverse("progress-sheet", args=[sheet_world.period.pk]))
    finally:
        app.conf.task_always_eager, app.conf.broker_url = before
        fresh_connections()
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.state == JobState.FAILED and job.message.startswith("任务队列暂时无法连接")
    page = signed_in("office").get(response["Location"]).content.decode()
    assert "失败：任务队列暂时无法连接，请稍后重试" in page
