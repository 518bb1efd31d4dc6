"""An official downloads the unit's progress sheet from the inbox, fills it in, uploads it,
reads the preview and confirms — in Chromium."""
import io

import openpyxl

from plans.exports import layout
from tests.browser.test_report_cycle import cycle, log_in, press  # noqa: F401  (the fixture, reused)
from tests.exports.conftest import column_of


def _fill(path: str, report) -> bytes:
    """The downloaded sheet with the report's row filled in, as an official would."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    key = (report.task_id, report.unit_id)  # the hidden key T<task>U<unit>V<version>H<digest>
    row = next(r for r in range(5, sheet.max_row + 1) if layout.parse_row_key(sheet.cell(r, sheet.max_column).value) == key)
    sheet.cell(row, column_of(sheet, "本期进展情况")).value = "完成8座水泥粉磨站提标改造。"
    sheet.cell(row, column_of(sheet, "完成状态")).value = "序时推进"
    sheet.cell(row, column_of(sheet, "进度(%)")).value = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_official_downloads_fills_uploads_and_confirms_the_sheet(browser, live_server, cycle, screenshot, tmp_path):  # noqa: F811
    report = cycle
    page = log_in(browser, live_server, "hb-official")
    page.goto(f"{live_server.url}/admin/inbox/")
    with page.expect_download() as download:
        page.click("text=导出本单位报送表（Excel）")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(_fill(str(saved), report))

    page.click("text=上传填好的报送表")
    page.set_input_files("#id_file", str(filled))
    press(page, "input[type=submit]")
    screenshot(page, "sheet-preview")
    assert "将修改 1 份报告" in page.content()
    report.refresh_from_db()
    assert report.progress == ""

    press(page, "input[name=_apply]")
    screenshot(page, "sheet-applied")
    page.close()  # no request left in flight when the live server stops
    report.refresh_from_db()
    assert (report.progress, report.status, report.percent) == ("完成8座水泥粉磨站提标改造。", "on_track", 60)
    assert saved.name.startswith("市环保局-进展情况表-")
