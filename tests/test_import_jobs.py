"""Large uploads checked by a job (plans/import_jobs.py, issue 19): with the thresholds set
low, the admin's sheet upload and plan upload go to the job's page, which ends on the same
preview or draft a small upload gives; a file refused while it is read ends as a failed job
with the sentence the form would show; a job run again, or taken over after its worker died
midway, keeps one record; nobody else sees the job."""
import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.exports import xlsx_reader
from plans.import_jobs import UPLOADS
from plans.jobs import RUNNERS, run_job
from plans.models import Job, JobKind, JobState, PlanImport, SheetImport, SheetImportState, attachment_storage
from tests.exports.conftest import filled, key_of, sheet_world, unit_bytes  # noqa: F401  (the fixture, reused)
from tests.exports.test_sheet_limits import SHEET, edited, replace_cell
from tests.exports.test_sheet_views import signed_in  # noqa: F401  (the fixture, reused)

ROOT = Path(__file__).resolve().parents[1]
HEBI = ROOT / "seeds" / "hebi-2016-blue-sky-plan.txt"
PLAN_ADD = reverse("admin:plans_planimport_add")


@pytest.fixture
def large(settings):
    """Every upload counts as large."""
    settings.SHEET_JOB_MIN_BYTES = settings.PLAN_JOB_MIN_BYTES = 1


def _post_sheet(client, world, data: bytes, name="填报.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("sheet-upload"), {"period": world.period.pk, "file": file})


def _post_plan(client, name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name
    return client.post(PLAN_ADD, {"file": file, "plan_year": ""})


def _filled_b(world) -> bytes:
    key = key_of(world, world.t2, "B")
    return filled(unit_bytes(world, "B"), {(key, "本期进展情况"): "后台检查的进展", (key, "进度(%)"): 40})


def _stored_uploads() -> list[str]:
    storage = attachment_storage()
    return storage.listdir(UPLOADS)[1] if storage.exists(UPLOADS) else []


# --- the admin --------------------------------------------------------------------------------
def test_a_large_sheet_goes_to_its_job_page_and_ends_on_the_same_preview_as_a_small_one(
    signed_in, sheet_world, large, settings,
):
    w, client = sheet_world, signed_in("official_B")
    data = _filled_b(w)

    response = _post_sheet(client, w, data)

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert (job.kind, job.state, job.created_by) == (JobKind.SHEET_CHECK, JobState.DONE, w.users["official_B"])
    by_job = SheetImport.objects.get()
    assert job.outcome == {"sheet_import": by_job.pk}
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0] == reverse("sheet-import", args=[by_job.pk])
    assert "后台检查的进展" in page.content.decode() and "确认导入" in page.content.decode()
    assert _stored_uploads() == []  # the bytes were kept only until the job settled

    settings.SHEET_JOB_MIN_BYTES = 10 * 2**20  # the same file, small again: checked in the request
    small = SheetImport.objects.get(pk=client.get(_post_sheet(client, w, data)["Location"]).context["sheet_import"].pk)
    assert Job.objects.count() == 1
    assert (by_job.state, by_job.changes, by_job.problems, by_job.sha256, by_job.file_name) == (
        small.state, small.changes, small.problems, small.sha256, small.file_name,
    )
    assert by_job.state == SheetImportState.PREVIEWED and by_job.changes[0]["fields"]["percent"] == [None, 40]


def test_the_job_reports_the_rows_read_while_it_runs(signed_in, sheet_world, large, monkeypatch):
    seen = []
    original = services.job_progress

    def recording(*, job, done, total):
        original(job=job, done=done, total=total)
        row = Job.objects.get(pk=job.pk)
        seen.append((row.state, row.done, row.total))

    monkeypatch.setattr(services, "job_progress", recording)
    monkeypatch.setattr(xlsx_reader, "PROGRESS_ROWS", 1)
    monkeypatch.setattr(services.jobs, "PROGRESS_EVERY", 0)
    data = _filled_b(sheet_world)  # saved as Excel saves it, declaring each sheet's size (<dimension>)
    declared = sum(sheet.declared_rows() or 0 for sheet in xlsx_reader.open_stream_workbook(data).worksheets)

    _post_sheet(signed_in("official_B"), sheet_world, data)

    assert seen and {state for state, _done, _total in seen} == {JobState.RUNNING}
    assert {total for _state, _done, total in seen} == {declared} and declared > 0
    dones = [done for _state, done, _total in seen]
    assert dones == sorted(dones) and 0 < dones[0] and dones[-1] == declared


def test_a_large_sheet_refused_while_read_ends_as_a_failed_job_with_the_forms_sentence(
    signed_in, sheet_world, large, settings,
):
    w, client = sheet_world, signed_in("official_B")
    data = edited(unit_bytes(w, "B"), SHEET, lambda xml: replace_cell(xml, "M7", '<c r="M7" t="n"><v>abc</v></c>'))

    response = _post_sheet(client, w, data)

    job = Job.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.pk]) and job.state == JobState.FAILED
    page = client.get(response["Location"])
    assert page.status_code == 200 and "失败：" in page.content.decode()
    assert f"工作表“{w.units['B']}”第7行M列" in job.message
    assert not SheetImport.objects.exists() and _stored_uploads() == []

    settings.SHEET_JOB_MIN_BYTES = 10 * 2**20
    form = _post_sheet(client, w, data).context["form"]
    assert form.errors["file"] == [job.message]


def test_what_is_not_a_workbook_is_still_refused_on_the_form_with_no_job(signed_in, sheet_world, large):
    response = _post_sheet(signed_in("official_B"), sheet_world, b"not,a,workbook\n" * 100, name="x.csv")

    assert response.status_code == 200 and "不是 Excel 工作簿" in response.content.decode()
    assert not Job.objects.exists() and not SheetImport.objects.exists() and _stored_uploads() == []


def test_a_large_plan_document_goes_to_its_job_page_and_ends_on_the_same_draft(
    signed_in, sheet_world, large, settings,
):
    client = signed_in("office")

    response = _post_plan(client, HEBI.name, HEBI.read_bytes())

    job = Job.objects.get()
    draft = PlanImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert (job.kind, job.state, job.outcome) == (JobKind.PLAN_PARSE, JobState.DONE, {"plan_import": draft.pk})
    assert (job.done, job.total) == (services.plan_drafts.UPLOAD_STEPS,) * 2
    page = client.get(response["Location"], follow=True)
    assert page.redirect_chain[-1][0] == reverse("admin:plans_planimport_change", args=[draft.pk])
    assert "鹤壁市2016年度蓝天工程暨大气污染治理实施方案" in page.content.decode()
    assert "确认导入" in page.content.decode()

    settings.PLAN_JOB_MIN_BYTES = 10 * 2**20
    small = _post_plan(client, HEBI.name, HEBI.read_bytes())
    other = PlanImport.objects.exclude(pk=draft.pk).get()
    assert small["Location"] == reverse("admin:plans_planimport_change", args=[other.pk]) and Job.objects.count() == 1
    assert (draft.source_text, draft.source_kind, draft.source_sha256, draft.source_name, draft.uploaded_by) == (
        other.source_text, other.source_kind, other.source_sha256, other.source_name, other.uploaded_by,
    )
    assert draft.source_file.read() == HEBI.read_bytes()


def test_a_large_document_that_is_no_plan_ends_as_a_failed_job_with_the_pages_sentence(
    signed_in, sheet_world, large, settings,
):
    client = signed_in("office")
    text = "这不是方案，只是一段文字。\n".encode() * 50

    response = _post_plan(client, "notes.txt", text)

    job = Job.objects.get()
    assert job.state == JobState.FAILED and job.message
    assert "失败：" in client.get(response["Location"]).content.decode()
    assert not PlanImport.objects.exists() and _stored_uploads() == []

    settings.PLAN_JOB_MIN_BYTES = 10 * 2**20
    refused = _post_plan(client, "notes.txt", text)
    assert refused.status_code == 302 and not PlanImport.objects.exists()
    shown = [str(message) for message in client.get(refused["Location"]).context["messages"]]
    assert shown == [job.message]


def test_a_file_of_a_kind_the_reader_does_not_take_is_refused_at_once(signed_in, sheet_world, large):
    client = signed_in("office")

    response = _post_plan(client, "setup.exe", b"MZ\x90\x00 not a document" * 10)

    assert not Job.objects.exists() and not PlanImport.objects.exists()
    shown = [str(message) for message in client.get(response["Location"]).context["messages"]]
    assert any("不支持的文件类型" in message for message in shown)


def test_nobody_else_sees_the_job(signed_in, sheet_world, large):
    _post_sheet(signed_in("official_B"), sheet_world, _filled_b(sheet_world))
    job = Job.objects.get()

    other = signed_in("official_A")

    assert other.get(reverse("job-detail", args=[job.pk])).status_code == 404
    assert list(other.get(reverse("job-list")).context["jobs"]) == []


# --- the runners --------------------------------------------------------------------------------
def _queued_sheet_job(world, data: bytes) -> Job:
    """A sheet job as the request makes it, not yet run."""
    storage = attachment_storage()
    name = storage.save(f"{UPLOADS}/test", io.BytesIO(data))
    return services.job_create(
        user=world.users["official_B"], kind=JobKind.SHEET_CHECK,
        params={"period": world.period.pk, "file_name": "填报.xlsx", "upload": name, "language": "zh-hans"},
    )


def test_a_job_run_again_after_it_finished_makes_no_second_upload(sheet_world):
    job = _queued_sheet_job(sheet_world, _filled_b(sheet_world))
    run_job.apply(args=[job.pk])
    run_job.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 1
    assert list(SheetImport.objects.values_list("pk", flat=True)) == [job.outcome["sheet_import"]]


def test_a_worker_dying_midway_leaves_nothing_and_the_job_taken_over_makes_one_upload(sheet_world, monkeypatch):
    job = _queued_sheet_job(sheet_world, _filled_b(sheet_world))
    finish = services.job_finish

    def killed(**kwargs):
        raise KeyboardInterrupt  # the worker stops between saving the upload and recording the job done

    monkeypatch.setattr(services, "job_finish", killed)
    with pytest.raises(KeyboardInterrupt):
        run_job.apply(args=[job.pk], throw=True)

    assert not SheetImport.objects.exists()  # the upload's transaction was rolled back
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and len(_stored_uploads()) == 1

    monkeypatch.setattr(services, "job_finish", finish)
    silent = timezone.now() - services.LEASE - datetime.timedelta(seconds=1)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=silent)
    run_job.apply(args=[job.pk])

    job.refresh_from_db()
    assert (job.state, job.attempts) == (JobState.DONE, 2)
    assert list(SheetImport.objects.values_list("pk", flat=True)) == [job.outcome["sheet_import"]]
    assert _stored_uploads() == []


def test_a_copy_of_the_job_finishing_second_rolls_its_upload_back(sheet_world):
    job = _queued_sheet_job(sheet_world, _filled_b(sheet_world))
    begun = services.job_begin(job_id=job.pk)
    first = services.sheet_upload(
        user=sheet_world.users["official_B"], period=sheet_world.period, file_name="填报.xlsx",
        data=_filled_b(sheet_world),
    )
    services.job_finish(job=Job.objects.get(pk=job.pk), outcome={"sheet_import": first.pk})  # the other copy

    RUNNERS[JobKind.SHEET_CHECK](begun)

    assert list(SheetImport.objects.values_list("pk", flat=True)) == [first.pk]
    assert Job.objects.get(pk=job.pk).outcome == {"sheet_import": first.pk}


def test_a_job_whose_upload_is_gone_fails_saying_so(sheet_world):
    job = _queued_sheet_job(sheet_world, _filled_b(sheet_world))
    attachment_storage().delete(job.params["upload"])

    run_job.apply(args=[job.pk])

    job.refresh_from_db()
    assert job.state == JobState.FAILED and "重新上传" in job.message and not SheetImport.objects.exists()
