"""本期待办: a unit's reports in open periods, grouped by what is still to do, with due dates,
lateness derived from them, the office's comments on returned reports and the lead units'
reports the unit supports. Constant queries."""
import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans.models import MemberRole, ProgressReport, ReportState, Role, UnitKind
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PlanFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SupportingInputFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INBOX = "/admin/inbox/"


def days_from_today(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def unit():
    return UnitFactory(name="鹤壁市发展和改革委员会", short_name="市发改委")


@pytest.fixture
def official(client, unit):
    user = MembershipFactory(unit=unit).user
    client.force_login(user)
    return user


@pytest.fixture
def period():
    """An open period of a plan, due in five days."""
    plan = PlanFactory(title="鹤壁市2016年度蓝天工程实施方案")
    return ReportingPeriodFactory(plan=plan, label="2016Q3", due_date=days_from_today(5), is_open=True)


def report_of(unit, period, state=ReportState.PENDING, role=Role.RESPONSIBLE, **fields):
    """A report of `unit` on a new task of the period's plan, where the unit holds `role`."""
    task = TaskFactory(plan=period.plan)
    AssignmentFactory(task=task, unit=unit, role=role)
    return ProgressReportFactory(task=task, unit=unit, period=period, state=state, **fields)


def inbox_groups(response):
    return [(group.title, [row.report.pk for row in group.rows]) for group in response.context["inbox"].groups]


def listed_reports(response):
    return sorted(row.report.pk for group in response.context["inbox"].groups for row in group.rows)


def test_inbox_groups_reports_to_do_first_filled_apart_from_empty_then_submitted_then_approved(
    client, official, unit, period,
):
    approved = report_of(unit, period, ReportState.APPROVED, progress="已完成")
    submitted = report_of(unit, period, ReportState.SUBMITTED, progress="已完成")
    empty = report_of(unit, period, ReportState.PENDING)
    filled = report_of(unit, period, ReportState.PENDING, progress="已完成8座")
    blank = report_of(unit, period, ReportState.PENDING, progress="  \n")
    returned = report_of(unit, period, ReportState.RETURNED, review_comment="请补充数据。", progress="已完成")

    response = client.get(INBOX)

    assert inbox_groups(response) == [
        ("已填写待报送", [filled.pk, returned.pk]),
        ("未填写", [empty.pk, blank.pk]),
        ("已报送", [submitted.pk]),
        ("已审核", [approved.pk]),
    ]


def test_inbox_shows_due_date_and_days_left(client, official, unit, period):
    report_of(unit, period)

    html = client.get(INBOX).content.decode()

    assert period.due_date.strftime("%Y-%m-%d") in html
    assert "还剩5天" in html


def test_inbox_marks_report_past_its_due_date_as_late_by_days(client, official, unit):
    late_period = ReportingPeriodFactory(due_date=days_from_today(-3), is_open=True)
    report_of(unit, late_period)

    html = client.get(INBOX).content.decode()

    assert '<td data-label="剩余时间" class="late">逾期3天</td>' in html


def test_inbox_does_not_count_down_for_submitted_reports(client, official, unit):
    late_period = ReportingPeriodFactory(due_date=days_from_today(-3), is_open=True)
    report_of(unit, late_period, ReportState.SUBMITTED)

    response = client.get(INBOX)

    assert [row.deadline for row in response.context["inbox"].groups[2].rows] == ["-"]
    assert "逾期" not in response.content.decode()


def test_inbox_leaves_out_reports_of_closed_periods(client, official, unit, period):
    shown = report_of(unit, period)
    report_of(unit, ReportingPeriodFactory(plan=period.plan, label="2016Q2", is_open=False))

    assert listed_reports(client.get(INBOX)) == [shown.pk]


def test_inbox_never_shows_another_units_reports(client, official, unit, period):
    shown = report_of(unit, period)
    report_of(UnitFactory(name="鹤壁市财政局"), period)

    assert listed_reports(client.get(INBOX)) == [shown.pk]


def test_inbox_gathers_reports_of_all_the_units_plans(client, official, unit, period):
    first = report_of(unit, period)
    second = report_of(unit, ReportingPeriodFactory(due_date=days_from_today(9), is_open=True))

    assert listed_reports(client.get(INBOX)) == [first.pk, second.pk]


def test_inbox_links_each_task_to_its_report_change_page(client, official, unit, period):
    report = report_of(unit, period)
    report.task.path, report.task.title = "三、(一)1.", "大力推广实施清洁能源"
    report.task.save()

    html = client.get(INBOX).content.decode()

    url = reverse("admin:plans_progressreport_change", args=[report.pk])
    assert f'<a href="{url}">三、(一)1. 大力推广实施清洁能源</a>' in html


def test_inbox_shows_the_units_role_on_each_task(client, official, unit, period):
    lead = report_of(unit, period)
    second = TaskFactory(plan=period.plan)
    AssignmentFactory(task=second, unit=UnitFactory(), role=Role.RESPONSIBLE)
    AssignmentFactory(task=second, unit=unit, role=Role.RESPONSIBLE)
    responsible = ProgressReportFactory(task=second, unit=unit, period=period)

    rows = client.get(INBOX).context["inbox"].groups[1].rows  # 未填写

    assert [(row.report.pk, row.roles) for row in rows] == [(lead.pk, ["牵头单位"]), (responsible.pk, ["责任单位"])]


def test_inbox_names_the_collective_through_which_the_unit_holds_its_role(client, period):
    county = UnitFactory(name="浚县人民政府", short_name="浚县政府")
    collective = UnitFactory(name="各县区政府(管委)", kind=UnitKind.COLLECTIVE)
    collective.members.add(county)
    client.force_login(MembershipFactory(unit=county).user)
    task = TaskFactory(plan=period.plan)
    AssignmentFactory(task=task, unit=UnitFactory(), role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=collective, role=Role.IMPLEMENTING)
    ProgressReportFactory(task=task, unit=county, period=period)

    rows = client.get(INBOX).context["inbox"].groups[1].rows  # 未填写

    assert [row.roles for row in rows] == [["负责落实（各县区政府(管委)）"]]


def test_returned_report_shows_the_offices_comment(client, official, unit, period):
    report_of(unit, period, ReportState.RETURNED, review_comment="请补充资金到位情况。")

    html = client.get(INBOX).content.decode()

    assert '<p class="review-comment"><strong>退回意见：</strong>请补充资金到位情况。</p>' in html


def test_supporting_unit_sees_the_lead_units_report_under_tasks_to_support(client, official, unit, period):
    lead = UnitFactory(name="鹤壁市环境保护局", short_name="市环保局")
    task = TaskFactory(plan=period.plan)
    AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=UnitFactory(), role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=unit, role=Role.SUPPORTING)
    lead_report = ProgressReportFactory(task=task, unit=lead, period=period)
    ProgressReportFactory(task=task, unit=task.assignments.get(position=1, role=Role.RESPONSIBLE).unit, period=period)

    response = client.get(INBOX)

    assert [(row.report.pk, str(row.report.unit)) for row in response.context["inbox"].supporting] == [(lead_report.pk, "市环保局")]
    assert listed_reports(response) == []
    url = reverse("admin:plans_progressreport_change", args=[lead_report.pk])
    assert f'<a href="{url}">' in response.content.decode().split("需要我配合的任务")[1]


def test_supporting_row_tells_whether_the_unit_has_given_its_input(client, official, unit, period):
    lead = UnitFactory()
    reports = []
    for _ in range(2):
        task = TaskFactory(plan=period.plan)
        AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE)
        AssignmentFactory(task=task, unit=unit, role=Role.SUPPORTING)
        reports.append(ProgressReportFactory(task=task, unit=lead, period=period))
    SupportingInputFactory(report=reports[0], unit=unit)

    rows = client.get(INBOX).context["inbox"].supporting

    assert [(row.report.pk, row.report.has_my_input) for row in rows] == [(reports[0].pk, True), (reports[1].pk, False)]


def test_anonymous_user_is_redirected_to_login(client):
    response = client.get(INBOX)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={INBOX}"


def test_office_staff_without_a_unit_get_a_message_and_the_dashboard_link(client):
    client.force_login(UserFactory())

    response = client.get(INBOX)

    html = response.content.decode()
    assert response.context["inbox"] is None
    assert "您的账号不属于任何填报单位，没有需要填报的报告。" in html
    assert f'<a href="{reverse("dashboard")}">前往督办看板</a>' in html


def test_inbox_page_renders_inside_the_admin(client, official):
    html = client.get(INBOX).content.decode()

    assert '<div class="breadcrumbs">' in html
    assert "<title>本期待办 | 行动方案督办系统</title>" in html


def test_admin_index_links_a_units_account_to_its_inbox(client, official):
    """(Which shortcuts each role sees: tests/admin/test_index_by_role.py.)"""
    html = client.get(reverse("admin:index")).content.decode()

    assert re.search(f'<a href="{reverse("inbox")}"[^>]*>本期待办</a>', html)


def add_reports(unit, period, count):
    """`count` returned reports of the unit, and `count` lead reports it supports."""
    supported_lead = UnitFactory()
    for _ in range(count):
        report_of(unit, period, ReportState.RETURNED, review_comment="请补充。", progress="已完成")
        task = TaskFactory(plan=period.plan)
        AssignmentFactory(task=task, unit=supported_lead, role=Role.RESPONSIBLE)
        AssignmentFactory(task=task, unit=unit, role=Role.SUPPORTING)
        ProgressReportFactory(task=task, unit=supported_lead, period=period)


def inbox_queries(client, rows):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INBOX)
    inbox = response.context["inbox"]
    assert (len(inbox.groups[0].rows), len(inbox.supporting)) == (rows, rows)
    return len(queries)


def test_inbox_runs_the_same_number_of_queries_for_3_and_12_reports(client, official, unit, period):
    add_reports(unit, period, 3)
    few = inbox_queries(client, 3)
    add_reports(unit, ReportingPeriodFactory(due_date=days_from_today(5), is_open=True), 9)

    assert inbox_queries(client, 12) == few


# --- a leader's 报送所选 and 撤回 -------------------------------------------------------------
@pytest.fixture
def leader(client, unit):
    user = MembershipFactory(unit=unit, role=MemberRole.LEADER).user
    client.force_login(user)
    return user


def states(*reports):
    return [ProgressReport.objects.get(pk=report.pk).state for report in reports]


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_leader_gets_checkboxes_for_filled_reports_and_withdraw_for_submitted_ones(client, leader, unit, period):
    filled = report_of(unit, period, progress="已完成")
    empty = report_of(unit, period)
    submitted = report_of(unit, period, ReportState.SUBMITTED, progress="已完成")

    response = client.get(INBOX)

    html = response.content.decode()
    assert f'name="reports" value="{filled.pk}"' in html
    assert f'name="reports" value="{empty.pk}"' not in html
    assert 'name="submit_selected" value="报送所选"' in html
    assert f'name="withdraw" value="{submitted.pk}"' in html
    rows = {row.report.pk: (row.can_submit, row.can_withdraw) for group in response.context["inbox"].groups
            for row in group.rows}
    assert rows == {filled.pk: (True, False), empty.pk: (False, False), submitted.pk: (False, True)}


def test_an_official_sees_the_same_split_without_submit_or_withdraw(client, official, unit, period):
    filled = report_of(unit, period, progress="已完成")
    submitted = report_of(unit, period, ReportState.SUBMITTED, progress="已完成")

    response = client.get(INBOX)

    html = response.content.decode()
    assert inbox_groups(response)[0] == ("已填写待报送", [filled.pk])
    assert 'name="reports"' not in html and "submit_selected" not in html
    assert f'name="withdraw" value="{submitted.pk}"' not in html


def test_a_leader_submits_the_selected_reports_after_one_confirmation(client, leader, unit, period):
    first, second, third = (report_of(unit, period, progress="已完成") for _ in range(3))

    page = client.post(INBOX, {"submit_selected": "1", "reports": [first.pk, second.pk]})

    assert page.status_code == 200 and "确认报送以下报告" in page.content.decode()
    assert [report.pk for report, _reason in page.context["rows"]] == [first.pk, second.pk]
    assert states(first, second, third) == [ReportState.PENDING] * 3
    response = client.post(INBOX, {
        "confirm_submit": "1", "reports": [first.pk, second.pk],
        f"version_{first.pk}": first.version, f"version_{second.pk}": second.version,
    })
    assert response.status_code == 302 and response.url == INBOX
    assert states(first, second, third) == [ReportState.SUBMITTED, ReportState.SUBMITTED, ReportState.PENDING]
    assert "已报送 2 份报告，等待督办审核。" in messages_of(response)


def test_a_selection_with_an_empty_report_is_shown_refused_and_submits_nothing(client, leader, unit, period):
    filled = report_of(unit, period, progress="已完成")
    empty = report_of(unit, period)
    empty.task.path = "三、(二)4."
    empty.task.save()

    page = client.post(INBOX, {"submit_selected": "1", "reports": [filled.pk, empty.pk]})
    assert "请先填写本期进展情况再报送" in page.content.decode()
    assert 'name="confirm_submit"' not in page.content.decode()

    forced = client.post(INBOX, {"confirm_submit": "1", "reports": [filled.pk, empty.pk]})
    assert states(filled, empty) == [ReportState.PENDING] * 2
    assert any("三、(二)4." in message and "请先填写本期进展情况" in message for message in messages_of(forced))


def test_a_confirmation_of_a_report_changed_meanwhile_submits_nothing(client, leader, unit, period):
    first, second = (report_of(unit, period, progress="已完成") for _ in range(2))
    shown = {f"version_{report.pk}": report.version for report in (first, second)}
    ProgressReport.objects.filter(pk=second.pk).update(version=second.version + 1, progress="改过了")

    response = client.post(INBOX, {"confirm_submit": "1", "reports": [first.pk, second.pk], **shown})

    assert states(first, second) == [ReportState.PENDING] * 2
    assert any("版本已变化" in message for message in messages_of(response))


def test_another_units_report_in_the_selection_submits_nothing(client, leader, unit, period):
    mine = report_of(unit, period, progress="已完成")
    theirs = report_of(UnitFactory(), period, progress="已完成")

    response = client.post(INBOX, {"confirm_submit": "1", "reports": [mine.pk, theirs.pk]})

    assert states(mine, theirs) == [ReportState.PENDING] * 2
    assert "所选报告不存在或您无权查看。" in messages_of(response)


def test_submitting_nothing_selected_asks_to_select(client, leader, unit, period):
    response = client.post(INBOX, {"submit_selected": "1"})
    assert response.status_code == 302 and "请先勾选要报送的报告。" in messages_of(response)


def test_a_leader_withdraws_a_submitted_report_from_the_inbox(client, leader, unit, period):
    report = report_of(unit, period, ReportState.SUBMITTED, progress="已完成")

    response = client.post(INBOX, {"withdraw": report.pk, f"version_{report.pk}": report.version})

    assert states(report) == [ReportState.PENDING]
    assert "已撤回报送，报告回到待填报，可修改后重新报送。" in messages_of(response)


def test_once_the_office_opened_it_the_report_shows_no_withdraw_and_a_post_is_refused(client, leader, unit, period):
    report = report_of(unit, period, ReportState.SUBMITTED, progress="已完成", office_opened_at=timezone.now())

    assert f'name="withdraw" value="{report.pk}"' not in client.get(INBOX).content.decode()
    response = client.post(INBOX, {"withdraw": report.pk})

    assert states(report) == [ReportState.SUBMITTED]
    assert "督办已查阅该报告，不能撤回" in messages_of(response)


def test_an_official_cannot_withdraw_from_the_inbox(client, official, unit, period):
    report = report_of(unit, period, ReportState.SUBMITTED, progress="已完成")

    client.post(INBOX, {"withdraw": report.pk})

    assert states(report) == [ReportState.SUBMITTED]


def test_the_inbox_uses_its_stylesheet_and_no_inline_style_or_script(client, leader, unit, period):
    report_of(unit, period, progress="已完成")

    html = client.get(INBOX).content.decode()

    assert "plans/inbox.css" in html
    content = html.split('id="content-main"')[1]
    assert "<style" not in content and "<script" not in content and " style=" not in content


def test_a_leaders_inbox_runs_the_same_number_of_queries_for_3_and_12_reports(client, leader, unit, period):
    def add(count, target_period):
        for _ in range(count):
            report_of(unit, target_period, progress="已完成")
            report_of(unit, target_period, ReportState.SUBMITTED, progress="已完成")

    add(3, period)
    with CaptureQueriesContext(connection) as few:
        client.get(INBOX)
    add(9, ReportingPeriodFactory(due_date=days_from_today(5), is_open=True))
    with CaptureQueriesContext(connection) as many:
        response = client.get(INBOX)

    assert len(response.context["inbox"].groups[0].rows) == 12
    assert len(many) == len(few)
