"""Evidence files (佐证材料) through the services: kept with their checks, refused by the
owner's lock, the format and the limits, removed leaving a history row."""
import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from plans import services
from plans.models import Attachment, ExtensionRequest, MemberRole, ReportState, RequestState, Role
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    MembershipFactory,
    OpenPeriodFactory,
    PlanFactory,
    ProgressReportFactory,
    SupportingInputFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="验收报告.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def world(db):
    plan = PlanFactory()
    office = UserFactory(username="office")
    plan.office_staff.add(office)
    lead, other, supporting = UnitFactory(short_name="市环保局"), UnitFactory(short_name="市财政局"), UnitFactory()
    task = TaskFactory(plan=plan, title="强化水泥粉磨站治理")
    AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=supporting, role=Role.SUPPORTING)
    official = MembershipFactory(unit=lead, role=MemberRole.OFFICIAL).user
    stranger = MembershipFactory(unit=other, role=MemberRole.OFFICIAL).user
    helper = MembershipFactory(unit=supporting, role=MemberRole.OFFICIAL).user
    report = ProgressReportFactory(task=task, unit=lead, period=OpenPeriodFactory(plan=plan))
    return {"office": office, "official": official, "stranger": stranger, "helper": helper, "report": report,
            "task": task, "lead": lead, "supporting": supporting}


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_a_unit_adds_a_pdf_to_its_report_with_its_digest_and_history(world, settings):
    attachment = services.attachment_add(user=world["official"], owner=world["report"], upload=pdf())

    attachment.refresh_from_db()
    assert (attachment.name, attachment.kind, attachment.size) == ("验收报告.pdf", "pdf", len(PDF))
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.uploaded_by == world["official"] and attachment.task == world["task"]
    assert attachment.report == world["report"]
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    assert "验收" not in attachment.file.name  # stored under a random name
    [row] = attachment.history.all()
    assert (row.history_type, row.history_user) == ("+", world["official"])


def test_the_folder_part_of_a_browser_supplied_name_is_dropped(world):
    attachment = services.attachment_add(user=world["official"], owner=world["report"], upload=pdf("x.pdf"))
    upload = pdf()
    upload.name = "C:\\fakepath\\资料\\会议纪要.pdf"
    assert services.attachment_add(user=world["official"], owner=world["report"], upload=upload).name == "会议纪要.pdf"
    assert attachment.name == "x.pdf"


def test_an_approved_report_refuses_adding_and_removing(world, settings):
    report = world["report"]
    attachment = services.attachment_add(user=world["official"], owner=report, upload=pdf())
    report.state = ReportState.APPROVED
    report.save()
    before = stored_files(settings)

    with pytest.raises(PermissionDenied, match="审核通过"):
        services.attachment_add(user=world["office"], owner=report, upload=pdf("补充.pdf"))
    with pytest.raises(PermissionDenied, match="审核通过"):
        services.attachment_delete(user=world["office"], attachment=attachment)

    assert list(Attachment.objects.values_list("name", flat=True)) == ["验收报告.pdf"]
    assert stored_files(settings) == before


def test_another_unit_may_not_add_to_a_report(world, settings):
    with pytest.raises(PermissionDenied):
        services.attachment_add(user=world["stranger"], owner=world["report"], upload=pdf())
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_removal_keeps_a_history_row_and_deletes_the_file_after_commit(world, settings, django_capture_on_commit_callbacks):
    attachment = services.attachment_add(user=world["official"], owner=world["report"], upload=pdf())
    [path] = stored_files(settings)

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(user=world["office"], attachment=attachment)

    assert not Attachment.objects.exists()
    removed = Attachment.history.filter(id=attachment.pk, history_type="-").get()
    assert (removed.name, removed.history_user) == ("验收报告.pdf", world["office"])
    assert not path.exists()


def test_a_file_that_is_not_evidence_is_refused_naming_it_and_nothing_is_kept(world, settings):
    exe = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00" + b"\x00" * 60)
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(user=world["official"], owner=world["report"], upload=exe)
    assert "通知.pdf" in refused.value.message_dict["file"][0]
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_per_file_and_per_owner_limits(world, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    settings.ATTACHMENTS_MAX_TOTAL_BYTES = 150
    with pytest.raises(ValidationError, match="过大"):
        services.attachment_add(user=world["official"], owner=world["report"], upload=pdf(data=PDF + b" " * 100))
    services.attachment_add(user=world["official"], owner=world["report"], upload=pdf(data=PDF + b" " * 40))
    with pytest.raises(ValidationError, match="合计"):
        services.attachment_add(user=world["official"], owner=world["report"], upload=pdf("二.pdf", PDF + b" " * 30))
    assert Attachment.objects.count() == 1


def test_several_files_are_all_kept_or_none(world, settings):
    good, bad = pdf("一.pdf"), SimpleUploadedFile("二.docx", b"<html><body>x</body></html>")
    with pytest.raises(ValidationError, match="二.docx"):
        services.attachments_add(user=world["official"], owner=world["report"], uploads=[good, bad])
    assert not Attachment.objects.exists() and stored_files(settings) == []

    kept = services.attachments_add(user=world["official"], owner=world["report"], uploads=[pdf("一.pdf"), pdf("二.pdf")])
    assert [attachment.name for attachment in kept] == ["一.pdf", "二.pdf"]
    assert len(stored_files(settings)) == 2


def test_a_supporting_unit_attaches_to_its_own_input_only(world):
    own = SupportingInputFactory(report=world["report"], unit=world["supporting"])
    attachment = services.attachment_add(user=world["helper"], owner=own, upload=pdf())
    assert attachment.supporting_input == own and attachment.task == world["task"]
    with pytest.raises(PermissionDenied):
        services.attachment_add(user=world["official"], owner=own, upload=pdf())


def test_an_extension_request_takes_files_while_pending(world):
    deadline = DeadlineFactory(task=world["task"], date=datetime.date(2016, 12, 31))
    request = ExtensionRequest.objects.create(
        task=world["task"], deadline=deadline, unit=world["lead"], current_date=deadline.date,
        requested_date=datetime.date(2017, 6, 30), reason="资金未到位", requested_by=world["official"],
    )
    attachment = services.attachment_add(user=world["official"], owner=request, upload=pdf("资金说明.pdf"))
    assert attachment.extension == request
    with pytest.raises(PermissionDenied):
        services.attachment_add(user=world["stranger"], owner=request, upload=pdf())

    ExtensionRequest.objects.filter(pk=request.pk).update(state=RequestState.APPROVED)
    request.refresh_from_db()
    with pytest.raises(PermissionDenied, match="已审核"):
        services.attachment_add(user=world["office"], owner=request, upload=pdf())
    with pytest.raises(PermissionDenied, match="已审核"):
        services.attachment_delete(user=world["official"], attachment=attachment)
    assert Attachment.objects.filter(pk=attachment.pk).exists()
