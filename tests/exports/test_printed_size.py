"""The progress sheet printed is readable: the Hebi seed plan's sheet, converted to PDF by
LibreOffice (what an office's Calc prints), has its body text at 9 pt or more on paper
(pdfminer's LTChar.size already includes the page's scale) on A4 landscape pages by default,
and on A3 landscape pages when the office asks; a unit that has not reported reads 未填报, and
the plan's sheet ends with the signature footer the units' sheets have.

Each LibreOffice conversion takes a few seconds: two in this module."""
from __future__ import annotations

import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTTextLine

from plans import services
from plans.exports import layout
from plans.exports.workbooks import export_plan_workbook, export_unit_workbook
from plans.models import Plan, ProgressReport, ReportingPeriod, ReportState, Task
from tests.exports.conftest import TODAY, cell, column_of, filled, key_of, load, plan_bytes, row_of, unit_bytes

TIMEOUT = 180  # seconds for one conversion; the first one also creates the profile
A4_LANDSCAPE = (841.89, 595.28)  # points
A3_LANDSCAPE = (1190.55, 841.89)
MIN_PRINTED = 9.0  # points on paper
HEBI = settings.BASE_DIR / "fixtures" / "hebi-2016-blue-sky-plan.json"


def _soffice() -> str:
    found = shutil.which("soffice")
    if not found:
        pytest.skip("soffice (LibreOffice) is not installed: the printed size is measured on its PDF")
    return found


def _to_pdf(source: Path, outdir: Path, profile: Path) -> Path:
    """LibreOffice's PDF of `source` (every sheet of the workbook, as Calc prints them)."""
    subprocess.run(
        [_soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=TIMEOUT,
    )
    pdf = outdir / f"{source.stem}.pdf"
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    return pdf


@dataclass
class Line:
    text: str
    sizes: list[float]  # each character's size on paper (points)


@dataclass
class Page:
    size: tuple[float, float]  # mediabox width × height (points)
    lines: list[Line]

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


def _lines(item) -> list[Line]:
    if isinstance(item, LTTextLine):
        chars = [char for char in item if isinstance(char, LTChar)]
        return [Line(item.get_text().strip(), [char.size for char in chars if char.get_text().strip()])]
    return [line for child in getattr(item, "_objs", None) or [] for line in _lines(child)]


def _pages(pdf: Path) -> list[Page]:
    pages = []
    for page in extract_pages(str(pdf)):
        pages.append(Page((page.width, page.height), _lines(page)))  # the mediabox, as the page is shown
    return pages


def _is(size: tuple[float, float], paper: tuple[float, float]) -> bool:
    return math.isclose(size[0], paper[0], abs_tol=2) and math.isclose(size[1], paper[1], abs_tol=2)


@pytest.fixture
def hebi(db):
    """The Hebi seed plan as `make run` loads it, its latest period open (a pending report per
    responsible unit and task), a few reports filled in and submitted so the body carries the
    units' text too."""
    from django.contrib.auth import get_user_model

    from devtools.demo import demo_accounts_ensure, demo_periods_open, office_username

    call_command("loaddata", str(HEBI), verbosity=0)
    demo_accounts_ensure()
    demo_periods_open(historical=True)  # the seed plans' last periods open, as a demo of 2016 would have
    plan = Plan.objects.get(title__startswith="鹤壁市")
    period = ReportingPeriod.objects.filter(plan=plan).order_by("-start").first()
    reports = list(ProgressReport.objects.filter(period=period).order_by("pk")[:6])
    for report in reports[:4]:
        ProgressReport.objects.filter(pk=report.pk).update(
            state=ReportState.SUBMITTED, progress="已完成燃煤锅炉拆改12台，清洁能源替代工作按序时推进。",
            problems="资金缺口较大。", next_steps="加快推进，确保年底前完成。", status="on_track", percent=60,
        )
    office = get_user_model().objects.get(username=office_username(plan))
    return plan, period, office


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory):
    return tmp_path_factory.mktemp("lo-profile")


def _body_sizes(pages: list[Page], titles: list[str]) -> list[float]:
    """The sizes of the characters in lines that carry a task's title (the task rows)."""
    fragments = [title[:6] for title in titles if len(title) >= 6]
    return [size for page in pages for line in page.lines if any(f in line.text for f in fragments) for size in line.sizes]


def test_hebi_progress_sheet_prints_9pt_or_more_on_a4_landscape(hebi, lo_profile, tmp_path):
    plan, period, office = hebi
    source = tmp_path / "hebi.xlsx"
    export_plan_workbook(source, user=office, period=period, today=TODAY)

    pages = _pages(_to_pdf(source, tmp_path, lo_profile))

    sheet_pages = [page for page in pages if "本期进展情况" in page.text]
    assert len(sheet_pages) >= 2, "the plan's sheet spans pages"
    assert all(_is(page.size, A4_LANDSCAPE) for page in pages), [page.size for page in pages]
    titles = [str(task) for task in Task.objects.for_plan(plan).tasks()]
    body = _body_sizes(sheet_pages, titles)
    assert len(body) > 500, "the task rows were found on the pages"
    print(f"A4: task rows' characters {min(body):.2f}–{max(body):.2f} pt on paper")
    assert min(body) >= MIN_PRINTED, min(body)
    # every other character of the sheet too: headers, section rows, the footer and its note
    everything = [size for page in sheet_pages for line in page.lines for size in line.sizes]
    assert min(everything) >= MIN_PRINTED, sorted(everything)[:5]
    # one page wide: every page of the sheet shows the first column's header and the last's
    assert all("序号" in page.text and "备注" in page.text for page in sheet_pages)


def test_a3_when_asked_prints_a3_landscape_at_9pt_or_more(hebi, lo_profile, tmp_path):
    plan, period, office = hebi
    unit = ProgressReport.objects.filter(period=period).order_by("pk").first().unit
    source = tmp_path / "unit-a3.xlsx"
    export_unit_workbook(source, user=office, period=period, unit=unit, today=TODAY, paper="a3")
    sheet = load(source.read_bytes()).worksheets[0]
    assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (8, "landscape")

    pages = _pages(_to_pdf(source, tmp_path, lo_profile))

    sheet_pages = [page for page in pages if "本期进展情况" in page.text]
    assert sheet_pages and all(_is(page.size, A3_LANDSCAPE) for page in sheet_pages), [p.size for p in pages]
    everything = [size for page in sheet_pages for line in page.lines for size in line.sizes]
    print(f"A3: the unit sheet's characters {min(everything):.2f}–{max(everything):.2f} pt on paper")
    assert min(everything) >= MIN_PRINTED
    assert all("序号" in page.text and "备注" in page.text for page in sheet_pages)


def test_unknown_paper_is_refused(sheet_world):
    with pytest.raises(ValueError, match="a5"):
        plan_bytes(sheet_world, paper="a5")


# --- what the cells say (no LibreOffice) ------------------------------------------------------
def test_unit_that_has_not_reported_reads_未填报_never_未启动(sheet_world):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t1, "A").pk).update(
        state=ReportState.SUBMITTED, progress="已拆改12台", status="on_track",
    )
    sheet = load(plan_bytes(w)).worksheets[0]

    assert cell(sheet, key_of(w, w.t1, "A"), "完成状态").value == "序时推进"
    for unit in ("M1", "M2"):  # pending: the period's report exists, the unit has not sent it
        assert cell(sheet, key_of(w, w.t1, unit), "完成状态").value == "未填报"
    statuses = [sheet.cell(row, column_of(sheet, "完成状态")).value for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1)]
    assert "未启动" not in statuses
    unit_sheet = load(unit_bytes(w, "B")).worksheets[0]
    assert cell(unit_sheet, key_of(w, w.t2, "B"), "完成状态").value == "未填报"


def test_a_returned_sheet_with_未填报_left_as_it_was_changes_no_status(sheet_world):
    w = sheet_world
    data = filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "本期进展情况"): "已淘汰黄标车1200辆。"})
    assert cell(load(data).worksheets[0], key_of(w, w.t2, "B"), "完成状态").value == "未填报"

    upload = services.sheet_upload(user=w.users["official_B"], period=w.period, file_name="填报.xlsx", data=data)

    assert upload.problems == []
    assert [change["fields"] for change in upload.changes] == [{"progress": ["", "已淘汰黄标车1200辆。"]}]


def test_plan_sheet_ends_with_the_signature_footer(sheet_world):
    for data in (plan_bytes(sheet_world), unit_bytes(sheet_world, "A")):
        sheet = load(data).worksheets[0]
        texts = [str(sheet.cell(row, 1).value or "") for row in range(1, sheet.max_row + 1)]
        footer = [text for text in texts if text.startswith("单位负责人")]
        assert footer == [layout.FOOTER], texts[-4:]
        assert all(label in footer[0] for label in ("单位负责人", "审核人", "填报人", "联系电话"))
        assert texts.index(footer[0]) > row_of(sheet, key_of(sheet_world, sheet_world.t1, "A"))


def test_a3_widens_every_progress_sheet_of_the_workbook_and_a_setting_makes_it_the_default(sheet_world, settings):
    a4 = load(plan_bytes(sheet_world, unit_sheets=True))
    a3 = load(plan_bytes(sheet_world, unit_sheets=True, paper="A3"))
    progress_sheets = [name for name in a4.sheetnames if name != "汇总"]
    assert len(progress_sheets) >= 3  # the plan's sheet and the units'
    for name in progress_sheets:
        assert (a4[name].page_setup.paperSize, a3[name].page_setup.paperSize) == (9, 8), name
        assert a3[name].page_setup.orientation == "landscape" and a3[name].sheet_properties.pageSetUpPr.fitToPage
        assert a3[name].column_dimensions["C"].width > 1.35 * a4[name].column_dimensions["C"].width, name

    settings.PROGRESS_SHEET_PAPER = "a3"
    assert load(plan_bytes(sheet_world)).worksheets[0].page_setup.paperSize == 8
