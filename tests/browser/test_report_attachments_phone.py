"""At a phone's width (390 × 844) a unit uploads two evidence files on its report's page
(multiple file input), sees them listed without the page widening, and removes one."""
import pytest
from django.urls import reverse

from plans.models import Attachment, MemberRole, Role
from plans.roles import GROUP_OF_ROLE, groups_ensure
from tests.browser.test_phone_width import PHONE, assert_fits
from tests.browser.test_workflow_phone import phone_page
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    OpenPeriodFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
    UnitFactory,
)


@pytest.fixture
def report(transactional_db):
    groups = groups_ensure()
    plan = PlanFactory()
    unit = UnitFactory(name="鹤壁市环境保护局", short_name="市环保局")
    official = MembershipFactory(unit=unit, role=MemberRole.OFFICIAL, user__username="official").user
    official.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    task = TaskFactory(plan=plan, title="强化水泥粉磨站治理，全面完成粉磨站提标改造并通过验收")
    AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    return ProgressReportFactory(task=task, unit=unit, period=OpenPeriodFactory(plan=plan))


def test_evidence_is_uploaded_listed_and_removed_at_phone_width(browser, live_server, report, screenshot):
    context, page = phone_page(browser, live_server, "official")
    path = reverse("admin:plans_progressreport_change", args=[report.pk])
    assert_fits(page, live_server, path, screenshot, "phone-report-evidence-empty")
    long_name = "2016年第三季度水泥粉磨站提标改造验收报告及现场检查记录（盖章扫描件）.pdf"
    page.set_input_files("#id_evidence", [
        {"name": long_name, "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
        {"name": "现场照片.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40},
    ])
    with page.expect_navigation():
        page.click("button[name=_add_attachments]")
    assert sorted(Attachment.objects.values_list("name", flat=True)) == sorted([long_name, "现场照片.png"])
    assert_fits(page, live_server, path, screenshot, "phone-report-evidence")
    assert page.locator("#report-attachments li").count() == 2
    box = page.locator(f"#report-attachments a:has-text('{long_name}')").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

    with page.expect_navigation():
        page.locator("#report-attachments li", has_text="现场照片.png").locator("button").click()
    assert list(Attachment.objects.values_list("name", flat=True)) == [long_name]
    assert page.locator("#report-attachments li").count() == 1
    context.close()
