"""佐证材料 on a report's change page: listed with link, size, uploader and time; uploaded
(several at once) and removed by whoever may change them, through the services; refused with
the service's sentence; read-only once the report is approved."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans import services
from plans.models import Attachment, MemberRole, Profile, ReportState, Role
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.admin.forms import get_form
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    OpenPeriodFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def setting():
    groups = groups_ensure()
    plan = PlanFactory()
    office = UserFactory(username="office")
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    unit = UnitFactory(short_name="市环保局")
    official = MembershipFactory(unit=unit, role=MemberRole.OFFICIAL).user
    Profile.objects.create(user=official, name="张伟")
    official.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    task = TaskFactory(plan=plan)
    AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    report = ProgressReportFactory(task=task, unit=unit, period=OpenPeriodFactory(plan=plan))
    return {"office": office, "official": official, "report": report}


def page(report):
    return reverse("admin:plans_progressreport_change", args=[report.pk])


def test_the_page_lists_attachments_with_link_size_uploader_and_upload_form(client, setting):
    attachment = services.attachment_add(
        user=setting["official"], owner=setting["report"], upload=SimpleUploadedFile("现场照片.png", PNG),
    )
    client.force_login(setting["official"])
    html = client.get(page(setting["report"])).content.decode()

    assert f'<a href="/admin/evidence/{attachment.pk}/">现场照片.png</a>' in html
    line = re.sub(r"\s+", " ", html.split("现场照片.png</a>")[1].split("</li>")[0])
    assert re.search(r"48\W*字节 · 张伟（市环保局） · \d{4}-\d\d-\d\d \d\d:\d\d", line), line
    assert 'type="file" form="_evidence" name="evidence" id="id_evidence" multiple' in html
    assert '<form id="_evidence" method="post" enctype="multipart/form-data">' in html
    assert 'name="_delete_attachment" value="%d"' % attachment.pk in html


def test_several_files_are_uploaded_through_the_service(client, setting):
    client.force_login(setting["official"])
    response = client.post(page(setting["report"]), {
        "_evidence": "1", "_add_attachments": "1",
        "evidence": [SimpleUploadedFile("验收报告.pdf", PDF), SimpleUploadedFile("照片.png", PNG)],
    })
    assert response.status_code == 302
    rows = Attachment.objects.order_by("pk")
    assert [(row.name, row.kind, row.uploaded_by) for row in rows] == [
        ("验收报告.pdf", "pdf", setting["official"]), ("照片.png", "png", setting["official"]),
    ]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["已上传佐证材料 2 个。"]


def test_a_refused_file_shows_the_service_sentence_and_keeps_nothing(client, setting):
    client.force_login(setting["official"])
    response = client.post(page(setting["report"]), {
        "_evidence": "1", "_add_attachments": "1",
        "evidence": [SimpleUploadedFile("说明.pdf", PDF), SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" * 20)],
    }, follow=True)
    assert not Attachment.objects.exists()
    assert "文件“setup.pdf”：不是可接受的佐证材料格式" in response.content.decode()


def test_one_attachment_is_removed_and_its_history_kept(client, setting):
    attachment = services.attachment_add(
        user=setting["official"], owner=setting["report"], upload=SimpleUploadedFile("a.pdf", PDF),
    )
    client.force_login(setting["office"])
    response = client.post(page(setting["report"]), {"_evidence": "1", "_delete_attachment": str(attachment.pk)})
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert Attachment.history.filter(id=attachment.pk, history_type="-", history_user=setting["office"]).exists()


def test_an_approved_report_shows_its_files_but_refuses_changes(client, setting):
    report = setting["report"]
    attachment = services.attachment_add(user=setting["official"], owner=report, upload=SimpleUploadedFile("a.pdf", PDF))
    report.state = ReportState.APPROVED
    report.save()
    client.force_login(setting["office"])
    html = client.get(page(report)).content.decode()
    assert f"/admin/evidence/{attachment.pk}/" in html
    assert 'name="evidence"' not in html and "_delete_attachment" not in html

    response = client.post(page(report), {"_evidence": "1", "_delete_attachment": str(attachment.pk)}, follow=True)
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert "报告已审核通过，不能再修改" in response.content.decode()


def test_a_report_save_does_not_touch_the_files(client, setting):
    """The report's own form (no _evidence) goes on to the report's save as before."""
    attachment = services.attachment_add(
        user=setting["official"], owner=setting["report"], upload=SimpleUploadedFile("a.pdf", PDF),
    )
    client.force_login(setting["official"])
    report = setting["report"]
    data = get_form(client, page(report))
    data.update(progress="已完成 3 座", _delete_attachment=str(attachment.pk))  # as if both were sent
    response = client.post(page(report), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.progress == "已完成 3 座"
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_supporting_unit_attaches_to_its_own_input_on_the_leads_report_and_nowhere_else(client, setting):
    report = setting["report"]
    helper_unit = UnitFactory(short_name="市财政局")
    AssignmentFactory(task=report.task, unit=helper_unit, role=Role.SUPPORTING)
    helper = MembershipFactory(unit=helper_unit, role=MemberRole.OFFICIAL).user
    helper.groups.add(groups_ensure()[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    client.force_login(helper)
    upload = {"_evidence": "1", "_add_attachments": "1", "evidence": SimpleUploadedFile("资金拨付.pdf", PDF)}

    client.post(page(report), upload)  # no input written yet: nothing of its own to attach to
    assert not Attachment.objects.exists()

    contribution = services.supporting_input_save(user=helper, report=report, text="已拨付资金 500 万元")
    upload["evidence"] = SimpleUploadedFile("资金拨付.pdf", PDF)
    client.post(page(report), upload)
    attachment = Attachment.objects.get()
    assert (attachment.supporting_input, attachment.report) == (contribution, None)

    lead_file = services.attachment_add(
        user=setting["official"], owner=report, upload=SimpleUploadedFile("验收报告.pdf", PDF),
    )
    client.post(page(report), {"_evidence": "1", "_delete_attachment": str(lead_file.pk)})
    assert Attachment.objects.filter(pk=lead_file.pk).exists()  # the lead's file is not the helper's to remove
    client.post(page(report), {"_evidence": "1", "_delete_attachment": str(attachment.pk)})
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
