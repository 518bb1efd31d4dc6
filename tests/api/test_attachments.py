"""/api/attachments/: evidence of the objects the account sees, uploaded (multipart), removed
and downloaded; refusals in the API's error shape."""
import urllib.parse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plans import services
from plans.models import Attachment, MemberRole, Profile, ProgressReport, ReportState, Role
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    OpenPeriodFactory,
    PlanFactory,
    ProgressReportFactory,
    SupportingInputFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 30


@pytest.fixture
def w():
    plan = PlanFactory()
    office = UserFactory(username="office")
    plan.office_staff.add(office)
    lead, other, helper_unit = UnitFactory(short_name="市环保局"), UnitFactory(), UnitFactory(short_name="市财政局")
    task, other_task = TaskFactory(plan=plan), TaskFactory(plan=plan)
    AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=helper_unit, role=Role.SUPPORTING)
    AssignmentFactory(task=other_task, unit=other, role=Role.RESPONSIBLE)
    official = MembershipFactory(unit=lead, role=MemberRole.OFFICIAL).user
    Profile.objects.create(user=official, name="张伟")
    stranger = MembershipFactory(unit=other, role=MemberRole.OFFICIAL).user
    helper = MembershipFactory(unit=helper_unit, role=MemberRole.OFFICIAL).user
    period = OpenPeriodFactory(plan=plan)
    report = ProgressReportFactory(task=task, unit=lead, period=period)
    other_report = ProgressReportFactory(task=other_task, unit=other, period=period)
    return {"office": office, "official": official, "stranger": stranger, "helper": helper, "report": report,
            "other_report": other_report, "helper_unit": helper_unit}


def add(user, owner, name="验收报告.pdf", data=PDF):
    return services.attachment_add(user=user, owner=owner, upload=SimpleUploadedFile(name, data))


def post(client, kind, owner_id, name="照片.jpg", data=JPG):
    return client.post("/api/attachments/", {
        "owner_kind": kind, "owner_id": owner_id, "file": SimpleUploadedFile(name, data),
    }, format="multipart")


def test_upload_answers_201_with_the_row(api, w):
    response = post(api(w["official"]), "report", w["report"].pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    attachment = Attachment.objects.get()
    assert body["id"] == attachment.pk and attachment.uploaded_by == w["official"]
    assert {key: body[key] for key in ("owner_kind", "report", "claim", "name", "kind", "size", "uploaded_by_name")} == {
        "owner_kind": "report", "report": w["report"].pk, "claim": None, "name": "照片.jpg", "kind": "jpg",
        "size": len(JPG), "uploaded_by_name": "张伟（市环保局）",
    }
    assert body["download"].endswith(f"/api/attachments/{attachment.pk}/download/")


def test_list_by_owner_shows_only_visible_attachments(api, w):
    mine = add(w["official"], w["report"])
    theirs = add(w["stranger"], w["other_report"], "别人的.pdf")
    client = api(w["official"])
    assert [row["id"] for row in client.get("/api/attachments/", {"report": w["report"].pk}).json()["results"]] == [
        mine.pk]
    assert client.get("/api/attachments/", {"report": w["other_report"].pk}).json()["results"] == []
    assert [row["id"] for row in client.get("/api/attachments/").json()["results"]] == [mine.pk]
    office_rows = api(w["office"]).get("/api/attachments/").json()["results"]
    assert {row["id"] for row in office_rows} == {mine.pk, theirs.pk}
    assert client.get("/api/attachments/", {"report": "x"}).status_code == 400


def test_a_supporting_unit_uploads_to_its_input_listed_by_supporting_input(api, w):
    own = SupportingInputFactory(report=w["report"], unit=w["helper_unit"])
    response = post(api(w["helper"]), "supporting_input", own.pk, "资金说明.pdf", PDF)
    assert response.status_code == 201, response.json()
    rows = api(w["official"]).get("/api/attachments/", {"supporting_input": own.pk}).json()["results"]
    assert [(row["owner_kind"], row["supporting_input"], row["name"]) for row in rows] == [
        ("supporting_input", own.pk, "资金说明.pdf")]


def test_refusals_use_the_api_error_shape(api, w):
    client = api(w["official"])
    exe = post(client, "report", w["report"].pk, "报告.pdf", b"MZ\x90\x00" * 10)
    assert exe.status_code == 400
    assert "“报告.pdf”" in exe.json()["errors"]["file"][0] and exe.json()["code"]
    unseen = post(client, "report", w["other_report"].pk)
    assert unseen.status_code == 400 and "owner_id" in unseen.json()["errors"]
    bad_kind = post(client, "task", w["report"].pk)
    assert bad_kind.status_code == 400 and "owner_kind" in bad_kind.json()["errors"]
    assert not Attachment.objects.exists()


def test_an_approved_report_refuses_add_and_delete_with_403(api, w):
    attachment = add(w["official"], w["report"])
    ProgressReport.objects.filter(pk=w["report"].pk).update(state=ReportState.APPROVED)
    client = api(w["office"])
    refused = post(client, "report", w["report"].pk)
    assert refused.status_code == 403 and "审核通过" in refused.json()["detail"]
    deleted = client.delete(f"/api/attachments/{attachment.pk}/")
    assert deleted.status_code == 403 and "审核通过" in deleted.json()["detail"]
    assert list(Attachment.objects.values_list("pk", flat=True)) == [attachment.pk]


def test_delete_answers_204_and_keeps_history(api, w):
    attachment = add(w["official"], w["report"])
    assert api(w["stranger"]).delete(f"/api/attachments/{attachment.pk}/").status_code == 404
    response = api(w["official"]).delete(f"/api/attachments/{attachment.pk}/")
    assert response.status_code == 204
    assert not Attachment.objects.exists()
    assert Attachment.history.filter(id=attachment.pk, history_type="-", history_user=w["official"]).exists()


def test_download_streams_the_file_to_those_who_see_it_only(api, w):
    attachment = add(w["official"], w["report"], "2016年验收报告.pdf")
    url = f"/api/attachments/{attachment.pk}/download/"
    response = api(w["official"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith("filename*=utf-8''" + urllib.parse.quote("2016年验收报告.pdf"))
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert api(w["official"]).get(url, HTTP_ACCEPT="application/pdf").status_code == 200

    refused = api(w["stranger"]).get(url, HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 404 and refused["Content-Type"] == "application/json"
    assert api().get(url).status_code == 401
    assert api(w["stranger"]).get(f"/api/attachments/{attachment.pk}/").status_code == 404
