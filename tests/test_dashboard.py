"""督办看板: report states per unit with the on-time ranking, completion by section, overdue
tasks, traffic lights and two inline SVG charts, every count linking to the admin list it
counts; only for plans the user may see; a constant number of queries."""
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans.dashboard import dashboard_data
from decimal import Decimal

from plans.indicators import IndicatorStatus, status
from plans.models import Comparator, ReportState, Role, TaskStatus
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    IndicatorValueFactory,
    MembershipFactory,
    PlanFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TargetFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/dashboard/"
DUE = datetime.date(2016, 9, 23)
AFTER_DUE = datetime.date(2016, 9, 30)
BEFORE_DUE = datetime.date(2016, 9, 20)


def at(day, hour=10, minute=0):
    """A moment of `day` in the site's time zone (Asia/Shanghai)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def plan():
    return PlanFactory(title="鹤壁市2016年度蓝天工程实施方案")


@pytest.fixture
def period(plan):
    return ReportingPeriodFactory(plan=plan, label="2016Q3", due_date=DUE, is_open=True)


def tasks_of(plan, count):
    return [TaskFactory(plan=plan) for _ in range(count)]


def report(task, unit, period, state, submitted_at=None):
    return ProgressReportFactory(task=task, unit=unit, period=period, state=state, submitted_at=submitted_at)


@pytest.fixture
def three_units(plan, period):
    """甲局 sent both reports on time (one at 23:59 on the due day); 乙局 has one pending, one
    returned and one sent a day late; 丙局 sent one of two on time."""
    jia, yi, bing = (UnitFactory(name=name) for name in ("甲局", "乙局", "丙局"))
    t1, t2, t3 = tasks_of(plan, 3)
    report(t1, jia, period, ReportState.APPROVED, at(datetime.date(2016, 9, 20)))
    report(t2, jia, period, ReportState.SUBMITTED, at(DUE, 23, 59))
    report(t1, yi, period, ReportState.PENDING)
    report(t2, yi, period, ReportState.RETURNED, at(datetime.date(2016, 9, 21)))
    report(t3, yi, period, ReportState.SUBMITTED, at(datetime.date(2016, 9, 24), 0, 0))
    report(t1, bing, period, ReportState.APPROVED, at(datetime.date(2016, 9, 22)))
    report(t2, bing, period, ReportState.PENDING)
    return jia, yi, bing


def unit_table(data):
    return [
        (row.rank, str(row.unit), row.total.count, row.pending.count, row.submitted.count, row.late.count,
         row.approved.count, row.returned.count, row.on_time_percent)
        for row in data.units
    ]


# --- report states per unit -----------------------------------------------------------------
def test_counts_reports_per_unit_and_state_and_ranks_units_by_on_time_reporting(plan, period, three_units):
    data = dashboard_data(plan, period, AFTER_DUE)

    assert unit_table(data) == [
        (1, "甲局", 2, 0, 1, 0, 1, 0, 100),
        (2, "丙局", 2, 1, 0, 1, 1, 0, 50),
        (3, "乙局", 3, 1, 1, 2, 0, 1, 0),
    ]


def test_nothing_is_late_before_the_due_date(plan, period, three_units):
    data = dashboard_data(plan, period, BEFORE_DUE)

    assert [(str(row.unit), row.late.count) for row in data.units] == [("甲局", 0), ("丙局", 0), ("乙局", 0)]


def test_units_with_the_same_on_time_share_rank_by_name(plan, period):
    task = TaskFactory(plan=plan)
    for name in ("乙局", "甲局", "丙局"):
        report(task, UnitFactory(name=name), period, ReportState.SUBMITTED, at(datetime.date(2016, 9, 20)))

    data = dashboard_data(plan, period, AFTER_DUE)

    assert [(row.rank, str(row.unit)) for row in data.units] == [(1, "丙局"), (2, "乙局"), (3, "甲局")]


def test_only_reports_of_the_chosen_period_are_counted(plan, period, three_units):
    other = ReportingPeriodFactory(plan=plan, label="2016Q2")
    report(TaskFactory(plan=plan), three_units[0], other, ReportState.PENDING)

    data = dashboard_data(plan, period, AFTER_DUE)

    assert [(str(row.unit), row.total.count) for row in data.units] == [("甲局", 2), ("丙局", 2), ("乙局", 3)]


def test_each_count_links_to_the_report_list_filtered_by_period_unit_and_state(plan, period, three_units):
    jia = dashboard_data(plan, period, AFTER_DUE).units[0]

    base = f"{reverse('admin:plans_progressreport_changelist')}?period__id__exact={period.pk}&unit__id__exact={jia.unit.pk}"
    assert (jia.total.url, jia.pending.url, jia.submitted.url, jia.late.url, jia.approved.url, jia.returned.url) == (
        base,
        f"{base}&state__exact=pending",
        f"{base}&state__exact=submitted",
        f"{base}&late=yes",
        f"{base}&state__exact=approved",
        f"{base}&state__exact=returned",
    )


# --- tasks ----------------------------------------------------------------------------------
def completed_task(plan, **fields):
    return TaskFactory(plan=plan, status=TaskStatus.COMPLETED, completed_at=timezone.now(), **fields)


def test_completion_by_top_level_section_counts_tasks_at_any_depth(plan, period):
    main = SectionFactory(plan=plan, path="三、", title="主要任务")
    coal = SectionFactory(plan=plan, parent=main, level=2, path="三、(一)", title="燃煤烟气治理")
    guarantees = SectionFactory(plan=plan, path="四、", title="组织保障")
    done = completed_task(plan, parent=coal)
    started = TaskFactory(plan=plan, parent=coal)
    TaskFactory(plan=plan, parent=main, status=TaskStatus.BEHIND)
    completed_task(plan, parent=guarantees)
    ProgressReportFactory(task=done, period=period, state=ReportState.APPROVED, percent=100)
    ProgressReportFactory(task=started, period=period, state=ReportState.APPROVED, percent=40)
    earlier = ReportingPeriodFactory(plan=plan, label="2016Q2", start=datetime.date(2016, 4, 1), end=datetime.date(2016, 6, 30))
    ProgressReportFactory(task=started, period=earlier, state=ReportState.APPROVED, percent=20)

    data = dashboard_data(plan, period, AFTER_DUE)

    table = [(row.label, row.tasks.count, row.completed.count, row.completed_percent, row.average_percent) for row in data.sections]
    assert table == [
        ("三、 主要任务", 3, 1, 33, 70),
        ("四、 组织保障", 1, 1, 100, 100),  # completed without a reported percent: counts as 100
    ]
    total = data.total
    assert (total.tasks, total.completed, total.completed_percent, total.average_percent) == (4, 2, 50, 80)


def test_tasks_under_no_section_are_gathered_last_and_linked_by_id(plan, period):
    SectionFactory(plan=plan, path="三、", title="主要任务")
    loose = TaskFactory(plan=plan)

    rows = dashboard_data(plan, period, AFTER_DUE).sections

    assert [(row.label, row.tasks.count) for row in rows] == [("三、 主要任务", 0), ("（未分章节）", 1)]
    assert (rows[1].tasks.url, rows[1].completed.url) == (f"{reverse('admin:plans_task_changelist')}?id__in={loose.pk}", "")


def test_section_counts_link_to_the_task_list_of_the_section(plan, period):
    main = SectionFactory(plan=plan, path="三、", title="主要任务")
    TaskFactory(plan=plan, parent=main)

    row = dashboard_data(plan, period, AFTER_DUE).sections[0]

    tasks = reverse("admin:plans_task_changelist")
    assert (row.tasks.url, row.completed.url) == (
        f"{tasks}?plan__id__exact={plan.pk}&is_active__exact=1&section={main.pk}",
        f"{tasks}?plan__id__exact={plan.pk}&is_active__exact=1&section={main.pk}&status__exact=completed",
    )


def test_overdue_tasks_are_listed_with_lead_unit_and_due_date(plan, period):
    late = TaskFactory(plan=plan, path="三、(一)1.", title="淘汰燃煤小锅炉")
    AssignmentFactory(task=late, unit=UnitFactory(name="鹤壁市环境保护局", short_name="市环保局"), role=Role.RESPONSIBLE)
    AssignmentFactory(task=late, unit=UnitFactory(name="鹤壁市财政局"), role=Role.RESPONSIBLE)
    DeadlineFactory(task=late, date=datetime.date(2016, 8, 31), text="8月底前")
    DeadlineFactory(task=completed_task(plan), date=datetime.date(2016, 8, 31))
    DeadlineFactory(task=TaskFactory(plan=plan), date=datetime.date(2016, 10, 31))

    data = dashboard_data(plan, period, AFTER_DUE)

    assert [(str(item.task), [str(unit) for unit in item.leads], item.due_date, item.days_overdue) for item in data.overdue] == [
        ("三、(一)1. 淘汰燃煤小锅炉", ["市环保局"], datetime.date(2016, 8, 31), 30),
    ]


def test_tasks_are_counted_by_traffic_light(plan, period):
    DeadlineFactory(task=TaskFactory(plan=plan), date=datetime.date(2016, 9, 1))  # overdue: red
    DeadlineFactory(task=TaskFactory(plan=plan), date=datetime.date(2016, 10, 3))  # due in 3 days: yellow
    DeadlineFactory(task=TaskFactory(plan=plan), date=datetime.date(2016, 12, 31))  # green
    DeadlineFactory(task=completed_task(plan), date=datetime.date(2016, 9, 1))  # completed: green

    data = dashboard_data(plan, period, AFTER_DUE)

    assert [(item.light, item.count.count) for item in data.lights] == [("red", 1), ("yellow", 1), ("green", 2)]


def test_light_counts_link_to_the_task_list_filtered_by_light(plan, period):
    lights = dashboard_data(plan, period, AFTER_DUE).lights

    tasks = reverse("admin:plans_task_changelist")
    assert [item.count.url for item in lights] == [
        f"{tasks}?plan__id__exact={plan.pk}&is_active__exact=1&light={light}" for light in ("red", "yellow", "green")
    ]


def test_overdue_count_links_to_the_task_list_filtered_by_overdue(plan, period):
    data = dashboard_data(plan, period, AFTER_DUE)

    assert data.overdue_link.url == f"{reverse('admin:plans_task_changelist')}?plan__id__exact={plan.pk}&is_active__exact=1&overdue=yes"


# --- the page -------------------------------------------------------------------------------
@pytest.fixture
def office(client, plan):
    user = UserFactory()
    plan.office_staff.add(user)
    client.force_login(user)
    return user


def test_dashboard_defaults_to_the_latest_open_period_of_the_first_plan(client, office, plan, period):
    ReportingPeriodFactory(plan=plan, label="2016Q4", start=datetime.date(2016, 10, 1), end=datetime.date(2016, 12, 31), is_open=False)
    ReportingPeriodFactory(plan=plan, label="2016Q2", start=datetime.date(2016, 4, 1), end=datetime.date(2016, 6, 30), is_open=True)

    response = client.get(DASHBOARD)

    assert (response.context["plan"], response.context["period"]) == (plan, period)


def test_dashboard_defaults_to_the_latest_period_when_none_is_open(client, office, plan, period):
    period.is_open = False
    period.save()
    latest = ReportingPeriodFactory(plan=plan, label="2016Q4", start=datetime.date(2016, 10, 1), end=datetime.date(2016, 12, 31))

    assert client.get(DASHBOARD).context["period"] == latest


def test_dashboard_shows_the_plan_and_period_asked_for(client, office, plan, period):
    second = ReportingPeriodFactory(plan=plan, label="2016Q2", start=datetime.date(2016, 4, 1), end=datetime.date(2016, 6, 30))

    response = client.get(DASHBOARD, {"plan": plan.pk, "period": second.pk})

    assert response.context["data"].period == second


def test_a_plan_the_user_cannot_see_gives_404(client, office):
    assert client.get(DASHBOARD, {"plan": PlanFactory().pk}).status_code == 404


def test_a_period_of_another_plan_gives_404(client, office, plan):
    assert client.get(DASHBOARD, {"plan": plan.pk, "period": ReportingPeriodFactory().pk}).status_code == 404


def test_a_unit_official_gets_no_plan_dashboard_but_a_way_to_the_inbox(client, plan):
    """The dashboard names every unit's tasks and reports: a unit's accounts, who see only
    their own tasks, are sent to their inbox, even for a plan their unit works on."""
    member = MembershipFactory()
    AssignmentFactory(task=TaskFactory(plan=plan, title="他单位的任务"), unit=UnitFactory())
    AssignmentFactory(task=TaskFactory(plan=plan), unit=member.unit)
    client.force_login(member.user)

    response = client.get(DASHBOARD)

    assert response.context["plans"] == []
    assert "他单位的任务" not in response.content.decode()
    assert reverse("inbox") in response.content.decode()
    assert client.get(DASHBOARD, {"plan": plan.pk}).status_code == 404


def test_office_staff_see_only_the_plans_they_oversee(client, plan):
    office = UserFactory()
    plan.office_staff.add(office)
    PlanFactory()
    client.force_login(office)

    assert client.get(DASHBOARD).context["plans"] == [plan]


def test_user_without_plans_gets_a_message(client):
    client.force_login(UserFactory())

    response = client.get(DASHBOARD)

    assert "您还没有督办的行动方案" in response.content.decode()


def test_anonymous_user_is_redirected_to_login(client):
    response = client.get(DASHBOARD)

    assert (response.status_code, response.url) == (302, f"{reverse('admin:login')}?next={DASHBOARD}")


def test_dashboard_draws_two_inline_svg_charts_without_javascript(client, office, plan, period, three_units):
    SectionFactory(plan=plan, path="三、", title="主要任务")

    html = client.get(DASHBOARD).content.decode()

    assert html.count('<svg class="chart" xmlns="http://www.w3.org/2000/svg"') == 2
    assert "<script src=" not in html.split('id="content"')[1]


def test_unit_chart_stacks_one_segment_per_state_scaled_to_the_largest_unit(plan, period, three_units):
    chart = dashboard_data(plan, period, AFTER_DUE).unit_chart

    assert [(bar.label, [(segment.x, segment.width, segment.title) for segment in bar.segments]) for bar in chart.bars] == [
        ("甲局", [(180.0, 166.7, "已报送 1"), (346.7, 166.7, "已审核 1")]),
        ("丙局", [(180.0, 166.7, "待填报 1"), (346.7, 166.7, "已审核 1")]),
        ("乙局", [(180.0, 166.7, "待填报 1"), (346.7, 166.7, "已退回 1"), (513.3, 166.7, "已报送 1")]),
    ]


def test_section_chart_bar_is_the_completed_share(plan, period):
    main = SectionFactory(plan=plan, path="三、", title="主要任务")
    completed_task(plan, parent=main)
    TaskFactory(plan=plan, parent=main)

    chart = dashboard_data(plan, period, AFTER_DUE).section_chart

    assert [(bar.label, [(segment.x, segment.width) for segment in bar.segments]) for bar in chart.bars] == [
        ("三、 主要任务", [(180.0, 250.0)]),
    ]


def test_dashboard_page_links_counts_to_the_filtered_report_list(client, office, plan, period, three_units):
    html = client.get(DASHBOARD).content.decode()

    reports = reverse("admin:plans_progressreport_changelist")
    url = f"{reports}?period__id__exact={period.pk}&amp;unit__id__exact={three_units[1].pk}&amp;state__exact=returned"
    assert f'<td class="number returned"><a href="{url}">1</a></td>' in html


def test_every_count_link_opens_its_filtered_admin_list(client, plan, period, three_units):
    main = SectionFactory(plan=plan, path="三、", title="主要任务")
    DeadlineFactory(task=TaskFactory(plan=plan, parent=main), date=datetime.date(2016, 9, 1))
    client.force_login(UserFactory(is_superuser=True))
    html = client.get(DASHBOARD).content.decode()

    links = set(re.findall(r'href="(/admin/plans/(?:progressreport|task)/\?[^"]+)"', html))

    # 6 per unit; 2 for 主要任务 and 1 for the unsectioned tasks; the plan total; lights; overdue; 已办结 and 已销号
    assert len(links) == 3 * 6 + 3 + 2 + 3 + 1 + 2
    assert {link: client.get(link.replace("&amp;", "&")).status_code for link in links} == dict.fromkeys(links, 200)


def fill_plan(plan, period, count):
    """`count` tasks in a section, each with a lead unit, a past deadline and a report."""
    section = SectionFactory(plan=plan)
    for _ in range(count):
        task = TaskFactory(plan=plan, parent=section)
        unit = UnitFactory()
        AssignmentFactory(task=task, unit=unit)
        DeadlineFactory(task=task, date=datetime.date(2016, 9, 1))
        report(task, unit, period, ReportState.SUBMITTED, at(datetime.date(2016, 9, 20)))


def dashboard_queries(client, rows):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD)
    data = response.context["data"]
    assert (len(data.units), len(data.overdue)) == (rows, rows)
    return len(queries)


def test_dashboard_runs_the_same_number_of_queries_for_3_and_12_tasks(client, office, plan, period):
    fill_plan(plan, period, 3)
    few = dashboard_queries(client, 3)
    fill_plan(plan, period, 9)

    assert dashboard_queries(client, 12) == few


def _good_days(plan, period):
    """优良天数 ≥ 190 天 in 2016, with values for Q2 and Q3."""
    plan.period_start, plan.period_end, plan.plan_year = datetime.date(2016, 1, 1), datetime.date(2016, 12, 31), 2016
    plan.save()
    target = TargetFactory(plan=plan, indicator="环境空气质量优良天数", comparator=Comparator.GTE, value=Decimal("190"), unit="天", year=2016)
    q2 = ReportingPeriodFactory(plan=plan, label="2016Q2", start=datetime.date(2016, 4, 1), end=datetime.date(2016, 6, 30))
    IndicatorValueFactory(target=target, period=q2, value=Decimal("80"))
    IndicatorValueFactory(target=target, period=period, value=Decimal("150"))
    return target


def test_indicators_show_the_periods_value_its_status_and_a_chart_of_actual_against_target(client, office, plan, period):
    target = _good_days(plan, period)

    [indicator] = dashboard_data(plan, period, AFTER_DUE).indicators
    html = client.get(DASHBOARD).content.decode()

    latest = indicator.readings[-1]
    assert latest.period == period and latest.value.value == Decimal("150")
    assert latest.status == status(target, plan, Decimal("150"), period.end) == IndicatorStatus.ON_COURSE
    row = re.search(r'<tr class="indicator">(.*?)</tr>', html, re.S).group(1)
    assert "环境空气质量优良天数" in row and "≥ 190天" in row and "150天" in row and "符合序时" in row
    chart = html.split('<svg class="indicator-chart"')[1].split("</svg>")[0]
    assert chart.count('<circle class="value"') == 2  # Q2 and Q3
    assert '<line class="target"' in chart and '<line class="trend"' in chart and '<line class="path"' in chart


def test_a_later_periods_value_is_not_shown_for_an_earlier_period(plan, period):
    _good_days(plan, period)
    q2 = plan.periods.get(label="2016Q2")

    [indicator] = dashboard_data(plan, q2, AFTER_DUE).indicators

    assert [reading.period.label for reading in indicator.readings] == ["2016Q2"]
    assert indicator.readings[-1].value.value == Decimal("80")


def test_dashboard_queries_do_not_grow_with_indicators(client, office, plan, period):
    _good_days(plan, period)
    few = dashboard_queries(client, 0)
    for number in range(4):
        extra = TargetFactory(plan=plan, indicator=f"指标{number}", value=Decimal(number + 1), unit="%")
        IndicatorValueFactory(target=extra, period=period, value=Decimal("0.5"))

    assert dashboard_queries(client, 0) == few
