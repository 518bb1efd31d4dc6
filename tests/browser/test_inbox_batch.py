"""本期待办 on a phone (390 px wide), in Chromium under the site's Content-Security-Policy: a
unit leader ticks two filled reports, confirms once and both are submitted, then withdraws
one; the pages never scroll sideways."""
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

PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory's password
PHONE = {"width": 390, "height": 844}
SIDEWAYS = "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"


@pytest.fixture
def reports(transactional_db):
    groups = groups_ensure()
    plan = PlanFactory(title="鹤壁市2016年度蓝天工程暨大气污染防治攻坚战实施方案")
    unit = UnitFactory(short_name="市发改委", name="鹤壁市发展和改革委员会")
    office = UserFactory(username="hb-office")
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    leader = MembershipFactory(user=UserFactory(username="hb-leader"), unit=unit, role=MemberRole.LEADER).user
    leader.groups.add(groups[GROUP_OF_ROLE[MemberRole.LEADER]])
    titles = ["大力推广实施清洁能源替代，完成城市建成区燃煤锅炉拆改和集中供热全覆盖工作", "强化水泥粉磨站治理",
              "推进黄标车和老旧车辆淘汰", "加强建筑工地扬尘监管"]
    for number, title in enumerate(titles, start=1):
        task = TaskFactory(plan=plan, path=f"三、(一){number}.", title=title)
        AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    period = ReportingPeriodFactory(plan=plan, label="2016Q3", due_date=datetime.date.today() + datetime.timedelta(days=5))
    opened = sorted(services.period_open(user=office, period=period), key=lambda report: report.task.path)
    for report in opened[:3]:
        services.report_update(user=leader, report=report, progress="已完成燃煤锅炉拆改12台，集中供热管网新建8.5公里。")
    return opened


def phone_page(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/inbox/")
    page.fill("#id_username", "hb-leader")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return context, page


def fits(page):
    width = page.evaluate(SIDEWAYS)
    assert width["scroll"] <= width["inner"] + 1, width


def press(page, selector):
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("load")


def test_a_leader_submits_two_reports_and_withdraws_one_on_a_phone(browser, live_server, reports, screenshot):
    errors = []
    context, page = phone_page(browser, live_server)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/admin/inbox/")
    fits(page)
    screenshot(page, "phone-inbox-leader")
    filled = page.locator("#group-filled tr.report")
    assert filled.count() == 3
    assert page.locator("#group-empty tr.report").count() == 1
    assert page.locator("#group-empty input[type=checkbox]").count() == 0

    page.check(f"#select-{reports[0].pk}")
    page.check(f"#select-{reports[1].pk}")
    press(page, "input[name=submit_selected]")
    fits(page)
    screenshot(page, "phone-inbox-confirm")
    assert page.locator("#confirm-reports tr.report").count() == 2
    press(page, "input[name=confirm_submit]")

    states = dict(ProgressReport.objects.values_list("pk", "state"))
    assert [states[report.pk] for report in reports] == [
        ReportState.SUBMITTED, ReportState.SUBMITTED, ReportState.PENDING, ReportState.PENDING,
    ]
    assert "已报送 2 份报告" in page.locator(".messagelist").inner_text()
    fits(page)
    press(page, f"button[name=withdraw][value='{reports[0].pk}']")
    assert ProgressReport.objects.get(pk=reports[0].pk).state == ReportState.PENDING
    assert page.locator("#group-submitted tr.report").count() == 1
    fits(page)
    assert not [error for error in errors if "Content Security Policy" in error], errors
    context.close()
