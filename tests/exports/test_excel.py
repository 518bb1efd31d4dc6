"""The exported progress sheet (plans/exports/workbooks.py), read back from its bytes."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.exports import layout
from plans.exports.cells import excel_text
from plans.exports.layout import chinese_labels
from plans.exports.styles import LIGHT_FILL
from plans.models import ProgressReport, Role, Task
from plans.progress import Light
from tests.exports.conftest import cell, column_of, key_of, keys, load, plan_bytes, row_of, unit_bytes
from tests.factories import AssignmentFactory, TaskFactory, UnitFactory


def _merged(sheet) -> set[str]:
    return {str(ranges) for ranges in sheet.merged_cells.ranges}


def test_full_sheet_lists_every_section_and_task_row_in_document_order(sheet_world):
    w = sheet_world
    sections = [node.pk for node in w.plan.nodes.sections().order_by("position")]

    sheet = load(plan_bytes(w)).worksheets[0]

    assert keys(sheet) == [
        f"S{sections[0]}", f"S{sections[1]}",
        key_of(w, w.t1, "A"), key_of(w, w.t1, "M1"), key_of(w, w.t1, "M2"),
        key_of(w, w.t2, "B"),
        f"S{sections[2]}",
    ]


def test_tasks_are_numbered_straight_through(sheet_world):
    w = sheet_world
    sheet = load(plan_bytes(w)).worksheets[0]

    numbers = [cell(sheet, key_of(w, task, unit), "序号").value for task, unit in ((w.t1, "A"), (w.t2, "B"))]

    assert numbers == [1, 2]


def test_title_row_names_plan_and_quarter_and_headers_follow_the_customary_layout(sheet_world):
    sheet = load(plan_bytes(sheet_world)).worksheets[0]

    assert sheet["A1"].value == "鹤壁市蓝天工程实施方案重点任务进展情况表（2016年第三季度）"
    assert "报送周期：2016年第三季度（7月1日—9月30日）" in sheet["A2"].value
    headers = [sheet.cell(4, c).value or sheet.cell(3, c).value for c in range(1, len(layout.COLUMNS) + 1)]
    assert headers == [column.header for column in layout.COLUMNS]
    assert sheet.cell(3, column_of(sheet, "牵头单位")).value == "责任分工"
    assert sheet.cell(3, column_of(sheet, "填报单位")).value == "进展情况"
    assert "K3:Q3" in _merged(sheet) and "D3:G3" in _merged(sheet) and "A3:A4" in _merged(sheet)


def test_section_rows_are_merged_across_all_columns(sheet_world):
    sheet = load(plan_bytes(sheet_world)).worksheets[0]
    first_section = layout.FIRST_DATA_ROW
    last = layout.letter(len(layout.COLUMNS))

    assert f"A{first_section}:{last}{first_section}" in _merged(sheet)
    assert sheet.cell(first_section, 1).value == "一、 主要任务（任务 2 项，已完成 0 项 0%，平均进度 —）"  # with its roll-up
    assert sheet.cell(first_section, 1).font.bold


def test_task_cells_are_merged_down_over_its_report_rows_but_progress_cells_are_not(sheet_world):
    w = sheet_world
    sheet = load(plan_bytes(w)).worksheets[0]
    first = row_of(sheet, key_of(w, w.t1, "A"))
    progress = layout.letter(column_of(sheet, "本期进展情况"))

    assert f"A{first}:A{first + 2}" in _merged(sheet)
    assert f"D{first}:D{first + 2}" in _merged(sheet)
    assert not any(ranges.startswith(f"{progress}{first}:") for ranges in _merged(sheet))


def test_lead_units_row_comes_first_and_units_are_named_in_their_columns(sheet_world):
    w = sheet_world
    sheet = load(plan_bytes(w)).worksheets[0]
    row = row_of(sheet, key_of(w, w.t1, "A"))

    assert row < row_of(sheet, key_of(w, w.t1, "M1"))
    assert sheet.cell(row, column_of(sheet, "牵头单位")).value == "单位A"
    assert sheet.cell(row, column_of(sheet, "责任单位")).value == "各县区政府(管委)"
    assert sheet.cell(row, column_of(sheet, "配合单位")).value == "单位S"
    assert cell(sheet, key_of(w, w.t1, "M1"), "填报单位").value == "单位M1"


def test_deadline_is_a_date_cell_and_a_rule_stays_text(sheet_world):
    w = sheet_world
    sheet = load(plan_bytes(w)).worksheets[0]

    due = cell(sheet, key_of(w, w.t1, "A"), "完成时限")
    assert due.value == datetime.datetime(2016, 10, 31)
    assert "年" in due.number_format
    assert cell(sheet, key_of(w, w.t2, "B"), "完成时限").value == "长期坚持"


def test_light_is_written_as_text_and_cell_fill(sheet_world):
    w = sheet_world
    sheet = load(plan_bytes(w)).worksheets[0]

    light = cell(sheet, key_of(w, w.t1, "A"), "预警")  # 2016-09-01: 2 months to go, not behind → green

    assert light.value == "绿灯"
    assert light.fill.fgColor.rgb.endswith(LIGHT_FILL[Light.GREEN])


def test_report_content_status_and_state_are_shown(sheet_world):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t2, "B").pk).update(
        progress="已淘汰黄标车1200辆。", problems="资金不足", next_steps="加大补贴", status="behind", percent=45,
    )
    sheet = load(plan_bytes(w)).worksheets[0]
    key = key_of(w, w.t2, "B")

    values = [cell(sheet, key, header).value for header in ("本期进展情况", "存在问题", "下步打算", "完成状态", "进度(%)")]

    assert values == ["已淘汰黄标车1200辆。", "资金不足", "加大补贴", "进度滞后", 45]
    assert cell(sheet, key, "备注").value.startswith("待填报")


@pytest.mark.parametrize("text", ["=1+1", "+8613800000000", "-2%", "@SUM(A1:A3)", "=HYPERLINK(\"http://x\")"])
def test_text_that_looks_like_a_formula_is_written_as_text(sheet_world, text):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t2, "B").pk).update(progress=text)

    progress = cell(load(plan_bytes(w)).worksheets[0], key_of(w, w.t2, "B"), "本期进展情况")

    assert (progress.value, progress.data_type) == (text, "s")


def test_control_characters_excel_refuses_are_dropped_not_fatal(sheet_world):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t2, "B").pk).update(progress="第一段\x01\x0b第二段")

    progress = cell(load(plan_bytes(w)).worksheets[0], key_of(w, w.t2, "B"), "本期进展情况")

    assert progress.value == "第一段第二段"


def test_excel_text_cuts_at_excels_cell_limit():
    assert len(excel_text("进" * 40000)) == 32767


def test_print_setup_is_a4_landscape_one_page_wide_with_repeated_headers_and_page_numbers(sheet_world):
    sheet = load(plan_bytes(sheet_world)).worksheets[0]

    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$4"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.freeze_panes == "C5"


def test_columns_have_widths_wrapped_text_and_borders_and_the_key_column_is_hidden(sheet_world):
    w = sheet_world
    sheet = load(plan_bytes(w)).worksheets[0]
    progress = cell(sheet, key_of(w, w.t1, "A"), "本期进展情况")

    assert sheet.column_dimensions["C"].width == 12  # 具体措施 on A4: narrow enough for 9-point print
    assert progress.alignment.wrap_text and progress.border.left.style == "thin"
    assert sheet.column_dimensions[layout.letter(sheet.max_column)].hidden


def test_status_and_percent_columns_offer_validation(sheet_world):
    sheet = load(plan_bytes(sheet_world)).worksheets[0]
    status = layout.letter(column_of(sheet, "完成状态"))

    validations = {dv.type: dv for dv in sheet.data_validations.dataValidation}

    assert "序时推进" in validations["list"].formula1
    assert str(validations["list"].sqref).startswith(f"{status}{layout.FIRST_DATA_ROW}:")
    assert (validations["whole"].formula1, validations["whole"].formula2) == ("0", "100")


def test_summary_sheet_counts_per_unit_and_section_and_has_two_native_charts(sheet_world):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t2, "B").pk).update(state="submitted", status="completed")

    summary = load(plan_bytes(w))["汇总"]

    rows = {summary.cell(r, 1).value: [summary.cell(r, c).value for c in range(2, 10)] for r in range(4, summary.max_row + 1)}
    assert rows["单位B"] == [1, 1, 0, 0, 1, 0, 0, 1]  # tasks, reported, late, approved, completed, red, yellow, green
    assert rows["单位M1"][:3] == [1, 0, 0]
    assert rows["一、 主要任务"][:2] == [2, 0]
    assert len(summary._charts) == 2


def test_summary_counts_late_reports_after_the_due_date(sheet_world):
    w = sheet_world
    late_day = w.period.due_date + datetime.timedelta(days=1)

    summary = load(plan_bytes(w, today=late_day))["汇总"]

    row = next(r for r in range(4, summary.max_row + 1) if summary.cell(r, 1).value == "单位A")
    assert summary.cell(row, 4).value == 1


def test_unit_sheet_holds_only_the_units_tasks_its_name_and_the_signature_footer(sheet_world):
    w = sheet_world
    sheet = load(unit_bytes(w, "B")).worksheets[0]

    task_keys = [key for key in keys(sheet) if key.startswith("T")]
    texts = [str(sheet.cell(row, 1).value or "") for row in range(1, sheet.max_row + 1)]

    assert task_keys == [key_of(w, w.t2, "B")]
    assert "填报单位（盖章）：鹤壁市B单位" in sheet["A2"].value
    assert any(text.startswith("单位负责人：") and "联系电话：" in text for text in texts)
    assert "填报单位" not in [sheet.cell(4, c).value for c in range(1, sheet.max_column + 1)]


def test_unit_sheet_leaves_out_sections_without_its_tasks(sheet_world):
    w = sheet_world
    sheet = load(unit_bytes(w, "B")).worksheets[0]

    section_texts = [sheet.cell(row_of(sheet, key), 1).value for key in keys(sheet) if key.startswith("S")]

    assert [text.split("（")[0] for text in section_texts] == ["一、 主要任务", "一、(一) 燃煤治理"]


def test_member_of_a_collective_gets_the_collectives_task_in_its_sheet(sheet_world):
    w = sheet_world

    sheet = load(unit_bytes(w, "M1")).worksheets[0]

    assert [key for key in keys(sheet) if key.startswith("T")] == [key_of(w, w.t1, "M1")]


def test_unit_sheets_on_request_add_one_sheet_per_reporting_unit(sheet_world):
    workbook = load(plan_bytes(sheet_world, unit_sheets=True))

    assert workbook.sheetnames == ["进展情况表", "汇总", "单位A", "单位B", "单位M1", "单位M2"]
    assert [k for k in keys(workbook["单位A"]) if k.startswith("T")] == [key_of(sheet_world, sheet_world.t1, "A")]


def test_a_unit_official_exporting_the_plan_sees_only_tasks_visible_to_them(sheet_world):
    w = sheet_world

    sheet = load(plan_bytes(w, user=w.users["official_B"])).worksheets[0]

    assert [key for key in keys(sheet) if key.startswith("T")] == [key_of(w, w.t2, "B")]


def test_a_task_without_reports_yet_gets_one_row_for_its_lead(sheet_world):
    w = sheet_world
    lead = UnitFactory(short_name="单位N")
    task = TaskFactory(plan=w.plan, path="一、(一)3.", title="新增任务", position=6)
    AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE)

    sheet = load(plan_bytes(w)).worksheets[0]

    assert cell(sheet, layout.task_row_key(task.pk, lead.pk), "填报单位").value == "单位N"


def _count_export_queries(world) -> int:
    with CaptureQueriesContext(connection) as queries:
        plan_bytes(world)
    return len(queries)


def test_export_query_count_does_not_grow_with_tasks(sheet_world):
    w = sheet_world
    before = _count_export_queries(w)
    for n in range(4):
        task = TaskFactory(plan=w.plan, path=f"一、(一){n + 3}.", title=f"任务{n}", position=10 + n)
        AssignmentFactory(task=task, unit=w.units["B"], role=Role.RESPONSIBLE)
        AssignmentFactory(task=task, unit=w.units["S"], role=Role.SUPPORTING)
        ProgressReport.objects.create(task=task, unit=w.units["B"], period=w.period)

    assert _count_export_queries(w) == before


def test_rows_are_tall_enough_for_wrapped_text(sheet_world):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t2, "B").pk).update(progress="进展" * 200)
    sheet = load(plan_bytes(w)).worksheets[0]

    height = sheet.row_dimensions[row_of(sheet, key_of(w, w.t2, "B"))].height

    assert height > 100



def test_light_in_the_sheet_is_the_light_the_dashboard_computes(sheet_world):
    w = sheet_world
    late_day = datetime.date(2016, 11, 15)  # T1 due 2016-10-31 and not completed → red; T2 has no due date
    sheet = load(plan_bytes(w, today=late_day)).worksheets[0]

    for task, unit in ((w.t1, "A"), (w.t2, "B")):
        expected = chinese_labels(Light)[Task.objects.with_schedule().get(pk=task.pk).light(late_day)]
        assert cell(sheet, key_of(w, task, unit), "预警").value == expected
    assert cell(sheet, key_of(w, w.t1, "A"), "预警").value == "红灯"
