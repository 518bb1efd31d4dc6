"""佐证材料 filed with a 延期申请 or 办结申请 from the task page: kept with the request in one
step (a refused file leaves neither), and listed on the office's decision page."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Attachment, Closure, CompletionClaim, ExtensionRequest
from tests.admin.test_workflow_admin import w  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="验收报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_a_claim_filed_with_two_files_keeps_both_and_the_office_sees_them(client, w):  # noqa: F811
    client.force_login(w.leader_a)
    response = client.post(
        reverse("admin:plans_task_claim", args=[w.task.pk]),
        {"summary": "粉磨站全部完成提标改造", "evidence": [pdf(), pdf("现场照片说明.pdf")]},
    )
    assert response.status_code == 302
    claim = CompletionClaim.objects.get(task=w.task)
    assert sorted(claim.attachments.values_list("name", flat=True)) == ["现场照片说明.pdf", "验收报告.pdf"]

    client.force_login(w.office)
    page = client.get(reverse("admin:plans_completionclaim_change", args=[claim.pk])).content.decode()
    attachment = claim.attachments.get(name="验收报告.pdf")
    assert reverse("attachment-download", args=[attachment.pk]) in page and "验收报告.pdf" in page
    assert client.get(reverse("attachment-download", args=[attachment.pk])).status_code == 200


def test_a_refused_file_leaves_no_claim_and_says_why(client, w):  # noqa: F811
    client.force_login(w.leader_a)
    program = SimpleUploadedFile("验收报告.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = client.post(
        reverse("admin:plans_task_claim", args=[w.task.pk]), {"summary": "已完成", "evidence": [program]},
    )
    assert response.status_code == 200
    assert "验收报告.pdf" in response.content.decode()
    assert not CompletionClaim.objects.exists() and not Attachment.objects.exists()
    w.task.refresh_from_db()
    assert w.task.closure == Closure.OPEN


def test_an_extension_request_takes_its_file(client, w):  # noqa: F811
    deadline = w.task.deadlines.get()
    client.force_login(w.leader_a)
    response = client.post(reverse("admin:plans_task_extension", args=[w.task.pk]), {
        "deadline": deadline.pk, "requested_date": (deadline.date + datetime.timedelta(days=30)).isoformat(),
        "reason": "设备到货延迟", "evidence": [pdf("供货合同.pdf")],
    })
    assert response.status_code == 302
    request = ExtensionRequest.objects.get(deadline=deadline)
    assert list(request.attachments.values_list("name", flat=True)) == ["供货合同.pdf"]
