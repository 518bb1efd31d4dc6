"""The quarterly reporting cycle end to end through the services, and what it derives."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from plans import services
from plans.models import MemberRole, ProgressReport, ReportState, Role, TaskStatus, UnitKind
from plans.progress import Light
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def cycle(db):
    plan = PlanFactory(period_start=datetime.date(2016, 1, 1), period_end=datetime.date(2016, 12, 31))
    office = UserFactory(username="office")
    plan.office_staff.add(office)
    lead = UnitFactory(short_name="市环保局")
    task = TaskFactory(plan=plan, title="强化水泥粉磨站治理")
    AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE)
    official = MembershipFactory(unit=lead, role=MemberRole.OFFICIAL).user
    leader = MembershipFactory(unit=lead, role=MemberRole.LEADER).user
    period = ReportingPeriodFactory(plan=plan, label="2016Q3")
    return plan, office, official, leader, task, period


def test_opening_a_period_creates_one_pending_report_per_responsible_unit_and_member(db):
    plan = PlanFactory()
    member_a, member_b = UnitFactory(), UnitFactory()
    collective = UnitFactory(kind=UnitKind.COLLECTIVE)
    collective.members.add(member_a, member_b)
    task = TaskFactory(plan=plan)
    AssignmentFactory(task=task, unit=UnitFactory(), role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=collective, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=UnitFactory(), role=Role.SUPPORTING)
    period = ReportingPeriodFactory(plan=plan)

    created = services.period_open(user=UserFactory(is_superuser=True), period=period)

    assert len(created) == 3
    assert {report.unit_id for report in created} == {
        task.assignments.get(role=Role.RESPONSIBLE, position=0).unit_id, member_a.pk, member_b.pk,
    }
    assert set(period.reports.values_list("state", flat=True)) == {ReportState.PENDING}
    assert services.period_open(user=UserFactory(is_superuser=True), period=period) == []


def test_report_goes_round_the_cycle_and_ends_locked(cycle):
    plan, office, official, leader, task, period = cycle
    [report] = services.period_open(user=office, period=period)

    services.report_update(user=official, report=report, status=TaskStatus.ON_TRACK, percent=60,
                           progress="完成8座粉磨站提标改造", problems="资金缺口", next_steps="9月底前全部完成")
    services.report_submit(user=leader, report=report)
    services.report_return(user=office, report=report, comment="请补充验收数据")
    report.refresh_from_db()
    assert (report.state, report.review_comment) == (ReportState.RETURNED, "请补充验收数据")

    services.report_update(user=official, report=report, progress="完成8座粉磨站提标改造，已验收6座")
    services.report_submit(user=leader, report=report)
    services.report_approve(user=office, report=report)

    report.refresh_from_db()
    task.refresh_from_db()
    assert report.state == ReportState.APPROVED
    assert report.submitted_by == leader and report.reviewed_by == office
    assert task.status == TaskStatus.ON_TRACK
    assert [h.state for h in report.history.order_by("history_date")] == [
        "pending", "pending", "submitted", "returned", "returned", "submitted", "approved",
    ]


def test_approving_a_completed_report_proposes_completion_which_the_office_accepts(cycle):
    plan, office, official, leader, task, period = cycle
    [report] = services.period_open(user=office, period=period)
    services.report_update(user=official, report=report, status=TaskStatus.COMPLETED, percent=100, progress="全部完成")
    services.report_submit(user=leader, report=report)
    services.report_approve(user=office, report=report)
    task.refresh_from_db()
    assert task.status != TaskStatus.COMPLETED and task.completed_at is None
    services.claim_accept(user=office, claim=task.completion_claims.get())
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED and task.completed_at is not None


def test_submitting_an_empty_report_is_refused(cycle):
    plan, office, official, leader, task, period = cycle
    [report] = services.period_open(user=office, period=period)
    with pytest.raises(ValidationError):
        services.report_submit(user=leader, report=report)
    report.refresh_from_db()
    assert report.state == ReportState.PENDING


def test_returning_without_a_comment_is_refused(cycle):
    plan, office, official, leader, task, period = cycle
    [report] = services.period_open(user=office, period=period)
    services.report_update(user=official, report=report, progress="进展")
    services.report_submit(user=leader, report=report)
    with pytest.raises(ValidationError):
        services.report_return(user=office, report=report, comment="  ")
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


def test_late_is_derived_from_the_due_date_and_the_state(cycle):
    plan, office, official, leader, task, period = cycle
    [report] = services.period_open(user=office, period=period)
    assert list(ProgressReport.objects.late(datetime.date(2016, 9, 23))) == []
    assert list(ProgressReport.objects.late(datetime.date(2016, 9, 24))) == [report]
    services.report_update(user=official, report=report, progress="进展")
    services.report_submit(user=leader, report=report)
    assert list(ProgressReport.objects.late(datetime.date(2016, 9, 24))) == []


def test_supporting_unit_input_is_attached_to_the_leads_report(cycle):
    plan, office, official, leader, task, period = cycle
    support = UnitFactory(short_name="市财政局")
    AssignmentFactory(task=task, unit=support, role=Role.SUPPORTING)
    author = MembershipFactory(unit=support).user
    [report] = services.period_open(user=office, period=period)

    services.supporting_input_save(user=author, report=report, text="已拨付治理资金300万元")
    services.supporting_input_save(user=author, report=report, text="已拨付治理资金350万元")

    assert list(report.inputs.values_list("unit__short_name", "text")) == [("市财政局", "已拨付治理资金350万元")]


@pytest.mark.parametrize(
    "today, status, percent, expected",
    [
        (datetime.date(2016, 11, 1), TaskStatus.ON_TRACK, None, Light.RED),  # overdue
        (datetime.date(2016, 10, 28), TaskStatus.ON_TRACK, None, Light.YELLOW),  # due in 3 days
        (datetime.date(2016, 6, 1), TaskStatus.ON_TRACK, 10, Light.RED),  # 50 % expected, 40 points behind
        (datetime.date(2016, 6, 1), TaskStatus.ON_TRACK, 25, Light.YELLOW),  # 25 points behind
        (datetime.date(2016, 6, 1), TaskStatus.BEHIND, 45, Light.YELLOW),  # reported behind
        (datetime.date(2016, 6, 1), TaskStatus.ON_TRACK, 45, Light.GREEN),
        (datetime.date(2016, 11, 1), TaskStatus.COMPLETED, 100, Light.GREEN),
    ],
)
def test_traffic_light(db, today, status, percent, expected):
    plan = PlanFactory(period_start=datetime.date(2016, 1, 1))
    task = TaskFactory(plan=plan, status=status, completed_at=datetime.datetime(2016, 10, 1, tzinfo=datetime.timezone.utc) if status == TaskStatus.COMPLETED else None)
    DeadlineFactory(task=task, date=datetime.date(2016, 10, 31))
    unit = UnitFactory()
    if percent is not None:
        period = ReportingPeriodFactory(plan=plan)
        ProgressReport.objects.create(task=task, unit=unit, period=period, percent=percent, state=ReportState.APPROVED)
    annotated = type(task).objects.with_schedule().get(pk=task.pk)
    assert annotated.light(today) == expected


def test_an_update_from_a_stale_copy_is_refused_and_changes_nothing(cycle):
    plan, office, official, leader, task, period = cycle
    [report] = services.period_open(user=office, period=period)
    read_version = report.version
    services.report_update(user=official, report=report, progress="甲先保存", expected_version=read_version)
    with pytest.raises(services.StaleVersion):
        services.report_update(user=leader, report=report, progress="乙覆盖", expected_version=read_version)
    report.refresh_from_db()
    assert (report.progress, report.version) == ("甲先保存", read_version + 1)
