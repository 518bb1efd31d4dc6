"""Downloading 佐证材料: one file for whoever sees its task (404 for anyone else), a period's
zip for the plan's office only, with entries 单位/任务序号/文件名; never on the public page."""
import io
import urllib.parse
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import MemberRole, Role
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
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def w():
    plan = PlanFactory(title="鹤壁市蓝天工程行动计划")
    office, other_office = UserFactory(username="office"), UserFactory(username="office2")
    plan.office_staff.add(office)
    PlanFactory().office_staff.add(other_office)
    lead, second, helper_unit = UnitFactory(short_name="市环保局"), UnitFactory(short_name="市公安局"), UnitFactory(
        short_name="市财政局")
    period = OpenPeriodFactory(plan=plan, label="2016年第三季度")
    task_a = TaskFactory(plan=plan, path="一、1.", position=3)
    task_b = TaskFactory(plan=plan, path="", position=7)
    AssignmentFactory(task=task_a, unit=lead, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task_a, unit=helper_unit, role=Role.SUPPORTING)
    AssignmentFactory(task=task_b, unit=second, role=Role.RESPONSIBLE)
    official = MembershipFactory(unit=lead, role=MemberRole.OFFICIAL).user
    second_official = MembershipFactory(unit=second, role=MemberRole.OFFICIAL).user
    helper = MembershipFactory(unit=helper_unit, role=MemberRole.OFFICIAL).user
    report_a = ProgressReportFactory(task=task_a, unit=lead, period=period)
    report_b = ProgressReportFactory(task=task_b, unit=second, period=period)
    old_period = OpenPeriodFactory(plan=plan, label="2016年第二季度")
    old_report = ProgressReportFactory(task=task_a, unit=lead, period=old_period)

    def add(user, owner, name, data=PDF):
        return services.attachment_add(user=user, owner=owner, upload=SimpleUploadedFile(name, data))

    files = {
        "a": add(official, report_a, "验收报告.pdf"),
        "a2": add(official, report_a, "现场照片.png", PNG),
        "b": add(second_official, report_b, "整改清单.pdf"),
        "input": add(helper, SupportingInputFactory(report=report_a, unit=helper_unit), "资金说明.pdf"),
        "old": add(official, old_report, "上期材料.pdf"),
    }
    return {"office": office, "other_office": other_office, "official": official, "second": second_official,
            "helper": helper, "period": period, "files": files, "plan": plan, "lead": lead}


def url(attachment):
    return reverse("attachment-download", args=[attachment.pk])


def test_the_unit_downloads_its_file_under_its_chinese_name_privately(client, w):
    client.force_login(w["official"])
    response = client.get(url(w["files"]["a"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + urllib.parse.quote("验收报告.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_anyone_the_task_is_not_shown_to_gets_404(client, w):
    for user in (w["second"], w["other_office"]):
        client.force_login(user)
        assert client.get(url(w["files"]["a"])).status_code == 404
    client.force_login(w["second"])
    assert client.get(url(w["files"]["b"])).status_code == 200
    client.force_login(w["office"])
    assert client.get(url(w["files"]["b"])).status_code == 200
    assert client.get(reverse("attachment-download", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_the_login_page(client, w):
    response = client.get(url(w["files"]["a"]))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    zip_url = reverse("period-evidence-zip", args=[w["period"].pk])
    assert client.get(zip_url)["Location"].startswith("/admin/login/")


def entries(response):
    assert response.status_code == 200, response.content[:500]
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_office_gets_the_period_zip_with_named_entries(client, w):
    client.force_login(w["office"])
    response = client.get(reverse("period-evidence-zip", args=[w["period"].pk]))
    assert response["Content-Type"] == "application/zip"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert urllib.parse.quote("2016年第三季度") in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert entries(response) == {
        "市环保局/一、1/验收报告.pdf": PDF,  # a folder name never ends in "." (Windows)
        "市环保局/一、1/现场照片.png": PNG,
        "市财政局/一、1/资金说明.pdf": PDF,
        "市公安局/8/整改清单.pdf": PDF,
    }


def test_the_period_zip_of_one_unit(client, w):
    client.force_login(w["office"])
    response = client.get(reverse("period-evidence-zip", args=[w["period"].pk]), {"unit": w["lead"].pk})
    assert set(entries(response)) == {"市环保局/一、1/验收报告.pdf", "市环保局/一、1/现场照片.png"}
    assert client.get(reverse("period-evidence-zip", args=[w["period"].pk]), {"unit": "x"}).status_code == 404


def test_unit_accounts_and_other_offices_do_not_get_the_period_zip(client, w):
    zip_url = reverse("period-evidence-zip", args=[w["period"].pk])
    for user in (w["official"], w["helper"]):
        client.force_login(user)
        assert client.get(zip_url).status_code == 403
    client.force_login(w["other_office"])
    assert client.get(zip_url).status_code == 404


def test_the_public_page_never_shows_attachments(client, w):
    plan = w["plan"]
    plan.is_published, plan.published_at = True, timezone.now()
    plan.save()
    response = client.get(reverse("public-plan", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "验收报告" not in html and "/admin/evidence/" not in html


def test_the_period_list_links_the_zip_for_the_office_only(client, w):
    from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure

    groups = groups_ensure()
    w["office"].groups.add(groups[OFFICE_GROUP])
    official = w["files"]["a"].uploaded_by
    official.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    zip_url = reverse("period-evidence-zip", args=[w["period"].pk])
    periods = reverse("admin:plans_reportingperiod_changelist")
    client.force_login(w["office"])
    assert zip_url in client.get(periods).content.decode()
    client.force_login(official)
    page = client.get(periods)
    assert page.status_code == 200 and zip_url not in page.content.decode()
