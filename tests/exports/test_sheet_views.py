"""The progress sheets in the admin (plans/views/sheets.py, period actions, inbox and
dashboard links): who gets which sheet, and upload → preview → confirm."""
import io

import pytest
from django.conf import settings
from django.urls import reverse

from plans.models import SheetImport, SheetImportState
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.exports.conftest import filled, key_of, load, unit_bytes
from tests.factories import MembershipFactory, UnitFactory, UserFactory


@pytest.fixture
def signed_in(client, sheet_world):
    """signed_in(name) → the test client signed in as that user, in the group of their role."""
    groups = groups_ensure()
    for user in sheet_world.users.values():
        membership = getattr(user, "membership", None)
        user.groups.add(groups[GROUP_OF_ROLE[membership.role]] if membership else groups[OFFICE_GROUP])

    def as_user(name):
        client.force_login(sheet_world.users[name])
        return client

    return as_user


def _sheet_url(world, **params) -> str:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return reverse("progress-sheet", args=[world.period.pk]) + (f"?{query}" if query else "")


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load(b"".join(response.streaming_content))


def test_office_downloads_the_plan_sheet_with_a_chinese_file_name(signed_in, sheet_world):
    response = signed_in("office").get(_sheet_url(sheet_world))

    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert _workbook(response).sheetnames == ["进展情况表", "汇总"]


def test_office_asks_for_a_sheet_per_unit(signed_in, sheet_world):
    workbook = _workbook(signed_in("office").get(_sheet_url(sheet_world, unit_sheets=1)))

    assert "单位B" in workbook.sheetnames


def test_an_official_downloads_their_units_sheet(signed_in, sheet_world):
    w = sheet_world

    workbook = _workbook(signed_in("official_B").get(_sheet_url(w, unit=w.units["B"].pk)))

    assert "鹤壁市B单位" in workbook.worksheets[0]["A2"].value


def test_an_official_cannot_download_another_units_sheet(signed_in, sheet_world):
    w = sheet_world

    assert signed_in("official_B").get(_sheet_url(w, unit=w.units["A"].pk)).status_code == 403


def test_a_period_of_a_plan_the_user_cannot_see_is_not_found(signed_in, sheet_world):
    outsider = MembershipFactory(user=UserFactory(username="outsider"), unit=UnitFactory()).user
    client = signed_in("office")
    client.force_login(outsider)

    assert client.get(_sheet_url(sheet_world)).status_code == 404


def test_period_admin_action_exports_the_selected_period(signed_in, sheet_world):
    response = signed_in("office").post(
        reverse("admin:plans_reportingperiod_changelist"),
        {"action": "export_sheet", "_selected_action": [sheet_world.period.pk]},
    )

    assert _workbook(response).worksheets[0]["A1"].value.endswith("（2016年第三季度）")


def test_period_list_links_to_the_sheets(signed_in, sheet_world):
    response = signed_in("official_B").get(reverse("admin:plans_reportingperiod_changelist"))

    assert _sheet_url(sheet_world, unit=sheet_world.units["B"].pk) in response.content.decode()


def test_inbox_offers_the_units_sheet_and_the_upload(signed_in, sheet_world):
    page = signed_in("official_B").get(reverse("inbox")).content.decode()

    assert _sheet_url(sheet_world, unit=sheet_world.units["B"].pk) in page
    assert f"{reverse('sheet-upload')}?period={sheet_world.period.pk}" in page


def test_dashboard_offers_the_plan_sheet(signed_in, sheet_world):
    page = signed_in("office").get(reverse("dashboard")).content.decode()

    assert _sheet_url(sheet_world) in page


def _upload(client, world, data: bytes, name="填报.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("sheet-upload"), {"period": world.period.pk, "file": file})


def test_upload_shows_the_preview_and_confirming_applies_it(signed_in, sheet_world):
    w = sheet_world
    client = signed_in("official_B")
    data = filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "本期进展情况"): "网页上传的进展"})

    preview = client.get(_upload(client, w, data)["Location"])
    assert "网页上传的进展" in preview.content.decode() and "确认导入" in preview.content.decode()
    assert w.report(w.t2, "B").progress == ""

    done = client.post(preview.request["PATH_INFO"], follow=True)

    assert "已导入 1 份报告的修改" in done.content.decode()
    assert w.report(w.t2, "B").progress == "网页上传的进展"


def test_the_preview_names_fields_and_statuses_in_the_readers_language(signed_in, sheet_world):
    w = sheet_world
    client = signed_in("official_B")
    data = filled(unit_bytes(w, "B"), {
        (key_of(w, w.t2, "B"), "本期进展情况"): "网页上传的进展", (key_of(w, w.t2, "B"), "完成状态"): "序时推进",
    })
    location = _upload(client, w, data)["Location"]

    chinese = client.get(location).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(location).content.decode()

    assert "本期进展情况" in chinese and "序时推进" in chinese
    assert "Progress this period" in english and "On track" in english
    assert "本期进展情况" not in english and "序时推进" not in english


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(signed_in, sheet_world):
    response = _upload(signed_in("official_B"), sheet_world, b"not,a,workbook\n", name="x.csv")

    assert response.status_code == 200
    assert "不是 Excel 工作簿" in response.content.decode()
    assert not SheetImport.objects.exists()


def test_problems_are_listed_with_sheet_row_and_column(signed_in, sheet_world):
    w = sheet_world
    client = signed_in("official_B")
    data = filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "完成状态"): "差不多"})

    page = client.get(_upload(client, w, data)["Location"]).content.decode()

    assert "完成状态无效" in page and "O（完成状态）" in page
    assert "确认导入" not in page


def test_someone_elses_upload_is_not_found(signed_in, sheet_world):
    w = sheet_world
    client = signed_in("official_B")
    location = _upload(client, w, unit_bytes(w, "B"))["Location"]

    client.force_login(w.users["official_A"])

    assert client.get(location).status_code == 404
    assert client.post(location).status_code == 404


def test_office_sees_the_upload_but_cannot_confirm_it(signed_in, sheet_world):
    w = sheet_world
    client = signed_in("official_B")
    location = _upload(client, w, filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "本期进展情况"): "x"}))["Location"]
    client.force_login(w.users["office"])

    page = client.get(location).content.decode()
    client.post(location)

    assert "确认导入" not in page
    assert SheetImport.objects.get().state == SheetImportState.PREVIEWED


def test_uploads_are_listed_in_the_admin(signed_in, sheet_world):
    w = sheet_world
    client = signed_in("official_B")
    _upload(client, w, unit_bytes(w, "B"))

    page = client.get(reverse("admin:plans_sheetimport_changelist")).content.decode()

    assert "填报.xlsx" in page


def test_upload_form_preselects_the_open_period(signed_in, sheet_world):
    form = signed_in("official_B").get(reverse("sheet-upload")).context["form"]

    assert form["period"].value() == sheet_world.period.pk


def test_a_malformed_cell_is_an_error_on_the_form_naming_sheet_row_and_column(signed_in, sheet_world):
    from tests.exports.test_sheet_limits import SHEET, edited, replace_cell

    w = sheet_world
    data = edited(unit_bytes(w, "B"), SHEET, lambda xml: replace_cell(xml, "M7", '<c r="M7" t="n"><v>abc</v></c>'))

    response = _upload(signed_in("official_B"), w, data)

    assert response.status_code == 200
    assert f"工作表“{w.units['B']}”第7行M列" in response.content.decode()
    assert not SheetImport.objects.exists()


def _large_preview(world) -> SheetImport:
    changes = [
        {"sheet": "表", "row": number, "report": None, "version": None, "task": world.t2.pk, "task_label": f"任务{number}号",
         "unit": world.units["B"].pk, "unit_name": "单位B", "fields": {"progress": ["", f"进展{number}号"]}}
        for number in range(250)
    ]
    return SheetImport.objects.create(
        period=world.period, uploaded_by=world.users["official_B"], file_name="大表.xlsx", content=b"PK", sha256="0" * 64,
        size=2, changes=changes,
    )


def test_a_large_preview_is_shown_a_page_at_a_time(signed_in, sheet_world):
    sheet_import = _large_preview(sheet_world)
    client = signed_in("official_B")
    url = reverse("sheet-import", args=[sheet_import.pk])

    first = client.get(url).content.decode()
    last = client.get(url + "?page=3").content.decode()

    assert "将修改 250 份报告" in first and "第 1 页，共 3 页" in first
    assert "进展99号" in first and "进展100号" not in first
    assert "进展249号" in last and "进展199号" not in last


def test_the_admin_list_of_uploads_does_not_read_the_previews(signed_in, sheet_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _large_preview(sheet_world)
    client = signed_in("office")

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:plans_sheetimport_changelist")).status_code == 200

    listing = [query["sql"] for query in queries if '"plans_sheetimport"' in query["sql"] and "ORDER BY" in query["sql"]]
    assert listing and not any('"changes"' in sql or '"problems"' in sql for sql in listing)


def test_the_office_asks_for_an_a3_sheet_and_a_paper_it_does_not_know_is_refused(signed_in, sheet_world):
    client = signed_in("office")
    a4 = _workbook(client.get(_sheet_url(sheet_world)))["进展情况表"]
    a3 = _workbook(client.get(_sheet_url(sheet_world, paper="A3")))["进展情况表"]

    assert (a4.page_setup.paperSize, a3.page_setup.paperSize) == (int(a4.PAPERSIZE_A4), int(a3.PAPERSIZE_A3))
    assert a3.column_dimensions["C"].width > a4.column_dimensions["C"].width
    refused = client.get(_sheet_url(sheet_world, paper="letter"))
    assert refused.status_code == 400 and "a4" in refused.content.decode()
