"""Plan documents over the API (/api/plan-imports/): upload → preview → correct → apply, or
discard; the wrong people, stale versions and bad input are refused with the database as it was."""
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from plans.models import Assignment, MemberRole, Plan, PlanImport, PlanImportState, Role, Task, Unit
from plans.roles import OFFICE_GROUP, groups_ensure
from tests.factories import MembershipFactory, UnitFactory

ROOT = Path(__file__).resolve().parents[2]
HEBI = ROOT / "seeds" / "hebi-2016-blue-sky-plan.txt"
FUJIAN = ROOT / "seeds" / "fujian-2024-export-industries-plan.txt"
URL = "/api/plan-imports/"


def office_account(username: str):
    """An office account: in the office group and office staff of a plan of its own."""
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(groups_ensure()[OFFICE_GROUP])
    Plan.objects.create(key=f"旧方案{username}", title=f"旧方案{username}", plan_year=2016).office_staff.add(user)
    return user


@pytest.fixture
def office(api, db):
    return api(office_account("office"))


def upload(client, path: Path = HEBI, name: str | None = None, data: bytes | None = None, **fields):
    file = SimpleUploadedFile(name or path.name, path.read_bytes() if data is None else data)
    return client.post(URL, {"file": file, **fields}, format="multipart")


def uploaded(client, path: Path = HEBI) -> dict:
    response = upload(client, path)
    assert response.status_code == 201, response.content
    return response.json()


def patch(client, draft_id, body, version=None):
    headers = {} if version is None else {"HTTP_IF_MATCH": f'"{version}"'}
    return client.patch(f"{URL}{draft_id}/", body, format="json", **headers)


def apply(client, draft_id, version):
    return client.post(f"{URL}{draft_id}/apply/", {}, format="json", HTTP_IF_MATCH=f'"{version}"')


def first_task(body: dict, with_deadline=False) -> dict:
    return next(node for node in body["nodes"] if node["is_task"] and (node["deadlines"] or not with_deadline))


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- upload and preview ---------------------------------------------------------------------
def test_an_office_uploads_a_plan_and_reads_its_preview(office):
    response = upload(office, plan_year=2016)
    assert response.status_code == 201, response.content
    body = response.json()
    draft = PlanImport.objects.get()
    assert body["id"] == draft.pk and response["ETag"] == f'"{draft.version}"' == f'"{body["version"]}"'
    assert (body["state"], body["uploaded_by"], body["source_name"], body["plan_year"]) == (
        PlanImportState.DRAFT, "office", HEBI.name, 2016,
    )
    assert "source_text" not in body and body["error"] == "" and body["plan"] is None and body["target"] is None
    assert body["plan_details"]["title"] == "鹤壁市2016年度蓝天工程暨大气污染治理实施方案"
    tasks = [node for node in body["nodes"] if node["is_task"]]
    assert len(tasks) == body["counts"]["tasks"] == 53
    assert [node["index"] for node in body["nodes"]] == list(range(len(body["nodes"])))
    task = first_task(body, with_deadline=True)
    assert task["units"]["responsible"][0] == "市发改委" and task["deadlines"][0]["date"] == "2016-12-31"
    assert task["marks"] == {"drop": False, "join": False, "corrected": False}
    ndrc = next(match for match in body["units"] if match["written"] == "市发改委")
    assert (ndrc["status"], ndrc["unit"], ndrc["official_name"]) == ("new", None, "鹤壁市发展和改革委员会")
    assert body["summary"][0].startswith("试运行") and "新建方案" in body["summary"][0]
    assert body["warnings"] == [] and body["counts"]["warnings"] == 0 and body["diff"] is None

    detail = office.get(f"{URL}{draft.pk}/")
    assert detail.status_code == 200 and detail["ETag"] == f'"{draft.version}"'
    assert detail.json()["nodes"] == body["nodes"]
    listed = office.get(URL).json()["results"]
    assert [row["id"] for row in listed] == [draft.pk]
    assert "source_text" not in listed[0] and "nodes" not in listed[0] and listed[0]["uploaded_by"] == "office"


def test_the_preview_shows_the_documents_warnings_by_line(office):
    body = uploaded(office, FUJIAN)
    assert body["counts"]["tasks"] > 0 and len(body["warnings"]) == body["counts"]["warnings"] > 0
    lines = [warning["line"] for warning in body["warnings"]]
    assert lines == sorted(lines) and all(warning["reason"] for warning in body["warnings"])


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("plan.txt", b"not a plan", ""),
    ("setup.exe", b"MZ\x90\x00 not a document", "不支持的文件类型"),
    ("empty.txt", b"", "文件为空"),
])
def test_a_bad_file_is_refused_with_the_reason_and_nothing_stored(office, settings, name, data, reason):
    response = upload(office, name=name, data=data)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["errors"]["file"] and reason in body["errors"]["file"][0]
    assert body["detail"].endswith(body["errors"]["file"][0])
    assert not PlanImport.objects.exists() and media_files(settings) == []


def test_a_plan_year_out_of_range_or_a_missing_file_is_refused(office):
    assert upload(office, plan_year=1800).json()["errors"]["plan_year"]
    response = office.post(URL, {"plan_year": 2016}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"]["file"]
    assert not PlanImport.objects.exists()


def test_an_official_cannot_import_nor_see_an_offices_draft(api, office):
    draft = uploaded(office)
    official = api(MembershipFactory(unit=UnitFactory(), role=MemberRole.OFFICIAL).user)
    response = upload(official)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert PlanImport.objects.count() == 1
    assert official.get(f"{URL}{draft['id']}/").status_code == 404
    assert official.get(URL).json()["results"] == []
    assert api().get(URL).status_code == 401


def test_another_office_neither_sees_nor_changes_a_draft(api, office):
    draft = uploaded(office)
    other = api(office_account("other_office"))
    url = f"{URL}{draft['id']}/"
    assert other.get(url).status_code == 404
    assert other.get(URL).json()["results"] == []
    assert patch(other, draft["id"], {"corrections": {"nodes": {"5": {"drop": True}}}}, 1).status_code == 404
    assert apply(other, draft["id"], 1).status_code == 404
    assert other.delete(url, HTTP_IF_MATCH='"1"').status_code == 404
    row = PlanImport.objects.get()
    assert (row.state, row.corrections, row.version) == (PlanImportState.DRAFT, {}, 1) and not Plan.objects.filter(
        imports=row
    ).exists()


# --- corrections ----------------------------------------------------------------------------
def _corrected(office, draft, unit) -> tuple[dict, dict]:
    task = first_task(draft, with_deadline=True)
    corrections = {
        "units": {"市发改委": {"unit": unit.pk}},
        "nodes": {str(task["index"]): {"responsible": ["市环保局"], "deadline": {"date": "2016-11-30", "text": "11月底前"}}},
    }
    response = patch(office, draft["id"], {"corrections": corrections}, draft["version"])
    assert response.status_code == 200, response.content
    return response.json(), task


def test_a_unit_mapping_and_a_task_correction_show_in_the_preview(office):
    draft = uploaded(office)
    unit = UnitFactory(name="鹤壁市发展改革委", short_name="发改委")
    body, task = _corrected(office, draft, unit)
    assert body["version"] == draft["version"] + 1
    ndrc = next(match for match in body["units"] if match["written"] == "市发改委")
    assert (ndrc["status"], ndrc["unit"]) == ("mapped", {"id": unit.pk, "name": unit.name})
    node = body["nodes"][task["index"]]
    assert node["units"]["responsible"] == ["市环保局"] and node["units"]["supporting"] == task["units"]["supporting"]
    assert [(d["date"], d["text"]) for d in node["deadlines"]] == [("2016-11-30", "11月底前")]
    assert node["marks"] == {"drop": False, "join": False, "corrected": True}
    assert body["corrections"]["units"] == {"市发改委": {"unit": unit.pk}}

    # a second PATCH merges: drop a task, take the unit mapping back (null)
    dropped = next(node for node in body["nodes"] if node["is_task"] and node["index"] != task["index"])
    response = patch(office, draft["id"], {
        "corrections": {"units": {"市发改委": None}, "nodes": {str(dropped["index"]): {"drop": True}}},
    }, body["version"])
    assert response.status_code == 200, response.content
    again = response.json()
    assert again["nodes"][dropped["index"]]["marks"]["drop"] is True
    assert again["counts"]["tasks"] == body["counts"]["tasks"] - 1
    assert next(m for m in again["units"] if m["written"] == "市发改委")["status"] == "new"
    assert again["nodes"][task["index"]]["units"]["responsible"] == ["市环保局"]  # kept
    assert PlanImport.objects.get().version == again["version"] == body["version"] + 1


def test_a_correction_without_a_version_or_from_a_stale_one_is_refused(office):
    draft = uploaded(office)
    change = {"corrections": {"nodes": {"5": {"drop": True}}}}
    response = patch(office, draft["id"], change, version=draft["version"] + 5)
    assert response.status_code == 412 and response.json()["code"] == "precondition_failed"
    response = patch(office, draft["id"], {**change, "version": draft["version"] + 5})
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    response = patch(office, draft["id"], change)
    assert response.status_code == 400 and response.json()["errors"]["version"]
    row = PlanImport.objects.get()
    assert (row.corrections, row.version) == ({}, draft["version"])


def test_bad_corrections_are_refused_listing_every_problem(office):
    draft = uploaded(office)
    response = patch(office, draft["id"], {"corrections": {
        "plan": {"issued_on": "soon"}, "nodes": {"9999": {"drop": True}, "0": {"join": True}},
    }}, draft["version"])
    assert response.status_code == 400, response.content
    problems = response.json()["errors"]["non_field_errors"]
    assert len(problems) == 3 and any("9999" in problem for problem in problems)
    assert any("issued_on" in problem for problem in problems)
    response = patch(office, draft["id"], {"corrections": {"units": {"市发改委": {"unit": 10**9}}}}, draft["version"])
    assert response.status_code == 400 and str(10**9) in response.json()["errors"]["non_field_errors"][0]
    response = patch(office, draft["id"], {"revises": 10**9}, draft["version"])
    assert response.status_code == 400 and response.json()["errors"]["revises"]
    response = patch(office, draft["id"], {"source_text": "x"}, draft["version"])
    assert response.status_code == 400 and set(response.json()["errors"]) == {"source_text"}
    row = PlanImport.objects.get()
    assert (row.corrections, row.version) == ({}, draft["version"])


# --- apply and discard ------------------------------------------------------------------------
def test_applying_writes_the_plan_with_the_corrected_units_once(office):
    draft = uploaded(office)
    unit = UnitFactory(name="鹤壁市发展改革委", short_name="发改委")
    body, task = _corrected(office, draft, unit)
    response = apply(office, draft["id"], body["version"])
    assert response.status_code == 201, response.content
    applied = response.json()
    plan = Plan.objects.get(pk=applied["plan"])
    assert applied["state"] == PlanImportState.APPLIED and applied["summary"][0].startswith("新建方案")
    assert response["ETag"] == f'"{applied["version"]}"' and applied["target"] == plan.pk
    assert plan.title == body["plan_details"]["title"] and plan.office_staff.filter(username="office").exists()
    assert Task.objects.tasks().filter(plan=plan).count() == body["counts"]["tasks"]
    mapped = Assignment.objects.filter(task__plan=plan, unit=unit)
    assert mapped.exists() and not Unit.objects.filter(name="鹤壁市发展和改革委员会").exists()
    corrected = Task.objects.get(plan=plan, title=task["title"])
    responsible = corrected.assignments.filter(role=Role.RESPONSIBLE).values_list("unit__name", flat=True)
    assert list(responsible) == ["鹤壁市环境保护局"]
    assert [(d.date.isoformat(), d.text) for d in corrected.deadlines.all()] == [("2016-11-30", "11月底前")]

    again = apply(office, draft["id"], applied["version"])
    assert again.status_code == 200 and again.json()["plan"] == plan.pk
    assert apply(office, draft["id"], body["version"]).status_code == 412  # the version before applying
    assert Plan.objects.filter(title=plan.title).count() == 1
    assert patch(office, draft["id"], {"corrections": {}}, applied["version"]).status_code == 400


def test_a_second_upload_of_an_applied_plan_previews_it_as_a_revision(api, office):
    first = uploaded(office)
    plan_id = apply(office, first["id"], first["version"]).json()["plan"]
    # a new client: the user object of the first caches the plans it oversaw (once per request)
    office = api(get_user_model().objects.get(username="office"))
    body = uploaded(office)
    assert body["target"] == plan_id and body["diff"]
    assert {row["status"] for row in body["diff"]} == {"same"}
    assert "没有变化" in body["summary"][0]
    response = apply(office, body["id"], body["version"])
    assert response.status_code == 200, response.content
    assert response.json()["plan"] == plan_id
    assert Plan.objects.filter(pk=plan_id).count() == 1


def test_deleting_discards_a_draft_but_keeps_an_applied_import(office, settings, django_capture_on_commit_callbacks):
    draft = uploaded(office)
    assert media_files(settings)
    url = f"{URL}{draft['id']}/"
    assert office.delete(url).status_code == 400  # no version: refused, as every write is
    assert office.delete(url, HTTP_IF_MATCH='"99"').status_code == 412
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row is gone
        assert office.delete(url, HTTP_IF_MATCH=f'"{draft["version"]}"').status_code == 204
    assert not PlanImport.objects.exists() and office.get(url).status_code == 404
    assert media_files(settings) == []

    kept = uploaded(office)
    assert apply(office, kept["id"], kept["version"]).status_code == 201
    response = office.delete(f"{URL}{kept['id']}/", HTTP_IF_MATCH=f'"{kept["version"] + 1}"')
    assert response.status_code == 400 and response.json()["errors"]["non_field_errors"]
    assert PlanImport.objects.filter(pk=kept["id"], state=PlanImportState.APPLIED).exists()


def test_the_office_of_the_imported_plan_sees_the_import_but_only_the_uploader_acts_on_it(api, office):
    draft = uploaded(office)
    plan_id = apply(office, draft["id"], draft["version"]).json()["plan"]
    colleague = get_user_model().objects.create_user("colleague")
    colleague.groups.add(groups_ensure()[OFFICE_GROUP])
    Plan.objects.get(pk=plan_id).office_staff.add(colleague)
    client = api(colleague)
    response = client.get(f"{URL}{draft['id']}/")
    assert response.status_code == 200 and response.json()["plan"] == plan_id
    assert client.delete(f"{URL}{draft['id']}/", HTTP_IF_MATCH=f'"{response.json()["version"]}"').status_code == 403
    assert apply(client, draft["id"], response.json()["version"]).status_code == 403


def test_the_schema_lists_the_plan_import_operations(office):
    schema = office.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths[URL]) >= {"get", "post"}
    assert set(paths[f"{URL}{{id}}/"]) >= {"get", "patch", "delete"}
    assert "post" in paths[f"{URL}{{id}}/apply/"]
    assert "multipart/form-data" in paths[URL]["post"]["requestBody"]["content"]
    for method, path in (("patch", f"{URL}{{id}}/"), ("post", f"{URL}{{id}}/apply/")):
        header = next(p for p in paths[path][method]["parameters"] if p["name"] == "If-Match")
        assert header["required"] is True
    assert {"201", "400", "403"} <= set(paths[URL]["post"]["responses"])
