"""`make run`'s live demo plan (devtools/live_demo.py): the Hebi seed plan copied into a plan of
the current year whose reports, periods and lights are alive on the day it is built."""
import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models.functions import Coalesce
from django.utils import timezone

from devtools.demo import demo_accounts_ensure, demo_indicator_values, demo_periods_open, office_username
from devtools.live_demo import DEMO_KEY, DEMO_MARK, live_demo_ensure
from plans.dashboard import dashboard_data, end_of_day
from plans.models import (
    Acknowledgement,
    Assignment,
    AssignmentPerson,
    CompletionClaim,
    Deadline,
    ExtensionRequest,
    IndicatorValue,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Target,
    Task,
    TaskComment,
    TaskStatus,
)
from plans.services.seeds import SEED_PLANS, fixture_path, seed_plan_load

pytestmark = pytest.mark.django_db

MAY = datetime.date(2026, 5, 12)  # 2026Q1 closed, 2026Q2 open (due 23 June)
AUGUST = datetime.date(2026, 8, 20)  # 2026Q1 and Q2 closed, 2026Q3 open (due 23 September)


@pytest.fixture
def seeds():
    """The seed plans as `make run` leaves them: loaded, with accounts and an open period."""
    for seed in SEED_PLANS:
        seed_plan_load(path=fixture_path(seed))
    demo_accounts_ensure()
    demo_periods_open()
    demo_indicator_values()
    return list(Plan.objects.order_by("pk").values_list("pk", flat=True))


def snapshot(plans=None) -> dict:
    """What a build could change: every row's id and version, per table (of `plans` only)."""
    scope = {} if plans is None else {"plan__in": plans}
    through = {} if plans is None else {"task__plan__in": plans}
    by_period = {} if plans is None else {"period__plan__in": plans}
    return {
        "plans": sorted(Plan.objects.filter(**({} if plans is None else {"pk__in": plans})).values_list(
            "pk", "key", "title", "plan_year", "period_start", "period_end", "updated_at")),
        "tasks": sorted(Task.objects.filter(**scope).values_list("pk", "status", "completed_at", "title")),
        "assignments": sorted(Assignment.objects.filter(**through).values_list("pk", "unit", "role")),
        "deadlines": sorted(Deadline.objects.filter(**through).values_list("pk", "date")),
        "targets": sorted(Target.objects.filter(**scope).values_list("pk", "year", "value")),
        "periods": sorted(ReportingPeriod.objects.filter(**scope).values_list("pk", "is_open", "due_date", "version")),
        "reports": sorted(ProgressReport.objects.filter(**by_period).values_list("pk", "state", "version")),
        "values": sorted(IndicatorValue.objects.filter(**by_period).values_list("pk", "value", "version")),
        "history": ProgressReport.history.filter(**by_period).count(),
        "acknowledgements": sorted(Acknowledgement.objects.filter(**scope).values_list(
            "pk", "acknowledged_at", "version")),
        "extensions": sorted(ExtensionRequest.objects.filter(**through).values_list("pk", "state", "version")),
        "claims": sorted(CompletionClaim.objects.filter(**through).values_list("pk", "state", "version")),
        "closures": sorted(Task.objects.filter(**scope).values_list("pk", "closure", "closed_at")),
        "comments": sorted(TaskComment.objects.filter(**through).values_list("pk", "text")),
        "people": sorted(AssignmentPerson.objects.filter(
            **({} if plans is None else {"assignment__task__plan__in": plans})).values_list("pk", "kind", "version")),
    }


def test_the_demo_plan_is_the_hebi_plan_moved_to_this_year_alive_on_the_day_and_built_once_a_day(seeds):
    seed_rows = snapshot(seeds)
    hebi = Plan.objects.get(key="鹤壁市2016年度蓝天工程暨大气污染治理实施方案")

    demo = live_demo_ensure(today=MAY)

    plan = Plan.objects.get(key=DEMO_KEY)
    assert demo.built and demo.plan == plan
    assert plan.plan_year == 2026 and plan.title == "鹤壁市2026年度蓝天工程暨大气污染治理实施方案" + DEMO_MARK
    assert (plan.period_start, plan.period_end) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert timezone.localdate(plan.created_at) == MAY
    assert plan.source_name != hebi.source_name and plan.source_text == hebi.source_text
    # the same structure: every task, unit and role; the targets; deadlines moved by ten years
    assert sorted(Task.objects.filter(plan=plan).values_list("position", "path", "kind")) == sorted(
        Task.objects.filter(plan=hebi).values_list("position", "path", "kind"))
    assert sorted(Assignment.objects.filter(task__plan=plan).values_list("task__position", "unit", "role")) == sorted(
        Assignment.objects.filter(task__plan=hebi).values_list("task__position", "unit", "role"))
    assert sorted(Target.objects.filter(plan=plan).values_list("indicator", "value", "year")) == sorted(
        (indicator, value, year + 10) for indicator, value, year in
        Target.objects.filter(plan=hebi).values_list("indicator", "value", "year"))
    # (the demo's approved 延期申请 moved one deadline: its first date is the seed's, moved)
    days = sorted(Deadline.objects.filter(task__plan=plan).values_list(
        "task__position", "kind", Coalesce("original_date", "date")))
    assert Deadline.objects.filter(task__plan=plan).exclude(original_date=None).count() == 1
    assert days == sorted((position, kind, day.replace(year=day.year + 10)) for position, kind, day in
                          Deadline.objects.filter(task__plan=hebi).values_list("task__position", "kind", "date"))
    assert {day.year for _position, _kind, day in days} == {2026, 2027}
    assert Deadline.objects.get(task__plan=plan, text="2027年底前").date == datetime.date(2027, 12, 31)
    # the demo plan has its own office account, as demo_accounts gives every plan
    assert list(plan.office_staff.values_list("username", flat=True)) == [office_username(plan)]

    # periods up to today's: Q1 closed, Q2 open and due ahead; the later ones not open, without reports
    periods = {period.label: period for period in plan.periods.all()}
    assert [label for label, period in sorted(periods.items()) if period.is_open] == ["2026Q2"]
    current = periods["2026Q2"]
    assert current.start <= MAY <= current.end and current.due_date > MAY
    assert not ProgressReport.objects.filter(period__in=[periods["2026Q3"], periods["2026Q4"]]).exists()

    past = Counter(periods["2026Q1"].reports.values_list("state", flat=True))
    assert past[ReportState.APPROVED] > past[ReportState.PENDING] > 0 and past[ReportState.SUBMITTED] > 0
    q1 = periods["2026Q1"].reports.filter(state=ReportState.APPROVED)
    on_time = q1.filter(submitted_at__lt=end_of_day(periods["2026Q1"].due_date)).count()
    assert 0 < on_time < q1.count()  # approved on time, and approved after a late submission
    returned_then_approved = set(ProgressReport.history.filter(
        period=periods["2026Q1"], state=ReportState.RETURNED).values_list("id", flat=True))
    assert returned_then_approved and q1.filter(pk__in=returned_then_approved).count() == len(returned_then_approved)
    assert all(submitted_at <= timezone.make_aware(datetime.datetime(2026, 5, 12, 12)) for submitted_at in
               ProgressReport.objects.filter(period__plan=plan).exclude(submitted_at=None).values_list(
                   "submitted_at", flat=True))
    percents = set(q1.values_list("percent", flat=True))
    assert len(percents) > 10  # a spread of percents
    assert Task.objects.filter(plan=plan, status=TaskStatus.COMPLETED).exists()

    now = Counter(current.reports.values_list("state", flat=True))
    assert now[ReportState.RETURNED] == 1 and now[ReportState.SUBMITTED] > 0 and now[ReportState.PENDING] > 0
    drafts = current.reports.filter(state=ReportState.PENDING).exclude(progress="")
    assert drafts.exists() and drafts.count() < now[ReportState.PENDING]  # filled in, not sent; most not touched

    data = dashboard_data(plan, current, MAY)
    assert sum(1 for light in data.lights if light.count.count) >= 2
    earlier = dashboard_data(plan, periods["2026Q1"], MAY)
    assert any(row.late.count for row in earlier.units) and not all(row.late.count for row in earlier.units)
    assert len({row.on_time_percent for row in earlier.units}) > 3  # the ranking separates the units

    # every indicator has a value for the closed period but one left as a gap
    values = IndicatorValue.objects.filter(target__plan=plan)
    assert set(values.values_list("period", flat=True)) == {periods["2026Q1"].pk}
    assert values.count() == plan.targets.filter(is_active=True).count()

    assert snapshot(seeds) == seed_rows  # the seed plans are untouched

    # the same day again changes nothing, and neither does demo_periods (it runs after on `make run`)
    before = snapshot()
    again = live_demo_ensure(today=MAY)
    demo_periods_open()
    demo_indicator_values()
    assert not again.built and snapshot() == before


def test_a_later_day_builds_it_again_from_that_day_and_keeps_its_office_staff(seeds):
    first = live_demo_ensure(today=MAY)
    staff = set(first.plan.office_staff.values_list("pk", flat=True))
    seed_rows = snapshot(seeds)

    later = live_demo_ensure(today=AUGUST)

    plan = Plan.objects.get(key=DEMO_KEY)
    assert later.built and plan.pk != first.plan.pk and not Plan.objects.filter(pk=first.plan.pk).exists()
    assert timezone.localdate(plan.created_at) == AUGUST
    assert set(plan.office_staff.values_list("pk", flat=True)) == staff
    open_periods = list(plan.periods.filter(is_open=True))
    assert [period.label for period in open_periods] == ["2026Q3"] and open_periods[0].due_date > AUGUST
    closed = plan.periods.filter(is_open=False, reports__isnull=False).distinct()
    assert sorted(closed.values_list("label", flat=True)) == ["2026Q1", "2026Q2"]
    for period in closed:  # the earlier closed period is written at once, the latest one played
        states = Counter(period.reports.values_list("state", flat=True))
        assert states[ReportState.APPROVED] > states[ReportState.PENDING] > 0
    assert set(IndicatorValue.objects.filter(target__plan=plan).values_list("period__label", flat=True)) == {
        "2026Q1", "2026Q2"}
    assert not ProgressReport.objects.filter(period__plan=first.plan.pk).exists()
    assert snapshot(seeds) == seed_rows


def test_the_command_builds_todays_demo_plan_once():
    for seed in SEED_PLANS:
        seed_plan_load(path=fixture_path(seed))
    today = timezone.localdate()
    out = io.StringIO()

    call_command("demo_live", stdout=out)
    call_command("demo_live", stdout=out)

    first, second = out.getvalue().splitlines()
    assert "已生成 (built)" in first and "未改动" in second
    plan = Plan.objects.get(key=DEMO_KEY)
    assert plan.plan_year == today.year and plan.title in first
    assert {day.year for day in Deadline.objects.filter(task__plan=plan).values_list("date", flat=True)} <= {
        today.year, today.year + 1}
    (current,) = plan.periods.filter(is_open=True)
    assert current.start <= today <= current.end
    assert not plan.periods.filter(is_open=False, end__gte=today).filter(reports__isnull=False).exists()
