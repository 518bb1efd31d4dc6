"""Large uploads over the API (plans/import_jobs.py, issue 19): with the thresholds set low,
POST /api/sheet-imports/ and POST /api/plan-imports/ answer 202 with the job and its address
(Location); polling it gives done with the record in `outcome`, the same record a small upload
makes, made once; a file refused while read ends as a failed job with the 400's sentence; what
is refused cheaply still is, at once; nobody else sees the job."""
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plans.exports import layout
from plans.models import Job, JobKind, JobState, PlanImport, SheetImport
from tests.api.test_plan_imports import office_account

ROOT = Path(__file__).resolve().parents[2]
HEBI = ROOT / "seeds" / "hebi-2016-blue-sky-plan.txt"
PROGRESS = "后台任务检查的进展。"


@pytest.fixture
def large(settings):
    """Every upload counts as large."""
    settings.SHEET_JOB_MIN_BYTES = settings.PLAN_JOB_MIN_BYTES = 1


def _filled_sheet(client, world) -> bytes:
    """Unit A's sheet as the API sends it, with A's progress on task T written in."""
    period = world.report_a.period
    response = client.get(
        f"/api/plans/{period.plan_id}/progress.xlsx/?period={period.label}&unit={world.report_a.unit_id}"
    )
    assert response.status_code == 200, response.content
    book = openpyxl.load_workbook(BytesIO(response.getvalue()))
    sheet = book.worksheets[0]
    column = next(cell for cell in sheet[layout.HEADER_ROW] if cell.value == "本期进展情况").column_letter
    key = (world.task_t.pk, world.report_a.unit_id)
    last = openpyxl.utils.get_column_letter(sheet.max_column)
    row = next(cell.row for cell in sheet[last] if layout.parse_row_key(cell.value) == key)
    sheet[f"{column}{row}"] = PROGRESS
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _too_long(data: bytes) -> bytes:
    """The sheet with a cell beyond the rows a returned sheet may have: a plain .xlsx, refused
    when its rows are read (xlsx_reader.MAX_ROWS)."""
    book = openpyxl.load_workbook(BytesIO(data))
    book.worksheets[0]["A200000"] = "beyond the limit"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _post_sheet(client, period, data: bytes, name="进展情况表.xlsx"):
    file = SimpleUploadedFile(name, data)
    return client.post("/api/sheet-imports/", {"period": period.pk, "file": file}, format="multipart")


def _post_plan(client, name: str, data: bytes):
    return client.post("/api/plan-imports/", {"file": SimpleUploadedFile(name, data)}, format="multipart")


def _accepted(client, response) -> dict:
    """The 202's job, polled once at its Location: jobs run in the asking process in the tests."""
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["url"] and body["url"].endswith(f"/api/jobs/{body['id']}/")
    polled = client.get(response["Location"])
    assert polled.status_code == 200
    return polled.json()


def test_a_large_sheet_is_answered_202_and_its_job_ends_with_the_same_preview(world, as_actor, large, settings):
    client, period = as_actor("official_a"), world.report_a.period
    data = _filled_sheet(client, world)

    job = _accepted(client, _post_sheet(client, period, data))

    assert (job["kind"], job["state"], job["download"]) == (JobKind.SHEET_CHECK, JobState.DONE, None)
    [made] = SheetImport.objects.all()
    assert job["outcome"] == {"sheet_import": made.pk}
    by_job = client.get(f"/api/sheet-imports/{made.pk}/").json()
    assert [change["fields"] for change in by_job["changes"]] == [{"progress": ["", PROGRESS]}]

    settings.SHEET_JOB_MIN_BYTES = 10 * 2**20
    small = _post_sheet(client, period, data)
    assert small.status_code == 201 and Job.objects.count() == 1
    ignored = {"id", "created_at"}
    assert {k: v for k, v in small.json().items() if k not in ignored} == {
        k: v for k, v in by_job.items() if k not in ignored
    }


def test_a_large_sheet_refused_while_read_is_a_failed_job_with_the_400s_sentence(world, as_actor, large, settings):
    client, period = as_actor("official_a"), world.report_a.period
    data = _too_long(_filled_sheet(client, world))

    job = _accepted(client, _post_sheet(client, period, data))

    assert job["state"] == JobState.FAILED and "100,000" in job["message"] and job["outcome"] == {}
    assert not SheetImport.objects.exists()
    settings.SHEET_JOB_MIN_BYTES = 10 * 2**20
    refused = _post_sheet(client, period, data)
    assert refused.status_code == 400 and refused.json()["detail"] == job["message"]


def test_what_is_refused_cheaply_still_is_at_once_with_no_job(world, as_actor, large):
    client, period = as_actor("official_a"), world.report_a.period

    not_a_workbook = _post_sheet(client, period, b"\x00\x01 not a workbook " * 20, name="x.xlsx")
    not_visible = _post_sheet(as_actor("other_office"), period, b"PK\x03\x04" * 20)

    assert not_a_workbook.status_code == 400 and "不是 Excel 工作簿" in not_a_workbook.json()["detail"]
    assert not_visible.status_code == 400 and not_visible.json()["errors"]["period"]
    assert not Job.objects.exists() and not SheetImport.objects.exists()


def test_a_large_plan_document_is_answered_202_and_its_job_ends_with_the_draft(api, db, large, settings):
    client = api(office_account("office"))

    job = _accepted(client, _post_plan(client, HEBI.name, HEBI.read_bytes()))

    assert (job["kind"], job["state"]) == (JobKind.PLAN_PARSE, JobState.DONE)
    [draft] = PlanImport.objects.all()
    assert job["outcome"] == {"plan_import": draft.pk}
    by_job = client.get(f"/api/plan-imports/{draft.pk}/").json()
    assert by_job["counts"]["tasks"] == 53 and by_job["uploaded_by"] == "office"

    settings.PLAN_JOB_MIN_BYTES = 10 * 2**20
    small = _post_plan(client, HEBI.name, HEBI.read_bytes())
    assert small.status_code == 201 and Job.objects.count() == 1
    assert small.json()["nodes"] == by_job["nodes"] and small.json()["units"] == by_job["units"]


def test_a_large_document_that_is_no_plan_is_a_failed_job_with_the_400s_sentence(api, db, large, settings):
    client = api(office_account("office"))
    text = "这不是方案，只是一段文字。\n".encode() * 50

    job = _accepted(client, _post_plan(client, "notes.txt", text))

    assert job["state"] == JobState.FAILED and job["message"] and not PlanImport.objects.exists()
    settings.PLAN_JOB_MIN_BYTES = 10 * 2**20
    refused = _post_plan(client, "notes.txt", text)
    assert refused.status_code == 400 and refused.json()["errors"]["file"] == [job["message"]]


def test_a_plan_document_from_someone_who_may_not_import_is_refused_with_no_job(api, world, large):
    response = _post_plan(api(world.users["official_a"]), HEBI.name, HEBI.read_bytes())

    assert response.status_code == 403 and not Job.objects.exists() and not PlanImport.objects.exists()


def test_nobody_else_sees_the_job(world, as_actor, large):
    client = as_actor("official_a")
    job = _accepted(client, _post_sheet(client, world.report_a.period, _filled_sheet(client, world)))

    for other in ("official_b", "office"):
        assert as_actor(other).get(f"/api/jobs/{job['id']}/").status_code == 404
        assert as_actor(other).get("/api/jobs/").json()["results"] == []


def test_a_failed_jobs_sentence_is_in_the_language_the_client_asked_in(world, as_actor, large, settings):
    client, period = as_actor("official_a"), world.report_a.period
    data = _too_long(_filled_sheet(client, world))
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")

    job = _accepted(client, _post_sheet(client, period, data))

    assert job["state"] == JobState.FAILED and "100,000" in job["message"]
    assert not any("\u4e00" <= char <= "\u9fff" for char in job["message"])
    settings.SHEET_JOB_MIN_BYTES = 10 * 2**20
    assert _post_sheet(client, period, data).json()["detail"] == job["message"]
