"""Nothing newer is overwritten by a returned sheet: each row carries its report's version at
export (in the hidden key), a row older than the report is refused before anything is
applied, and apply writes the stored preview only if no report moved since. Every read-only
column is refused when edited."""
import pytest
from django.core.exceptions import ValidationError

from plans import services
from plans.exports import layout
from plans.models import ProgressReport, SheetImport, SheetImportState
from tests.exports.conftest import column_of, filled, key_of, load, plan_bytes, row_of, unit_bytes
from tests.factories import ProgressReportFactory

STALE = "该行导出后已被修改，请重新导出 (this row was changed after export; export again)"


def upload(world, user: str, data: bytes) -> SheetImport:
    return services.sheet_upload(user=world.users[user], period=world.period, file_name="填报.xlsx", data=data)


def _b_row(world, data: bytes) -> int:
    return row_of(load(data).worksheets[0], key_of(world, world.t2, "B"))


def test_the_hidden_key_carries_the_reports_version_at_export(sheet_world):
    w = sheet_world
    report = w.report(w.t2, "B")
    services.report_update(user=w.users["official_B"], report=report, progress="第一稿")
    sheet = load(unit_bytes(w, "B")).worksheets[0]

    key = layout.parse_row(sheet.cell(row_of(sheet, key_of(w, w.t2, "B")), sheet.max_column).value)

    assert (key.task, key.unit, key.version) == (w.t2.pk, w.units["B"].pk, report.version + 1)


def test_an_older_copy_of_the_sheet_is_refused_row_by_row_and_overwrites_nothing(sheet_world):
    w = sheet_world
    old = unit_bytes(w, "B")
    services.report_update(user=w.users["official_B"], report=w.report(w.t2, "B"), progress="导出后写的进展")

    untouched = upload(w, "official_B", old)  # its empty 本期进展情况 would blank the newer text
    edited = upload(w, "official_B", filled(old, {(key_of(w, w.t2, "B"), "存在问题"): "资金不足"}))

    for sheet_import in (untouched, edited):
        assert sheet_import.state == SheetImportState.REFUSED
        assert sheet_import.changes == []
        assert [(p["sheet"], p["row"], p["message"]) for p in sheet_import.problems] == [(str(w.units["B"]), _b_row(w, old), STALE)]
    assert (w.report(w.t2, "B").progress, w.report(w.t2, "B").problems) == ("导出后写的进展", "")


def test_a_row_older_than_the_report_that_changes_nothing_is_no_problem(sheet_world):
    w = sheet_world
    old = unit_bytes(w, "B")
    report = w.report(w.t2, "B")
    services.report_update(user=w.users["official_B"], report=report, progress="临时")
    services.report_update(user=w.users["official_B"], report=w.report(w.t2, "B"), progress="")  # back as exported

    sheet_import = upload(w, "official_B", old)

    assert (sheet_import.state, sheet_import.problems, sheet_import.changes) == (SheetImportState.PREVIEWED, [], [])


def test_a_fresh_export_of_the_changed_report_is_accepted(sheet_world):
    w = sheet_world
    services.report_update(user=w.users["official_B"], report=w.report(w.t2, "B"), progress="导出后写的进展")
    data = filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "存在问题"): "资金不足"})

    sheet_import = upload(w, "official_B", data)

    assert sheet_import.problems == []
    assert sheet_import.changes[0]["fields"] == {"problems": ["", "资金不足"]}


def _previewed(world) -> SheetImport:
    data = filled(unit_bytes(world, "B"), {(key_of(world, world.t2, "B"), "本期进展情况"): "表中填写的进展"})
    sheet_import = upload(world, "official_B", data)
    assert sheet_import.state == SheetImportState.PREVIEWED and len(sheet_import.changes) == 1
    return sheet_import


def test_apply_refuses_a_change_whose_report_moved_since_the_preview_naming_its_row(sheet_world):
    w = sheet_world
    sheet_import = _previewed(w)
    services.report_update(user=w.users["official_B"], report=w.report(w.t2, "B"), progress="预览后改的")

    with pytest.raises(ValidationError) as refused:
        services.sheet_apply(user=w.users["official_B"], sheet_import=sheet_import)

    [message] = refused.value.messages
    assert message.startswith(f"工作表“{w.units['B']}”第{sheet_import.changes[0]['row']}行：预览之后报告已被修改")
    assert w.report(w.t2, "B").progress == "预览后改的"
    assert SheetImport.objects.get(pk=sheet_import.pk).state == SheetImportState.PREVIEWED


def test_apply_refuses_a_new_report_someone_created_since_the_preview(sheet_world):
    w = sheet_world
    report = w.report(w.t2, "B")
    ProgressReport.history.filter(id=report.pk).delete()
    report.delete()
    sheet_import = _previewed(w)
    assert sheet_import.changes[0]["report"] is None
    ProgressReportFactory(task=w.t2, unit=w.units["B"], period=w.period, progress="别人新建的")

    with pytest.raises(ValidationError, match="预览之后报告已被修改"):
        services.sheet_apply(user=w.users["official_B"], sheet_import=sheet_import)

    assert w.report(w.t2, "B").progress == "别人新建的"


def test_apply_writes_the_stored_preview_without_reading_the_file_again(sheet_world):
    w = sheet_world
    sheet_import = _previewed(w)
    SheetImport.objects.filter(pk=sheet_import.pk).update(content=b"no longer a workbook")

    applied = services.sheet_apply(user=w.users["official_B"], sheet_import=sheet_import)

    assert (applied.state, w.report(w.t2, "B").progress) == (SheetImportState.APPLIED, "表中填写的进展")


def test_apply_checks_the_rights_as_they_are_at_apply_time(sheet_world):
    w = sheet_world
    sheet_import = _previewed(w)
    services.period_close(user=w.users["office"], period=w.period)

    with pytest.raises(ValidationError, match="该报送周期未开放填报"):
        services.sheet_apply(user=w.users["official_B"], sheet_import=sheet_import)

    assert w.report(w.t2, "B").progress == ""


READ_ONLY = [
    "序号", "重点任务", "具体措施", "牵头单位", "责任单位", "配合单位", "责任人", "完成时限", "预警", "办结", "填报单位", "签收",
    "备注",
]


def test_every_read_only_column_is_listed():
    assert READ_ONLY == [column.header for column in layout.COLUMNS if not column.editable]


@pytest.mark.parametrize("header", READ_ONLY)
def test_an_edit_to_any_read_only_column_is_refused_naming_sheet_row_and_column(sheet_world, header):
    w = sheet_world
    data = plan_bytes(w)
    sheet = load(data).worksheets[0]
    key = key_of(w, w.t2, "B")

    sheet_import = upload(w, "office", filled(data, {(key, header): 9 if header == "序号" else "改过的内容"}))

    assert sheet_import.state == SheetImportState.REFUSED
    [problem] = sheet_import.problems
    expected = ("进展情况表", row_of(sheet, key), layout.letter(column_of(sheet, header)), header)
    assert (problem["sheet"], problem["row"], problem["column"], problem["header"]) == expected
    assert problem["message"].startswith("此列由系统生成，不能修改")


def test_an_edit_to_a_read_only_column_of_a_unit_sheet_is_refused_too(sheet_world):
    w = sheet_world
    data = filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "具体措施"): "另写的措施", (key_of(w, w.t2, "B"), "备注"): "另写的备注"})

    sheet_import = upload(w, "official_B", data)

    assert sorted(problem["header"] for problem in sheet_import.problems) == ["具体措施", "备注"]
