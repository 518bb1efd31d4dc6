"""Returned progress sheets: read (plans/exports/returned.py), checked and previewed, then
applied all or nothing (plans/services/sheets.py)."""
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from django.conf import settings
from django.urls import reverse

from plans import services
from plans.bilingual import in_language
from plans.exports import layout
from plans.exports.upload import UploadRefused
from plans.models import ProgressReport, ReportState, SheetImport, SheetImportState
from tests.exports.conftest import column_of, filled, key_of, load, plan_bytes, row_of, unit_bytes
from tests.factories import PlanFactory, ReportingPeriodFactory


def upload(world, user: str, data: bytes, period=None) -> SheetImport:
    return services.sheet_upload(user=world.users[user], period=period or world.period, file_name="填报.xlsx", data=data)


def _saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _problem_texts(sheet_import) -> list[str]:
    return [problem["message"] for problem in sheet_import.problems]


def test_a_filled_unit_sheet_previews_its_changes_and_changes_nothing_yet(sheet_world):
    w = sheet_world
    key = key_of(w, w.t2, "B")
    data = filled(unit_bytes(w, "B"), {(key, "本期进展情况"): "已淘汰黄标车1200辆。", (key, "完成状态"): "序时推进", (key, "进度(%)"): 60})

    sheet_import = upload(w, "official_B", data)

    assert sheet_import.state == SheetImportState.PREVIEWED
    assert sheet_import.problems == []
    [change] = sheet_import.changes
    assert change["report"] == w.report(w.t2, "B").pk
    assert change["fields"] == {"progress": ["", "已淘汰黄标车1200辆。"], "status": ["not_started", "on_track"], "percent": [None, 60]}
    assert w.report(w.t2, "B").progress == ""


def test_applying_writes_the_reports_through_the_service_and_records_history(sheet_world):
    w = sheet_world
    key = key_of(w, w.t2, "B")
    sheet_import = upload(w, "official_B", filled(unit_bytes(w, "B"), {(key, "本期进展情况"): "已完成。", (key, "进度(%)"): 100}))

    applied = services.sheet_apply(user=w.users["official_B"], sheet_import=sheet_import)

    report = w.report(w.t2, "B")
    assert (report.progress, report.percent) == ("已完成。", 100)
    assert (applied.state, applied.applied_count) == (SheetImportState.APPLIED, 1)
    latest = report.history.first()
    assert latest.history_user == w.users["official_B"]
    assert latest.history_change_reason.startswith(f"Excel导入 #{sheet_import.pk}")


def test_an_untouched_export_previews_no_change(sheet_world):
    sheet_import = upload(sheet_world, "office", plan_bytes(sheet_world, unit_sheets=True))

    assert (sheet_import.state, sheet_import.changes, sheet_import.problems) == (SheetImportState.PREVIEWED, [], [])


def test_office_applies_a_full_sheet_changing_several_units_reports(sheet_world):
    w = sheet_world
    edits = {(key_of(w, w.t1, "M1"), "存在问题"): "资金缺口", (key_of(w, w.t2, "B"), "下步打算"): "加快验收"}
    sheet_import = upload(w, "office", filled(plan_bytes(w), edits))

    services.sheet_apply(user=w.users["office"], sheet_import=sheet_import)

    assert (w.report(w.t1, "M1").problems, w.report(w.t2, "B").next_steps) == ("资金缺口", "加快验收")


def test_a_blank_status_keeps_the_reports_status(sheet_world):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t2, "B").pk).update(status="behind")
    key = key_of(w, w.t2, "B")

    sheet_import = upload(w, "official_B", filled(unit_bytes(w, "B"), {(key, "完成状态"): None, (key, "本期进展情况"): "推进中"}))

    assert list(sheet_import.changes[0]["fields"]) == ["progress"]


def test_a_percent_typed_into_a_percent_formatted_cell_counts_as_percent(sheet_world):
    w = sheet_world
    key = key_of(w, w.t2, "B")
    workbook = load(unit_bytes(w, "B"))
    sheet = workbook.worksheets[0]
    percent = sheet.cell(row_of(sheet, key), column_of(sheet, "进度(%)"))
    percent.value, percent.number_format = 0.6, "0%"

    sheet_import = upload(w, "official_B", _saved(workbook))

    assert sheet_import.changes[0]["fields"]["percent"] == [None, 60]


def test_a_text_longer_than_an_excel_cell_comes_back_unchanged(sheet_world):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t2, "B").pk).update(progress="进" * 40000)

    sheet_import = upload(w, "official_B", unit_bytes(w, "B"))

    assert (sheet_import.changes, sheet_import.problems) == ([], [])


def test_a_row_for_a_responsible_unit_without_a_report_creates_it(sheet_world):
    w = sheet_world
    report = w.report(w.t2, "B")
    data = unit_bytes(w, "B")
    ProgressReport.history.filter(id=report.pk).delete()
    report.delete()
    key = key_of(w, w.t2, "B")

    sheet_import = upload(w, "official_B", filled(data, {(key, "本期进展情况"): "新填报"}))
    services.sheet_apply(user=w.users["official_B"], sheet_import=sheet_import)

    assert sheet_import.changes[0]["report"] is None
    assert w.report(w.t2, "B").progress == "新填报"


# --- problems, located to sheet, row and column ----------------------------------------------
def _only_problem(sheet_import) -> dict:
    assert sheet_import.state == SheetImportState.REFUSED
    [problem] = sheet_import.problems
    return problem


def test_an_invalid_status_is_refused_naming_its_cell(sheet_world):
    w = sheet_world
    key = key_of(w, w.t2, "B")

    problem = _only_problem(upload(w, "official_B", filled(unit_bytes(w, "B"), {(key, "完成状态"): "差不多了"})))

    assert (problem["sheet"], problem["column"], problem["header"]) == ("单位B", "O", "完成状态")
    assert problem["row"] == row_of(load(unit_bytes(w, "B")).worksheets[0], key)
    assert "完成状态无效" in problem["message"]


@pytest.mark.parametrize("value", [150, -1, 12.5, "很多"])
def test_an_invalid_percent_is_refused(sheet_world, value):
    w = sheet_world
    key = key_of(w, w.t2, "B")

    problem = _only_problem(upload(w, "official_B", filled(unit_bytes(w, "B"), {(key, "进度(%)"): value})))

    assert (problem["header"], problem["message"]) == ("进度(%)", "进度应为0—100的整数")


def test_a_formula_is_refused_rather_than_evaluated(sheet_world):
    w = sheet_world
    workbook = load(unit_bytes(w, "B"))
    sheet = workbook.worksheets[0]
    sheet.cell(row_of(sheet, key_of(w, w.t2, "B")), column_of(sheet, "本期进展情况")).value = "=1+1"  # a real formula

    problem = _only_problem(upload(w, "official_B", _saved(workbook)))

    assert "不接受公式" in problem["message"]


def test_text_starting_with_equals_typed_as_text_is_accepted(sheet_world):
    w = sheet_world
    key = key_of(w, w.t2, "B")

    sheet_import = upload(w, "official_B", filled(unit_bytes(w, "B"), {(key, "本期进展情况"): "=完成80%"}))

    assert sheet_import.changes[0]["fields"]["progress"] == ["", "=完成80%"]


def test_an_edited_read_only_column_is_refused_naming_it(sheet_world):
    w = sheet_world
    key = key_of(w, w.t1, "A")

    problem = _only_problem(upload(w, "official_A", filled(unit_bytes(w, "A"), {(key, "牵头单位"): "单位B"})))

    assert (problem["column"], problem["header"]) == ("D", "牵头单位")
    assert "不能修改" in problem["message"]


def test_an_unknown_task_row_is_refused(sheet_world):
    w = sheet_world
    workbook = load(unit_bytes(w, "B"))
    sheet = workbook.worksheets[0]
    sheet.cell(row_of(sheet, key_of(w, w.t2, "B")), sheet.max_column).value = layout.task_row_key(999999, w.units["B"].pk)

    problem = _only_problem(upload(w, "official_B", _saved(workbook)))

    assert "未知的任务行" in problem["message"]


def test_a_duplicated_task_row_is_refused(sheet_world):
    w = sheet_world
    workbook = load(unit_bytes(w, "B"))
    sheet = workbook.worksheets[0]
    row = row_of(sheet, key_of(w, w.t2, "B"))
    sheet.append([c.value for c in sheet[row]])

    problem = _only_problem(upload(w, "official_B", _saved(workbook)))

    assert f"任务行重复（与第{row}行相同）" in problem["message"]


def test_an_inserted_row_with_content_is_refused(sheet_world):
    w = sheet_world
    workbook = load(unit_bytes(w, "B"))
    sheet = workbook.worksheets[0]
    sheet.cell(sheet.max_row + 1, column_of(sheet, "本期进展情况")).value = "另起一行写的进展"

    problem = _only_problem(upload(w, "official_B", _saved(workbook)))

    assert "没有行标识" in problem["message"]


def test_a_renamed_column_is_refused_naming_it(sheet_world):
    w = sheet_world
    workbook = load(unit_bytes(w, "B"))
    sheet = workbook.worksheets[0]
    sheet.cell(layout.HEADER_ROW, column_of(sheet, "存在问题")).value = "困难"

    problem = _only_problem(upload(w, "official_B", _saved(workbook)))

    assert (problem["row"], problem["column"], problem["header"]) == (4, "M", "存在问题")


def test_an_inserted_column_is_refused(sheet_world):
    w = sheet_world
    workbook = load(unit_bytes(w, "B"))
    workbook.worksheets[0].insert_cols(3)

    sheet_import = upload(w, "official_B", _saved(workbook))

    assert sheet_import.state == SheetImportState.REFUSED
    assert "增删了列" in _problem_texts(sheet_import)[0]


def test_a_sheet_of_another_plan_is_refused(sheet_world):
    w = sheet_world
    other = ReportingPeriodFactory(plan=PlanFactory(), label="2016Q3")
    other.plan.office_staff.add(w.users["office"])

    problem = _only_problem(upload(w, "office", plan_bytes(w), period=other))

    assert "此表属于另一方案" in problem["message"]


def test_a_sheet_of_another_period_is_refused(sheet_world):
    w = sheet_world
    later = ReportingPeriodFactory(plan=w.plan, label="2016Q4")

    problem = _only_problem(upload(w, "office", plan_bytes(w), period=later))

    assert "2016Q3" in problem["message"] and "2016Q4" in problem["message"]


def test_another_units_sheet_is_refused(sheet_world):
    w = sheet_world

    problem = _only_problem(upload(w, "official_B", unit_bytes(w, "A", user=w.users["official_A"])))

    assert "您不能代其上传" in problem["message"]


def test_changing_another_units_report_in_the_full_sheet_is_refused(sheet_world):
    w = sheet_world  # M1 sees T1 (through the collective C) but reports only for itself
    data = filled(plan_bytes(w), {(key_of(w, w.t1, "A"), "本期进展情况"): "替单位A填写"})

    sheet = upload(w, "official_M1", data)
    problem = _only_problem(sheet)

    # kept in both languages, each page shows its own (plans.bilingual)
    assert problem["message"] == "只能填报本单位的报告 (you can only fill in your own unit's reports)"
    assert in_language(problem["message"], "zh-hans") == "只能填报本单位的报告"
    assert in_language(problem["message"], "en") == "You can only fill in your own unit's reports"


def test_a_stored_problem_reads_in_chinese_on_the_chinese_page_and_in_english_on_the_english_one(sheet_world, client):
    w = sheet_world
    data = filled(plan_bytes(w), {(key_of(w, w.t1, "A"), "本期进展情况"): "替单位A填写"})
    sheet = upload(w, "official_M1", data)
    client.force_login(w.users["official_M1"])

    chinese = client.get(reverse("sheet-import", args=[sheet.pk])).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("sheet-import", args=[sheet.pk])).content.decode()

    assert "只能填报本单位的报告" in chinese and "you can only fill in" not in chinese.lower()
    assert "You can only fill in your own unit&#x27;s reports" in english and "只能填报本单位的报告" not in english


def test_changing_a_row_of_a_task_the_uploader_cannot_see_names_nothing_of_it(sheet_world):
    w = sheet_world  # B does not see T1
    data = filled(plan_bytes(w), {(key_of(w, w.t1, "A"), "本期进展情况"): "替单位A填写"})

    problem = _only_problem(upload(w, "official_B", data))

    assert problem["message"].startswith("此行不是您的任务行")
    assert (problem["sheet"], problem["row"]) == ("进展情况表", row_of(load(data).worksheets[0], key_of(w, w.t1, "A")))


def test_a_key_forged_to_point_at_a_task_the_uploader_cannot_see_echoes_nothing_of_that_task(sheet_world):
    w = sheet_world
    workbook = load(unit_bytes(w, "B"))
    sheet = workbook.worksheets[0]
    row = row_of(sheet, key_of(w, w.t2, "B"))
    sheet.cell(row, sheet.max_column).value = layout.task_row_key(w.t1.pk, w.units["B"].pk, 1)
    sheet.cell(row, column_of(sheet, "本期进展情况")).value = "填到别人的任务上"

    sheet_import = upload(w, "official_B", _saved(workbook))

    assert sheet_import.state == SheetImportState.REFUSED
    texts = " ".join(str(value) for problem in sheet_import.problems for value in problem.values())
    for secret in (w.t1.title, w.t1.path, w.t1.text, w.units["A"].name, w.units["C"].name, w.units["S"].name, "单位A"):
        assert secret not in texts
    [problem] = sheet_import.problems
    assert (problem["sheet"], problem["row"], problem["message"].startswith("此行不是您的任务行")) == (sheet.title, row, True)


def test_changing_an_approved_report_is_refused_but_leaving_it_alone_is_fine(sheet_world):
    w = sheet_world
    ProgressReport.objects.filter(pk=w.report(w.t2, "B").pk).update(state=ReportState.APPROVED, progress="已审核的内容")
    data = unit_bytes(w, "B")

    untouched = upload(w, "official_B", data)
    edited = upload(w, "official_B", filled(data, {(key_of(w, w.t2, "B"), "本期进展情况"): "改一改"}))

    assert (untouched.state, untouched.problems) == (SheetImportState.PREVIEWED, [])
    assert "已审核通过" in _only_problem(edited)["message"]


def test_the_same_report_filled_differently_in_two_sheets_is_refused(sheet_world):
    w = sheet_world
    key = key_of(w, w.t2, "B")
    data = filled(plan_bytes(w, unit_sheets=True), {(key, "存在问题"): "甲"})
    data = filled(data, {(key, "存在问题"): "乙"}, sheet_name="单位B")

    problem = _only_problem(upload(w, "office", data))

    assert "同一份报告" in problem["message"]


def test_a_workbook_without_an_exported_sheet_is_refused(sheet_world):
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "序号"

    problem = _only_problem(upload(sheet_world, "office", _saved(workbook)))

    assert "没有本系统导出的进展情况表" in problem["message"]


def test_a_file_that_is_not_a_workbook_is_refused_and_not_kept(sheet_world):
    with pytest.raises(UploadRefused, match="不是 Excel 工作簿"):
        upload(sheet_world, "office", b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7,\xe8\xbf\x9b\xe5\xb1\x95\n")

    assert not SheetImport.objects.exists()


# --- applying: all or nothing ---------------------------------------------------------------------
def _two_changes(w):
    edits = {(key_of(w, w.t1, "A"), "本期进展情况"): "A的进展", (key_of(w, w.t2, "B"), "本期进展情况"): "B的进展"}
    return upload(w, "office", filled(plan_bytes(w), edits))


def test_a_report_changed_after_the_preview_stops_the_whole_import(sheet_world):
    w = sheet_world
    sheet_import = _two_changes(w)
    services.report_update(user=w.users["official_B"], report=w.report(w.t2, "B"), problems="别人刚改的")

    with pytest.raises(ValidationError, match="预览之后报告已被修改"):
        services.sheet_apply(user=w.users["office"], sheet_import=sheet_import)

    assert (w.report(w.t1, "A").progress, w.report(w.t2, "B").progress) == ("", "")
    assert SheetImport.objects.get(pk=sheet_import.pk).state == SheetImportState.PREVIEWED


def test_a_refusal_while_writing_rolls_back_every_report(sheet_world, monkeypatch):
    w = sheet_world
    sheet_import = _two_changes(w)
    calls = []
    original = services.sheets.report_update

    def second_refused(**kwargs):
        calls.append(kwargs["report"].pk)
        if len(calls) == 2:
            raise PermissionDenied("第二份被拒绝")
        return original(**kwargs)

    monkeypatch.setattr(services.sheets, "report_update", second_refused)

    with pytest.raises(ValidationError, match="第二份被拒绝"):
        services.sheet_apply(user=w.users["office"], sheet_import=sheet_import)

    assert len(calls) == 2
    assert (w.report(w.t1, "A").progress, w.report(w.t2, "B").progress) == ("", "")


def test_only_the_uploader_applies(sheet_world):
    w = sheet_world
    sheet_import = upload(w, "official_B", filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "本期进展情况"): "进展"}))

    with pytest.raises(PermissionDenied):
        services.sheet_apply(user=w.users["office"], sheet_import=sheet_import)


def test_an_upload_applies_once(sheet_world):
    w = sheet_world
    sheet_import = upload(w, "official_B", filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "本期进展情况"): "进展"}))
    services.sheet_apply(user=w.users["official_B"], sheet_import=sheet_import)

    with pytest.raises(ValidationError, match="已导入"):
        services.sheet_apply(user=w.users["official_B"], sheet_import=sheet_import)


def test_a_refused_upload_cannot_be_applied(sheet_world):
    w = sheet_world
    sheet_import = upload(w, "official_B", filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "完成状态"): "???"}))

    with pytest.raises(ValidationError):
        services.sheet_apply(user=w.users["official_B"], sheet_import=sheet_import)
