"""The progress sheet (进展情况表) in LibreOffice Calc, which many offices use instead of Excel:
it opens and prints as the office expects (A4 landscape, one page wide, header
rows and page numbers on every page), and a sheet filled in and saved by Calc comes back
through the upload with exactly what was typed and nothing else changed.

Needs soffice (LibreOffice Calc) and poppler-utils (pdfinfo, pdftotext, pdftoppm): `make test`
installs them. Each conversion takes a few seconds."""
import datetime
import math
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from plans import services
from plans.exports.workbooks import export_plan_workbook, export_unit_workbook
from plans.models import ProgressReport, Role, Task, TaskStatus
from tests.exports.conftest import row_name
from tests.factories import AssignmentFactory, DeadlineFactory, ProgressReportFactory, SectionFactory, TaskFactory
from tests.test_permissions import build_world

TIMEOUT = 120  # seconds for one conversion; the first one also creates the profile
XLSX_FILTER = 'xlsx:Calc MS Excel 2007 XML'
A4_LANDSCAPE = (841.89, 595.28)  # points
TODAY = datetime.date(2016, 9, 1)


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory):
    """A private LibreOffice user profile for the session: no clash with a running Calc or another run."""
    missing = [tool for tool in ("soffice", "pdfinfo", "pdftotext", "pdftoppm") if not shutil.which(tool)]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: run `make test`, which installs LibreOffice Calc and poppler-utils")
    return tmp_path_factory.mktemp("lo-profile")


def _convert(profile: Path, source: Path, target: str, outdir: Path) -> Path:
    """Let LibreOffice open `source` and save it as `target` ("pdf", or XLSX_FILTER) in `outdir`."""
    outdir.mkdir(exist_ok=True)
    subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", target, "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=TIMEOUT,
    )
    converted = outdir / f"{source.stem}.{target.split(':')[0]}"
    assert converted.is_file(), f"LibreOffice wrote no {converted.name}"
    return converted


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)], check=True, capture_output=True, text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", sizes, re.MULTILINE)]


def _page_text(pdf: Path, page: int) -> str:
    """The page's text without spaces: pdftotext lays out CJK text with irregular gaps."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True, capture_output=True, text=True,
    ).stdout
    return re.sub(r"[ \t]+", "", text)


def _ink_span(pdf: Path, page: int, outdir: Path) -> tuple[int, int]:
    """Leftmost and rightmost dark pixel of the page rendered at 72 dpi (one pixel per point):
    the table's outer borders."""
    prefix = outdir / f"page{page}"
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-f", str(page), "-l", str(page), str(pdf), str(prefix)], check=True)
    data = next(outdir.glob(f"page{page}*.pgm")).read_bytes()
    width, height = map(int, data.split(maxsplit=3)[1:3])  # P5 <width> <height> 255, then a byte per pixel
    pixels = data[-width * height:]
    dark = [x for x in range(width) if any(pixels[y * width + x] < 128 for y in range(height))]
    return dark[0], dark[-1]


def _is_a4_landscape(size: tuple[float, float]) -> bool:
    return math.isclose(size[0], A4_LANDSCAPE[0], abs_tol=1) and math.isclose(size[1], A4_LANDSCAPE[1], abs_tol=1)


@pytest.fixture
def world(db):
    return build_world()


def _header_columns(sheet) -> dict[str, int]:
    """Header text → column: row 4, or row 3 for an ungrouped header (rows 3–4 merged, text above)."""
    columns = {}
    for column in range(1, sheet.max_column + 1):
        text = sheet.cell(4, column).value or sheet.cell(3, column).value
        columns[text] = column
    return columns


def _row_of(sheet, key: str) -> int:
    """The row whose hidden last column holds `key` ('T<task>U<unit>', then its version and digest)."""
    key_column = sheet.max_column
    assert sheet.column_dimensions[openpyxl.utils.get_column_letter(key_column)].hidden
    rows = [row for row in range(5, sheet.max_row + 1) if row_name(sheet.cell(row, key_column).value) == key]
    assert len(rows) == 1, f"{key} in rows {rows}"
    return rows[0]


# --- printing ---------------------------------------------------------------------------------
def test_unit_sheet_opens_in_libreoffice_and_prints_a4_landscape(world, lo_profile, tmp_path):
    source = tmp_path / "unit.xlsx"
    export_unit_workbook(source, user=world.users["official_a"], period=world.report_a.period, unit=world.report_a.unit, today=TODAY)

    pdf = _convert(lo_profile, source, "pdf", tmp_path / "pdf")

    sizes = _page_sizes(pdf)
    assert sizes and all(_is_a4_landscape(size) for size in sizes), sizes
    assert "燃煤替代" in _page_text(pdf, 1)


def test_long_plan_prints_one_page_wide_with_header_rows_and_page_numbers_on_every_page(world, lo_profile, tmp_path):
    plan, unit_a, period = world.task_t.plan, world.report_a.unit, world.report_a.period
    for number in range(60):
        task = TaskFactory(plan=plan, title=f"大力推广实施清洁能源第{number}项，加快燃煤锅炉拆改")
        AssignmentFactory(task=task, unit=unit_a, role=Role.RESPONSIBLE)
        DeadlineFactory(task=task)
        ProgressReportFactory(task=task, unit=unit_a, period=period)
    source = tmp_path / "plan.xlsx"
    export_plan_workbook(source, user=world.users["office"], period=period, today=TODAY)
    tasks = Task.objects.for_plan(plan).tasks().count()
    sheet = openpyxl.load_workbook(source).worksheets[0]
    margins = sheet.page_margins  # inches

    pdf = _convert(lo_profile, source, "pdf", tmp_path / "pdf")

    sizes = _page_sizes(pdf)
    total = len(sizes)
    assert all(_is_a4_landscape(size) for size in sizes), sizes
    texts = [_page_text(pdf, page) for page in range(1, total + 1)]
    for page, text in enumerate(texts, start=1):
        assert f"第{page}页共{total}页" in text, f"page {page} has no page-number footer"
    sheet_pages = [page for page, text in enumerate(texts, start=1) if "本期进展情况" in text]
    assert sheet_pages == list(range(1, len(sheet_pages) + 1)) and len(sheet_pages) >= 2
    assert all("进展汇总" in texts[page - 1] for page in range(len(sheet_pages) + 1, total + 1)), "only the summary follows"
    assert "本期进展情况" in texts[1] and "序号" in texts[1] and "备注" in texts[1], "header rows repeated on page 2"

    # One page wide: every page shows the left-hand column (the numbers run 1…62 once, in order,
    # across the pages) and the right-hand one (备注: 待填报 on every row), and the table fills
    # the printable width (A4 less the side margins) centred, neither cut nor shrunk further.
    numbers = []
    for page in sheet_pages:
        lines = texts[page - 1].splitlines()
        rows = [line for line in lines if re.match(r"\d+[^\d年月日]", line) and "页" not in line]
        numbers += [int(re.match(r"\d+", line)[0]) for line in rows]
        assert all("待填报" in line for line in rows), f"page {page} lacks the 备注 column"
    assert numbers == list(range(1, tasks + 1))
    printable = A4_LANDSCAPE[0] - (margins.left + margins.right) * 72
    for page in sheet_pages:
        left, right = _ink_span(pdf, page, tmp_path)
        assert 0.9 * printable <= right - left <= printable + 2, (page, left, right)
        assert abs((left + right) / 2 - A4_LANDSCAPE[0] / 2) <= 3, (page, left, right)

    # And as many pages as the rows need at that scale (measured from the row pitch on page 2),
    # the header rows counted again on every page after the first. Rows are not split, so a page
    # may end up to a row early: the tallest task row's share of a page per page break, 5 % of a
    # page either way besides. (The columns are narrow enough for 9-point print, layout.COLUMNS:
    # these titles wrap over several lines.)
    heights = [sheet.row_dimensions[row].height or sheet.sheet_format.defaultRowHeight for row in range(1, sheet.max_row + 1)]
    scale = _row_scale(pdf, sheet_pages[1], heights, sheet)
    body = A4_LANDSCAPE[1] - (margins.top + margins.bottom) * 72
    repeated = heights[2] + heights[3]
    needed = (sum(heights) + repeated * (len(sheet_pages) - 1)) * scale / body
    row_share = max(heights[4:]) * scale / body
    most = math.ceil(needed + row_share * (len(sheet_pages) - 1) + 0.05)
    assert math.ceil(needed - 0.05) <= len(sheet_pages) <= most, (needed, row_share, len(sheet_pages))


def _row_scale(pdf: Path, page: int, heights: list[float], sheet) -> float:
    """Points on paper per point of row height: the distance between the first and the last
    task number (under the 序号 header) on `page`, over the heights of the rows between them."""
    words = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True, capture_output=True, text=True,
    ).stdout
    boxes = [
        (float(x0), float(y0), float(x1), text)
        for x0, y0, x1, text in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>', words)
    ]
    header_left, _top, header_right, _text = next(box for box in boxes if box[3] == "序号")
    tops = {int(text): y0 for x0, y0, x1, text in boxes if text.isdigit() and header_left - 5 <= (x0 + x1) / 2 <= header_right + 5}
    row_of = {sheet.cell(row, 1).value: row for row in range(5, sheet.max_row + 1) if isinstance(sheet.cell(row, 1).value, int)}
    first, last = min(tops), max(tops)
    return (tops[last] - tops[first]) / sum(heights[row_of[first] - 1:row_of[last] - 1])


# --- returned sheets saved by LibreOffice ------------------------------------------------------
TYPED = {
    "本期进展情况": "=已完成燃煤锅炉拆改12台（不是公式）",
    "存在问题": "资金缺口较大；\n部分企业配合度不高，“煤改气”进度偏慢。\n第三行：气源紧张！",
    "下步打算": "加快推进，确保9月底前完成（剩余3台）。",
    "完成状态": "序时推进",
    "进度(%)": 65,
}


def test_sheet_filled_and_saved_in_libreoffice_uploads_exactly_what_was_typed(world, lo_profile, tmp_path):
    official, report = world.users["official_a"], world.report_a
    exported = tmp_path / "unit.xlsx"
    export_unit_workbook(exported, user=official, period=report.period, unit=report.unit, today=TODAY)
    workbook = openpyxl.load_workbook(exported)
    sheet = workbook.worksheets[0]
    row, columns = _row_of(sheet, f"T{report.task_id}U{report.unit_id}"), _header_columns(sheet)
    for header, value in TYPED.items():
        cell = sheet.cell(row, columns[header])
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # typed as text: openpyxl would otherwise store "=…" as a formula
    filled = tmp_path / "filled" / "unit.xlsx"
    filled.parent.mkdir()
    workbook.save(filled)

    saved = _convert(lo_profile, filled, XLSX_FILTER, tmp_path / "calc")

    upload = services.sheet_upload(user=official, period=report.period, file_name=saved.name, data=saved.read_bytes())
    assert (upload.state, upload.problems) == ("previewed", [])
    assert [(change["report"], change["fields"]) for change in upload.changes] == [(report.pk, {
        "progress": ["", TYPED["本期进展情况"]],
        "problems": ["", TYPED["存在问题"]],
        "next_steps": ["", TYPED["下步打算"]],
        "status": [TaskStatus.NOT_STARTED, TaskStatus.ON_TRACK],
        "percent": [None, 65],
    })]
    services.sheet_apply(user=official, sheet_import=upload)
    report.refresh_from_db()
    assert (report.progress, report.problems, report.next_steps, report.status, report.percent) == (
        TYPED["本期进展情况"], TYPED["存在问题"], TYPED["下步打算"], TaskStatus.ON_TRACK, 65,
    )


def _plan_workbook_with_everything(world, path: Path) -> Path:
    """The whole plan's workbook with unit sheets: a section row, a date, task cells merged over
    two units' rows, reports filled in with a text starting with "=", several lines, spaces."""
    plan = world.task_t.plan
    section = SectionFactory(plan=plan, position=10_000, path="三、", title="主要任务")
    for offset, task in enumerate((world.task_t, world.task_b), start=1):
        Task.objects.filter(pk=task.pk).update(parent=section, position=10_000 + offset)
    DeadlineFactory(task=world.task_t, date=datetime.date(2016, 10, 31))
    ProgressReport.objects.filter(pk=world.report_a.pk).update(
        progress="=已拆改12台\n第二行：“煤改气”", problems="无", status=TaskStatus.ON_TRACK, percent=60,
    )
    ProgressReport.objects.filter(pk=world.report_m.pk).update(next_steps="  前后有空格  ", status=TaskStatus.BEHIND, percent=0)
    export_plan_workbook(path, user=world.users["office"], period=world.report_a.period, unit_sheets=True, today=TODAY)
    return path


def test_untouched_workbook_resaved_by_libreoffice_uploads_with_no_changes(world, lo_profile, tmp_path):
    exported = _plan_workbook_with_everything(world, tmp_path / "plan.xlsx")

    saved = _convert(lo_profile, exported, XLSX_FILTER, tmp_path / "calc")

    office = world.users["office"]
    upload = services.sheet_upload(user=office, period=world.report_a.period, file_name=saved.name, data=saved.read_bytes())
    assert (upload.state, upload.problems, upload.changes) == ("previewed", [], [])


def _values(sheet) -> dict:
    return {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row if cell.value not in (None, "")}


def test_libreoffice_resave_keeps_values_dates_merges_hidden_keys_and_print_setup(world, lo_profile, tmp_path):
    exported = _plan_workbook_with_everything(world, tmp_path / "plan.xlsx")

    saved = _convert(lo_profile, exported, XLSX_FILTER, tmp_path / "calc")

    before, after = openpyxl.load_workbook(exported), openpyxl.load_workbook(saved)
    assert after.sheetnames == before.sheetnames
    for old, new in zip(before.worksheets, after.worksheets):
        assert _values(new) == _values(old), old.title
        assert sorted(map(str, new.merged_cells.ranges)) == sorted(map(str, old.merged_cells.ranges)), old.title
    full, report = after.worksheets[0], world.report_a
    deadline = full.cell(_row_of(full, f"T{report.task_id}U{report.unit_id}"), _header_columns(full)["完成时限"])
    assert deadline.value == datetime.datetime(2016, 10, 31) and deadline.is_date
    for new in after.worksheets:
        if new.title == "汇总":
            continue
        key_column = openpyxl.utils.get_column_letter(new.max_column)
        setup = new.page_setup
        assert new.column_dimensions[key_column].hidden, new.title
        assert (new.print_title_rows, setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
            "$3:$4", "landscape", 9, 1, 0,
        ), new.title
        assert new.sheet_properties.pageSetUpPr.fitToPage and new.oddFooter.center.text == "第 &P 页 共 &N 页", new.title
