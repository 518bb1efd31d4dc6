"""The progress sheet (进展情况表) over the API: GET /api/plans/{id}/progress.xlsx/ and the
returned sheets at /api/sheet-imports/ (upload → preview → apply)."""
from io import BytesIO
from urllib.parse import quote, urlencode

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plans.exports import layout, upload
from plans.exports.download import XLSX_CONTENT_TYPE
from plans.exports.workbooks import export_filename
from plans.models import ProgressReport, SheetImport, SheetImportState
from tests.api.conftest import count_queries

PROGRESS = "一季度完成燃煤锅炉拆改12台。"


def _sheet_url(plan, slash=True, **query):
    return f"/api/plans/{plan.pk}/progress.xlsx{'/' if slash else ''}?{urlencode(query)}"


def _period(world):
    return world.report_a.period


def _unit_sheet(client, world) -> bytes:
    """Unit A's sheet for the open period, as the API sends it."""
    response = client.get(_sheet_url(world.task_t.plan, period=_period(world).label, unit=world.report_a.unit_id))
    assert response.status_code == 200, response.content
    return response.getvalue()


def _edit(data: bytes, *, header: str, task, unit, text) -> tuple[bytes, int, str]:
    """Write `text` into the `header` column (found in row 4) of the row whose hidden key
    (the last column) names task and unit; returns the new bytes, the row and the column letter."""
    book = openpyxl.load_workbook(BytesIO(data))
    sheet = book.worksheets[0]
    column = next(cell for cell in sheet[4] if cell.value == header).column_letter
    key = (task.pk, unit.pk)  # the hidden key T<task>U<unit>V<version>H<digest>
    row = next(cell.row for cell in sheet[openpyxl.utils.get_column_letter(sheet.max_column)] if layout.parse_row_key(cell.value) == key)
    sheet[f"{column}{row}"] = text
    out = BytesIO()
    book.save(out)
    return out.getvalue(), row, column


def _upload(client, period, data: bytes, name="进展情况表（市发改委）.xlsx"):
    return client.post("/api/sheet-imports/", {"period": period.pk, "file": SimpleUploadedFile(name, data)}, format="multipart")


def _previewed(world, as_actor) -> dict:
    """official_a fills unit A's progress on task T and uploads the sheet."""
    client = as_actor("official_a")
    data, _row, _column = _edit(
        _unit_sheet(client, world), header="本期进展情况", task=world.task_t, unit=world.report_a.unit, text=PROGRESS,
    )
    response = _upload(client, _period(world), data)
    assert response.status_code == 201, response.content
    return response.json()


# --- the download ------------------------------------------------------------------------------
def test_office_downloads_the_plan_workbook(world, as_actor):
    period = _period(world)
    response = as_actor("office").get(_sheet_url(world.task_t.plan, period=period.label))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(export_filename(period))}"
    sheet = openpyxl.load_workbook(BytesIO(response.getvalue())).worksheets[0]
    assert world.task_t.plan.title in sheet["A1"].value
    texts = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value}
    for task in (world.task_t, world.task_b):
        assert any(task.title in text for text in texts), task.title


@pytest.mark.parametrize("accept", [XLSX_CONTENT_TYPE, "*/*"])
def test_workbook_is_served_whatever_the_client_accepts_and_without_the_slash(world, as_actor, accept):
    url = _sheet_url(world.task_t.plan, slash=False, period=_period(world).label)
    response = as_actor("office").get(url, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE


def test_error_to_a_client_accepting_only_xlsx_is_json(world, as_actor):
    response = as_actor("office").get(_sheet_url(world.task_t.plan), HTTP_ACCEPT=XLSX_CONTENT_TYPE)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert list(response.json()["errors"]) == ["period"]


def test_unit_official_cannot_download_another_units_sheet(world, as_actor):
    response = as_actor("official_b").get(_sheet_url(world.task_t.plan, period=_period(world).label, unit=world.report_a.unit_id))
    assert response.status_code == 403
    assert str(world.report_a.unit) in response.json()["detail"]


def test_plan_not_visible_is_404(world, as_actor):
    response = as_actor("other_office").get(_sheet_url(world.task_t.plan, period=_period(world).label))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_missing_period_is_400_naming_the_parameter(world, as_actor):
    response = as_actor("office").get(_sheet_url(world.task_t.plan))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["period"]


def test_unknown_period_is_404(world, as_actor):
    response = as_actor("office").get(_sheet_url(world.task_t.plan, period="2099Q9"))
    assert response.status_code == 404
    assert "2099Q9" in response.json()["detail"]


def test_unknown_unit_is_404(world, as_actor):
    response = as_actor("office").get(_sheet_url(world.task_t.plan, period=_period(world).label, unit=10**12))
    assert response.status_code == 404


# --- upload, preview, apply ----------------------------------------------------------------------
def test_filled_sheet_is_previewed_and_changes_nothing(world, as_actor):
    body = _previewed(world, as_actor)
    assert body["state"] == SheetImportState.PREVIEWED
    assert body["problems"] == []
    [change] = body["changes"]
    assert change["report"] == world.report_a.pk
    assert change["fields"] == {"progress": ["", PROGRESS]}
    world.report_a.refresh_from_db()
    assert world.report_a.progress == ""


def test_import_shows_its_fields_and_never_the_file(world, as_actor):
    body = _previewed(world, as_actor)
    assert set(body) == {
        "id", "period", "period_label", "plan", "file_name", "size", "sha256", "state", "changes", "problems",
        "change_count", "problem_count", "preview_page", "preview_pages", "applied_count", "uploaded_by",
        "uploaded_by_name", "created_at", "applied_at",
    }
    assert body["uploaded_by_name"] == str(world.users["official_a"])  # the person with the unit, not the account
    assert (body["uploaded_by"], body["file_name"], body["plan"]) == ("official_a", "进展情况表（市发改委）.xlsx", world.task_t.plan_id)


def test_apply_writes_the_report_with_a_history_reason(world, as_actor):
    body = _previewed(world, as_actor)
    response = as_actor("official_a").post(f"/api/sheet-imports/{body['id']}/apply/")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["applied_count"]) == (SheetImportState.APPLIED, 1)
    report = ProgressReport.objects.get(pk=world.report_a.pk)
    assert report.progress == PROGRESS
    assert report.history.latest("history_date").history_change_reason.startswith("Excel导入")


def test_applying_twice_is_409(world, as_actor):
    body = _previewed(world, as_actor)
    client = as_actor("official_a")
    assert client.post(f"/api/sheet-imports/{body['id']}/apply/").status_code == 200
    response = client.post(f"/api/sheet-imports/{body['id']}/apply/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["errors"]["non_field_errors"]


def test_only_the_uploader_applies(world, as_actor):
    body = _previewed(world, as_actor)
    url = f"/api/sheet-imports/{body['id']}/apply/"
    assert as_actor("office").post(url).status_code == 403  # sees the plan's uploads, may not apply them
    assert as_actor("official_b").post(url).status_code == 404  # does not see them
    assert SheetImport.objects.get(pk=body["id"]).state == SheetImportState.PREVIEWED


def test_random_bytes_are_400_with_a_sentence(world, as_actor):
    response = _upload(as_actor("official_a"), _period(world), b"\x00\x01 not a workbook " * 20, name="x.xlsx")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_workbook"
    assert "不是 Excel 工作簿" in response.json()["detail"]
    assert not SheetImport.objects.exists()


def test_file_over_the_limit_is_refused_unread(world, as_actor, monkeypatch):
    monkeypatch.setattr(upload, "MAX_UPLOAD_BYTES", 1000)
    response = _upload(as_actor("official_a"), _period(world), b"PK\x03\x04" + b"0" * 2000)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_workbook"
    assert "文件过大" in response.json()["detail"]


def test_upload_to_a_period_not_visible_is_400_on_the_field(world, as_actor):
    response = _upload(as_actor("other_office"), _period(world), b"irrelevant")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["period"]


def test_another_units_sheet_is_refused_and_changes_nothing(world, as_actor):
    data, _row, _column = _edit(
        _unit_sheet(as_actor("official_a"), world), header="本期进展情况", task=world.task_t, unit=world.report_a.unit,
        text=PROGRESS,
    )
    body = _upload(as_actor("official_b"), _period(world), data).json()
    assert (body["state"], body["changes"]) == (SheetImportState.REFUSED, [])
    [problem] = body["problems"]
    assert problem["row"] == 3 and world.report_a.unit.name in problem["message"]
    response = as_actor("official_b").post(f"/api/sheet-imports/{body['id']}/apply/")
    assert response.status_code == 409
    world.report_a.refresh_from_db()
    assert world.report_a.progress == ""


def test_edited_lead_unit_cell_is_refused_at_its_row_and_column(world, as_actor):
    client = as_actor("official_a")
    data, row, column = _edit(
        _unit_sheet(client, world), header="牵头单位", task=world.task_t, unit=world.report_a.unit, text="市公安局",
    )
    body = _upload(client, _period(world), data).json()
    assert body["state"] == SheetImportState.REFUSED
    assert [(p["row"], p["column"], p["header"]) for p in body["problems"]] == [(row, column, "牵头单位")]
    assert client.post(f"/api/sheet-imports/{body['id']}/apply/").status_code == 409
    world.report_a.refresh_from_db()
    assert world.report_a.progress == ""


# --- the list ----------------------------------------------------------------------------------
def _stored_import(world, user):
    return SheetImport.objects.create(
        period=_period(world), uploaded_by=user, file_name="a.xlsx", content=b"PK", sha256="0" * 64, size=2,
    )


def test_list_is_newest_first_and_only_what_the_account_sees(world, as_actor):
    first = _stored_import(world, world.users["official_a"])
    second = _stored_import(world, world.users["official_a"])
    _stored_import(world, world.users["official_b"])
    ids = [row["id"] for row in as_actor("official_a").get("/api/sheet-imports/").json()["results"]]
    assert ids == [second.pk, first.pk]
    assert len(as_actor("office").get("/api/sheet-imports/").json()["results"]) == 3


def test_list_query_count_does_not_grow_with_imports(world, as_actor):
    client = as_actor("office")
    _stored_import(world, world.users["official_a"])
    one = count_queries(client, "/api/sheet-imports/")
    for user in ("official_b", "official_a"):
        _stored_import(world, world.users[user])
    assert count_queries(client, "/api/sheet-imports/") == one


def test_list_gives_counts_and_never_the_previews(world, as_actor):
    body = _previewed(world, as_actor)
    refused = _stored_import(world, world.users["official_a"])
    SheetImport.objects.filter(pk=refused.pk).update(problems=[{"sheet": "", "row": None, "column": "", "header": "", "message": "x"}] * 3)

    rows = {row["id"]: row for row in as_actor("official_a").get("/api/sheet-imports/").json()["results"]}

    assert all("changes" not in row and "problems" not in row for row in rows.values())
    assert (rows[body["id"]]["change_count"], rows[body["id"]]["problem_count"]) == (1, 0)
    assert (rows[refused.pk]["change_count"], rows[refused.pk]["problem_count"]) == (0, 3)


def _change(number: int) -> dict:
    return {
        "sheet": "表", "row": number, "report": None, "version": None, "task": 1, "task_label": "任务", "unit": 1,
        "unit_name": "单位", "fields": {"progress": ["", f"第{number}行"]},
    }


def test_a_large_preview_is_paged_in_the_detail(world, as_actor):
    stored = _stored_import(world, world.users["official_a"])
    SheetImport.objects.filter(pk=stored.pk).update(changes=[_change(number) for number in range(450)])
    client = as_actor("official_a")

    first = client.get(f"/api/sheet-imports/{stored.pk}/").json()
    last = client.get(f"/api/sheet-imports/{stored.pk}/?preview_page=3").json()

    assert (first["change_count"], first["preview_page"], first["preview_pages"]) == (450, 1, 3)
    assert [change["row"] for change in first["changes"]] == list(range(200))
    assert [change["row"] for change in last["changes"]] == list(range(400, 450))
    for bad in ("0", "abc", "true"):
        response = client.get(f"/api/sheet-imports/{stored.pk}/?preview_page={bad}")
        assert response.status_code == 400 and list(response.json()["errors"]) == ["preview_page"], bad


def test_a_malformed_cell_is_400_naming_sheet_row_and_column(world, as_actor):
    import re
    import zipfile

    client = as_actor("official_a")
    data, row, column = _edit(_unit_sheet(client, world), header="进度(%)", task=world.task_t, unit=world.report_a.unit, text=1)
    source, out = zipfile.ZipFile(BytesIO(data)), BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                cell = re.compile(rf'(<c r="{column}{row}"[^>]*>)<v>1</v>')
                content = cell.sub(lambda match: match[1] + "<v>abc</v>", content.decode()).encode()
                assert b"<v>abc</v>" in content
            target.writestr(name, content)

    response = _upload(client, _period(world), out.getvalue())

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_workbook"
    sheet_name = openpyxl.load_workbook(BytesIO(data)).worksheets[0].title
    assert f"工作表“{sheet_name}”第{row}行{column}列" in response.json()["detail"]
    assert not SheetImport.objects.exists()


def test_the_api_lays_the_sheet_out_for_a3_when_asked(as_actor, world):
    client = as_actor("office")
    plan, label = world.task_t.plan, _period(world).label
    a3 = openpyxl.load_workbook(BytesIO(client.get(_sheet_url(plan, period=label, paper="a3")).getvalue())).worksheets[0]
    assert a3.page_setup.paperSize == int(a3.PAPERSIZE_A3)
    refused = client.get(_sheet_url(plan, period=label, paper="letter"))
    assert refused.status_code == 400 and "paper" in refused.json()["errors"]
