"""A large sheet, in Chromium: the official's export link leads to the job's page, which
offers the workbook once written; the page reads on a phone too."""
import openpyxl

from plans.models import Job, JobState
from tests.browser.test_report_cycle import cycle, log_in, press  # noqa: F401  (the fixture, reused)


def test_official_exports_a_large_sheet_through_its_job_page(browser, live_server, cycle, screenshot, settings, tmp_path):  # noqa: F811
    settings.EXPORT_JOB_MIN_TASKS = 1  # the plan's one task is "large"
    page = log_in(browser, live_server, "hb-official")
    page.goto(f"{live_server.url}/admin/inbox/")
    press(page, "text=导出本单位报送表（Excel）")

    job = Job.objects.get()
    assert page.url.endswith(f"/admin/jobs/{job.pk}/")
    assert job.state == JobState.DONE
    assert "已生成（1 行）" in page.content()
    screenshot(page, "export-job-ready")
    with page.expect_download() as download:
        page.click(f"text={job.filename}")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == job.filename
    assert "强化水泥粉磨站治理" in str([c.value for row in openpyxl.load_workbook(saved).worksheets[0].iter_rows()
                                  for c in row])

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/admin/jobs/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert job.filename in page.content()
    screenshot(page, "export-job-list-phone")
    page.close()
