"""The progress roll-up (plans/rollup.py) in the workbook: each section row of the progress
sheet shows it after the title, the summary sheet per top-level section and for the plan;
the numbers are the dashboard's and the API's (plan_rollups), on the Hebi seed plan. The
section rows stay what the returned-sheet importer skips (their hidden key)."""
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from plans import services
from plans.exports import layout
from plans.exports.workbooks import export_plan_workbook
from plans.services.seeds import SEED_PLANS, fixture_path
from plans.models import (
    NodeKind,
    Plan,
    ProgressReport,
    ReportState,
    SheetImportState,
    Task,
    TaskStatus,
)
from plans.rollup import Rollup, plan_nodes_for_rollup, plan_rollups, rollup
from tests.exports.conftest import filled, keys, load, plan_bytes, row_of, unit_bytes
from tests.factories import ReportingPeriodFactory, UserFactory

TODAY = datetime.date(2016, 9, 1)


def expected_text(section: Task, totals: Rollup | None) -> str:
    """What the section row should read: the title, then (for a section with tasks) the roll-up."""
    if totals is None or not totals.tasks:
        return str(section)
    average = "—" if totals.average_percent is None else f"{totals.average_percent}%，基于 {totals.reported}/{totals.tasks} 项任务"
    return f"{section}（任务 {totals.tasks} 项，已完成 {totals.completed} 项 {totals.completed_percent}%，平均进度 {average}）"


@pytest.fixture
def hebi(db):
    """The Hebi seed plan with 2016Q3 open, a third of its tasks completed, and approved
    percents on every other task's reports (some completed tasks without a percent)."""
    call_command("loaddata", str(fixture_path(SEED_PLANS[0])), verbosity=0)
    plan = Plan.objects.get(title__startswith="鹤壁市")
    office = UserFactory(username="hebi_office")
    plan.office_staff.add(office)
    period = ReportingPeriodFactory(
        plan=plan, label="2016Q3", start=datetime.date(2016, 7, 1), end=datetime.date(2016, 9, 30), due_date=datetime.date(2016, 9, 23),
    )
    services.period_open(user=office, period=period)
    tasks = list(plan.nodes.tasks().order_by("position"))
    now = timezone.now()
    Task.objects.filter(pk__in=[task.pk for task in tasks[::3]]).update(status=TaskStatus.COMPLETED, completed_at=now)
    for number, task in enumerate(tasks[1::2]):
        ProgressReport.objects.filter(task=task, period=period).update(state=ReportState.APPROVED, percent=(number * 37) % 101, reviewed_at=now)
    return plan, period, office


def _section_rows(sheet) -> dict[int, str]:
    """Section id → the text of its row (key S<id>)."""
    column = sheet.max_column
    return {
        int(sheet.cell(row, column).value[1:]): sheet.cell(row, 1).value
        for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1)
        if layout.is_section_key(sheet.cell(row, column).value)
    }


def _export(plan, period, user, **kwargs) -> bytes:
    out = io.BytesIO()
    export_plan_workbook(out, user=user, period=period, today=TODAY, **kwargs)
    return out.getvalue()


def test_every_section_row_shows_the_roll_up_the_dashboard_and_api_compute(hebi):
    plan, period, office = hebi
    totals = plan_rollups([plan.pk])[plan.pk]

    shown = _section_rows(load(_export(plan, period, office)).worksheets[0])

    sections = {section.pk: section for section in plan.nodes.sections().filter(is_active=True)}
    assert set(shown) == set(sections)
    assert any(totals.sections[pk].completed and totals.sections[pk].average_percent for pk in sections), "a telling seed"
    assert any(not totals.sections[pk].tasks for pk in sections), "and a section without tasks"
    for pk, text in shown.items():
        assert text == expected_text(sections[pk], totals.sections[pk])


def test_summary_sheet_shows_each_top_section_and_the_plan_as_the_roll_up_does(hebi):
    plan, period, office = hebi
    totals = plan_rollups([plan.pk])[plan.pk]

    summary = load(_export(plan, period, office))["汇总"]

    header = next(row for row in range(1, summary.max_row + 1) if summary.cell(row, 1).value == "章节")
    assert [summary.cell(header, c).value for c in range(1, 8)] == [
        "章节", "任务数", "已完成", "完成率(%)", "已报进度任务", "平均进度(%)", "覆盖率(%)",
    ]
    total_row = next(row for row in range(header, summary.max_row + 1) if summary.cell(row, 1).value == "合计")
    rows = {
        summary.cell(row, 1).value: [summary.cell(row, c).value for c in range(2, 8)]
        for row in range(header + 1, total_row + 1) if summary.cell(row, 1).value
    }

    def numbers(r: Rollup) -> list:
        coverage = round(100 * r.reported / r.tasks) if r.reported else None  # no average, no coverage shown
        return [r.tasks, r.completed, r.completed_percent, r.reported, r.average_percent, coverage]

    top = plan.nodes.sections().filter(is_active=True, parent__isnull=True).order_by("position")
    assert list(rows) == [str(section) for section in top] + ["合计"]  # every task of the seed sits in a section
    for section in top:
        assert rows[str(section)] == numbers(totals.sections[section.pk])
    assert rows["合计"] == numbers(totals.plan)
    assert totals.plan.tasks == plan.nodes.tasks().count() == 53
    note = summary.cell(total_row + 1, 1).value
    if totals.plan.reported:
        assert f"基于 {totals.plan.reported}/53 项任务" in note
    else:
        assert "尚无任务报告进度" in note


def test_tasks_under_no_section_get_their_own_summary_row(sheet_world):
    w = sheet_world
    loose = Task.objects.create(plan=w.plan, kind=NodeKind.TASK, level=1, position=90, path="", title="未归章节的任务")
    Task.objects.filter(pk=loose.pk).update(status=TaskStatus.COMPLETED, completed_at=timezone.now())

    summary = load(plan_bytes(w))["汇总"]

    rows = {summary.cell(r, 1).value: [summary.cell(r, c).value for c in range(2, 7)] for r in range(4, summary.max_row + 1)}
    assert rows["（未分章节）"] == [1, 1, 100, 1, 100]  # completed without a percent counts as 100
    assert rows["合计"][:2] == [3, 1]


def test_a_units_sheet_rolls_up_the_tasks_it_lists(sheet_world):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t2, "B").pk).update(state=ReportState.APPROVED, percent=40, reviewed_at=timezone.now())
    ProgressReport.objects.filter(pk=w.report(w.t1, "A").pk).update(state=ReportState.APPROVED, percent=90, reviewed_at=timezone.now())

    shown = _section_rows(load(unit_bytes(w, "B")).worksheets[0])

    rows = [row[1:] for row in plan_nodes_for_rollup([w.plan.pk]) if row[3] == NodeKind.SECTION or row[1] == w.t2.pk]  # plan id, id, parent, kind …
    own = rollup(rows)
    sections = {section.pk: section for section in w.plan.nodes.sections()}
    assert shown and all(text == expected_text(sections[pk], own.sections[pk]) for pk, text in shown.items())
    assert shown[w.t2.parent_id].endswith("（任务 1 项，已完成 0 项 0%，平均进度 40%，基于 1/1 项任务）")  # T1 (A's, 90%) left out


def test_a_unit_account_exporting_the_plan_sees_the_roll_up_of_the_tasks_it_may_see(sheet_world):
    w = sheet_world

    shown = _section_rows(load(plan_bytes(w, user=w.users["official_B"])).worksheets[0])

    assert shown[w.t2.parent_id] == "一、(一) 燃煤治理（任务 1 项，已完成 0 项 0%，平均进度 —）"
    office_view = _section_rows(load(plan_bytes(w)).worksheets[0])
    assert office_view[w.t2.parent_id] == "一、(一) 燃煤治理（任务 2 项，已完成 0 项 0%，平均进度 —）"


def test_a_filled_seed_plan_sheet_with_roll_up_rows_round_trips_through_the_importer(hebi):
    plan, period, office = hebi
    data = _export(plan, period, office)
    sheet = load(data).worksheets[0]
    assert sum(layout.is_section_key(key) for key in keys(sheet)) == plan.nodes.sections().count()
    report = ProgressReport.objects.filter(period=period, state=ReportState.PENDING).order_by("task__position").first()
    key = layout.task_row_key(report.task_id, report.unit_id)
    assert row_of(sheet, key)
    upload = services.sheet_upload(
        user=office, period=period, file_name="进展情况表.xlsx", data=filled(data, {(key, "本期进展情况"): "已完成燃煤锅炉拆改12台。"}),
    )

    assert (upload.state, upload.problems) == (SheetImportState.PREVIEWED, [])
    assert [(change["report"], change["fields"]) for change in upload.changes] == [(report.pk, {"progress": ["", "已完成燃煤锅炉拆改12台。"]})]
    services.sheet_apply(user=office, sheet_import=upload)
    report.refresh_from_db()
    assert report.progress == "已完成燃煤锅炉拆改12台。"


def test_an_untouched_seed_plan_workbook_previews_no_change(hebi):
    plan, period, office = hebi

    upload = services.sheet_upload(user=office, period=period, file_name="进展情况表.xlsx", data=_export(plan, period, office, unit_sheets=True))

    assert (upload.state, upload.problems, upload.changes) == (SheetImportState.PREVIEWED, [], [])
