"""An official fills a report, the leader submits it, the office returns it with a comment,
the unit fixes and resubmits, the office approves and the report is locked — in Chromium."""
import datetime

import pytest

from plans import services
from plans.models import MemberRole, ProgressReport, ReportState, Role
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def cycle(transactional_db):
    groups = groups_ensure()
    plan = PlanFactory(title="鹤壁市2016年度蓝天工程暨大气污染治理实施方案")
    unit = UnitFactory(short_name="市环保局", name="鹤壁市环境保护局")
    task = TaskFactory(plan=plan, path="三、(二)2.(2)", title="强化水泥粉磨站治理")
    AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    official = MembershipFactory(user=UserFactory(username="hb-official"), unit=unit, role=MemberRole.OFFICIAL).user
    leader = MembershipFactory(user=UserFactory(username="hb-leader"), unit=unit, role=MemberRole.LEADER).user
    office = UserFactory(username="hb-office")
    official.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    leader.groups.add(groups[GROUP_OF_ROLE[MemberRole.LEADER]])
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    period = ReportingPeriodFactory(plan=plan, label="2016Q3", due_date=datetime.date(2016, 9, 23))
    [report] = services.period_open(user=office, period=period)
    return report


def log_in(browser, live_server, username):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    return page


def press(page, selector):
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("load")


def open_report(page, live_server, report):
    page.goto(f"{live_server.url}/admin/plans/progressreport/{report.pk}/change/")


def test_report_goes_round_the_cycle_in_the_browser(browser, live_server, cycle, screenshot):
    report = cycle

    page = log_in(browser, live_server, "hb-official")
    open_report(page, live_server, report)
    page.select_option("#id_status", "on_track")
    page.fill("#id_percent", "60")
    page.fill("#id_progress", "完成8座水泥粉磨站提标改造。")
    page.fill("#id_problems", "资金缺口约200万元。")
    page.fill("#id_next_steps", "9月底前完成其余2座。")
    assert page.locator("input[name=_submit_report]").count() == 0  # officials fill in; only leaders submit
    press(page, "input[name=_continue]")
    screenshot(page, "1-official-filled")
    page.close()

    page = log_in(browser, live_server, "hb-leader")
    open_report(page, live_server, report)
    press(page, "input[name=_submit_report]")
    assert "报告已报送" in page.content()
    screenshot(page, "2-leader-submitted")
    page.close()
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED

    page = log_in(browser, live_server, "hb-office")
    open_report(page, live_server, report)
    page.fill("#id_review_comment", "请补充已验收粉磨站数量。")
    press(page, "input[name=_return_report]")
    assert "报告已退回" in page.content()
    screenshot(page, "3-office-returned")
    page.close()

    page = log_in(browser, live_server, "hb-official")
    open_report(page, live_server, report)
    assert "请补充已验收粉磨站数量。" in page.locator("#review-comment-note").inner_text()
    page.fill("#id_progress", "完成8座水泥粉磨站提标改造，已验收6座。")
    press(page, "input[name=_continue]")
    screenshot(page, "4-official-fixed")
    page.close()

    page = log_in(browser, live_server, "hb-leader")
    open_report(page, live_server, report)
    press(page, "input[name=_submit_report]")
    page.close()

    page = log_in(browser, live_server, "hb-office")
    open_report(page, live_server, report)
    press(page, "input[name=_approve_report]")
    assert "报告已审核通过并锁定" in page.content()
    screenshot(page, "5-office-approved")
    page.close()

    page = log_in(browser, live_server, "hb-official")
    open_report(page, live_server, report)
    assert page.locator("#id_progress").count() == 0  # locked: shown read-only
    assert "已验收6座" in page.content()
    screenshot(page, "6-locked")
    page.close()

    report.refresh_from_db()
    assert (report.state, report.progress) == (ReportState.APPROVED, "完成8座水泥粉磨站提标改造，已验收6座。")
    assert report.task.status == "on_track"
