"""The supervision cycle through the services (DOMAIN.md §5): 签收, 延期申请, 办结申请, 办结,
销号 and reopening — each rule allowed and refused, and what each step leaves behind."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from plans import services
from plans.models import (
    Acknowledgement,
    ClaimState,
    Closure,
    CompletionClaim,
    DeadlineKind,
    MemberRole,
    ProgressReport,
    ReportState,
    RequestState,
    Role,
    TaskStatus,
    UnitKind,
)
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

TODAY = datetime.date(2016, 9, 1)


@pytest.fixture
def cycle(db):
    plan = PlanFactory(period_start=datetime.date(2016, 1, 1), period_end=datetime.date(2016, 12, 31))
    office = UserFactory(username="office")
    plan.office_staff.add(office)
    lead, partner, helper = UnitFactory(short_name="市环保局"), UnitFactory(), UnitFactory()
    task = TaskFactory(plan=plan, title="强化水泥粉磨站治理")
    AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE, position=0)
    AssignmentFactory(task=task, unit=partner, role=Role.RESPONSIBLE, position=1)
    AssignmentFactory(task=task, unit=helper, role=Role.SUPPORTING, position=0)
    deadline = DeadlineFactory(task=task, kind=DeadlineKind.DUE, date=datetime.date(2016, 10, 31), text="10月底前")
    people = {
        "office": office,
        "official": MembershipFactory(unit=lead, role=MemberRole.OFFICIAL).user,
        "leader": MembershipFactory(unit=lead, role=MemberRole.LEADER).user,
        "partner_leader": MembershipFactory(unit=partner, role=MemberRole.LEADER).user,
        "helper_leader": MembershipFactory(unit=helper, role=MemberRole.LEADER).user,
    }
    period = ReportingPeriodFactory(plan=plan, label="2016Q3")
    return plan, task, deadline, period, people


# --- 签收 -------------------------------------------------------------------------------------

def test_assigning_a_plan_gives_each_responsible_unit_one_acknowledgement_a_collective_through_members(db):
    plan = PlanFactory(acknowledge_days=5)
    member_a, member_b = UnitFactory(), UnitFactory()
    collective = UnitFactory(kind=UnitKind.COLLECTIVE)
    collective.members.add(member_a, member_b)
    lead, supporting = UnitFactory(), UnitFactory()
    for task in (TaskFactory(plan=plan), TaskFactory(plan=plan)):
        AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE, position=0)
        AssignmentFactory(task=task, unit=collective, role=Role.RESPONSIBLE, position=1)
        AssignmentFactory(task=task, unit=supporting, role=Role.SUPPORTING, position=0)

    made = services.acknowledgements_ensure(plan=plan)

    assert {row.unit_id for row in made} == {lead.pk, member_a.pk, member_b.pk}
    assert all(row.period is None and row.acknowledged_at is None for row in made)
    assert {row.due_on for row in made} == {timezone.localdate() + datetime.timedelta(days=5)}
    assert services.acknowledgements_ensure(plan=plan) == []


def test_a_new_responsible_unit_gets_its_acknowledgement_when_the_office_assigns_it(cycle):
    plan, task, _, _, people = cycle
    newcomer = UnitFactory()
    services.assignment_create(user=people["office"], task=task, unit=newcomer, role=Role.RESPONSIBLE)
    assert Acknowledgement.objects.filter(plan=plan, unit=newcomer, period=None).count() == 1
    responsible = set(task.assignments.filter(role=Role.RESPONSIBLE).values_list("unit_id", flat=True))
    assert set(Acknowledgement.objects.filter(plan=plan).values_list("unit_id", flat=True)) == responsible
    services.assignment_create(user=people["office"], task=task, unit=UnitFactory(), role=Role.SUPPORTING)
    assert set(Acknowledgement.objects.filter(plan=plan).values_list("unit_id", flat=True)) == responsible


def test_opening_a_period_asks_each_reporting_unit_to_acknowledge_it(cycle):
    plan, task, _, period, people = cycle
    services.period_open(user=people["office"], period=period)
    rows = Acknowledgement.objects.filter(period=period)
    assert set(rows.values_list("unit__pk", flat=True)) == set(period.reports.values_list("unit_id", flat=True))
    assert rows.count() == 2


def test_acknowledging_records_who_and_when_once_and_only_for_the_own_unit(cycle):
    plan, task, _, period, people = cycle
    services.period_open(user=people["office"], period=period)
    lead_ack = Acknowledgement.objects.get(period=period, unit=task.assignments.get(is_lead=True).unit)

    with pytest.raises(PermissionDenied, match="只能签收本单位"):
        services.acknowledge(user=people["partner_leader"], acknowledgement=lead_ack)
    with pytest.raises(PermissionDenied, match="只能签收本单位"):
        services.acknowledge(user=people["office"], acknowledgement=lead_ack)
    lead_ack.refresh_from_db()
    assert lead_ack.acknowledged_at is None

    signed = services.acknowledge(user=people["official"], acknowledgement=lead_ack)
    assert signed.acknowledged_by == people["official"] and signed.acknowledged_at is not None
    assert not signed.is_late
    with pytest.raises(PermissionDenied, match="已签收"):
        services.acknowledge(user=people["leader"], acknowledgement=lead_ack)
    assert signed.history.first().history_user == people["official"]


def test_an_acknowledgement_past_its_days_counts_as_late(cycle):
    plan, task, _, period, people = cycle
    services.period_open(user=people["office"], period=period)
    row = Acknowledgement.objects.filter(period=period).first()
    Acknowledgement.objects.filter(pk=row.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1),
        assigned_at=timezone.now() - datetime.timedelta(days=4),
    )
    row.refresh_from_db()
    assert row.is_late and row.days_waiting() == 4


# --- 延期申请 ---------------------------------------------------------------------------------

def test_the_lead_leader_requests_an_extension_and_the_office_approval_moves_the_deadline(cycle):
    plan, task, deadline, _, people = cycle
    request = services.extension_request(
        user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 12, 15),
        reason="设备到货延迟", today=TODAY,
    )
    assert (request.state, request.current_date, request.requested_by) == (
        RequestState.PENDING, datetime.date(2016, 10, 31), people["leader"],
    )
    services.extension_approve(user=people["office"], request=request, comment="同意")
    deadline.refresh_from_db()
    request.refresh_from_db()
    assert deadline.date == datetime.date(2016, 12, 15)
    assert deadline.original_date == datetime.date(2016, 10, 31)
    assert deadline.extensions == 1
    assert (request.state, request.decided_by, request.decision_comment) == (
        RequestState.APPROVED, people["office"], "同意",
    )

    second = services.extension_request(
        user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 12, 28),
        reason="再延", today=TODAY,
    )
    services.extension_approve(user=people["office"], request=second)
    deadline.refresh_from_db()
    assert (deadline.date, deadline.original_date, deadline.extensions) == (
        datetime.date(2016, 12, 28), datetime.date(2016, 10, 31), 2,
    )


@pytest.mark.parametrize("who, message", [
    ("official", "单位负责人"),
    ("partner_leader", "牵头单位"),
    ("helper_leader", "牵头单位"),
    ("office", "牵头单位"),
])
def test_only_the_lead_units_leader_requests_an_extension(cycle, who, message):
    plan, task, deadline, _, people = cycle
    with pytest.raises(PermissionDenied, match=message):
        services.extension_request(
            user=people[who], deadline=deadline, requested_date=datetime.date(2016, 12, 1), reason="理由",
            today=TODAY,
        )
    assert not deadline.extension_requests.exists()


def test_an_extension_after_the_deadline_is_refused_unless_the_plan_allows_it(cycle):
    plan, task, deadline, _, people = cycle
    late = datetime.date(2016, 11, 2)
    with pytest.raises(PermissionDenied, match="完成时限已过"):
        services.extension_request(
            user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 12, 1), reason="r", today=late,
        )
    plan.allow_late_extensions = True
    plan.save()
    request = services.extension_request(
        user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 12, 1), reason="r", today=late,
    )
    assert request.state == RequestState.PENDING


def test_one_open_request_per_deadline_and_the_new_date_must_be_later(cycle):
    plan, task, deadline, _, people = cycle
    with pytest.raises(ValidationError, match="须晚于"):
        services.extension_request(
            user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 10, 1), reason="r",
            today=TODAY,
        )
    with pytest.raises(ValidationError, match="延期理由"):
        services.extension_request(
            user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 12, 1), reason=" ",
            today=TODAY,
        )
    services.extension_request(
        user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 12, 1), reason="r", today=TODAY,
    )
    with pytest.raises(PermissionDenied, match="已有待审批"):
        services.extension_request(
            user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 12, 5), reason="r",
            today=TODAY,
        )
    assert deadline.extension_requests.count() == 1


def test_rejecting_needs_a_comment_keeps_the_deadline_and_only_the_office_decides(cycle):
    plan, task, deadline, _, people = cycle
    request = services.extension_request(
        user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 12, 1), reason="r", today=TODAY,
    )
    with pytest.raises(PermissionDenied, match="督办人员"):
        services.extension_approve(user=people["leader"], request=request)
    with pytest.raises(ValidationError, match="审批意见"):
        services.extension_reject(user=people["office"], request=request, comment="")
    services.extension_reject(user=people["office"], request=request, comment="理由不充分")
    deadline.refresh_from_db()
    assert (deadline.date, deadline.original_date, deadline.extensions) == (datetime.date(2016, 10, 31), None, 0)
    with pytest.raises(PermissionDenied, match="已审批"):
        services.extension_approve(user=people["office"], request=request)


def test_the_light_and_overdue_follow_the_approved_deadline(cycle):
    plan, task, deadline, _, people = cycle
    request = services.extension_request(
        user=people["leader"], deadline=deadline, requested_date=datetime.date(2016, 12, 15), reason="r", today=TODAY,
    )
    after_old_date = datetime.date(2016, 11, 10)
    assert task.__class__.objects.overdue(after_old_date).filter(pk=task.pk).exists()
    services.extension_approve(user=people["office"], request=request)
    assert not task.__class__.objects.overdue(after_old_date).filter(pk=task.pk).exists()


# --- 办结申请, 办结, 销号 ----------------------------------------------------------------------

def _approved_completed_report(task, period, people, unit_people=("official", "leader")):
    services.period_open(user=people["office"], period=period)
    unit = task.assignments.get(is_lead=True).unit
    report = ProgressReport.objects.get(task=task, period=period, unit=unit)
    services.report_update(user=people[unit_people[0]], report=report, status=TaskStatus.COMPLETED, percent=100,
                           progress="全部粉磨站完成提标改造并通过验收")
    services.report_submit(user=people[unit_people[1]], report=report)
    services.report_approve(user=people["office"], report=report)
    return report


def test_an_approved_completed_report_proposes_completion_instead_of_closing_the_task(cycle):
    plan, task, _, period, people = cycle
    report = _approved_completed_report(task, period, people)
    task.refresh_from_db()
    assert task.status != TaskStatus.COMPLETED and task.completed_at is None
    assert task.closure == Closure.CLAIMED
    claim = CompletionClaim.objects.get(task=task)
    assert (claim.state, claim.report, claim.claimed_by, claim.summary) == (
        ClaimState.SUBMITTED, report, people["leader"], "全部粉磨站完成提标改造并通过验收",
    )


def test_a_partner_units_completed_report_proposes_nothing(cycle):
    plan, task, _, period, people = cycle
    services.period_open(user=people["office"], period=period)
    partner = task.assignments.get(role=Role.RESPONSIBLE, position=1).unit
    report = ProgressReport.objects.get(task=task, period=period, unit=partner)
    services.report_update(user=people["partner_leader"], report=report, status=TaskStatus.COMPLETED,
                           progress="本单位部分已完成")
    services.report_submit(user=people["partner_leader"], report=report)
    services.report_approve(user=people["office"], report=report)
    task.refresh_from_db()
    assert task.closure == Closure.OPEN and not task.completion_claims.exists()
    assert task.status != TaskStatus.COMPLETED


def test_claim_accept_close_and_reopen(cycle):
    plan, task, _, period, people = cycle
    claim = services.completion_claim(user=people["leader"], task=task, summary="已全部完成")
    task.refresh_from_db()
    assert task.closure == Closure.CLAIMED
    with pytest.raises(PermissionDenied, match="已申请办结"):
        services.completion_claim(user=people["leader"], task=task, summary="again")
    with pytest.raises(PermissionDenied, match="已办结的任务才能销号"):
        services.task_close(user=people["office"], task=task)

    services.claim_accept(user=people["office"], claim=claim, comment="事实清楚")
    task.refresh_from_db()
    assert (task.closure, task.status) == (Closure.DONE, TaskStatus.COMPLETED) and task.completed_at

    services.period_open(user=people["office"], period=period)
    with pytest.raises(PermissionDenied, match="督办人员"):
        services.task_close(user=people["leader"], task=task)
    services.task_close(user=people["office"], task=task)
    task.refresh_from_db()
    assert task.closure == Closure.CLOSED and task.closed_at
    assert not ProgressReport.objects.filter(task=task, period=period).exists()  # untouched rows dropped

    later = ReportingPeriodFactory(plan=plan, label="2016Q4", start=datetime.date(2016, 10, 1),
                                   end=datetime.date(2016, 12, 31), due_date=datetime.date(2016, 12, 23))
    assert services.period_open(user=people["office"], period=later) == []

    with pytest.raises(ValidationError, match="理由"):
        services.task_reopen(user=people["office"], task=task, reason="")
    with pytest.raises(PermissionDenied, match="督办人员"):
        services.task_reopen(user=people["leader"], task=task, reason="复查")
    services.task_reopen(user=people["office"], task=task, reason="群众反映问题反弹")
    task.refresh_from_db()
    assert (task.closure, task.status, task.completed_at, task.closed_at) == (
        Closure.OPEN, TaskStatus.ON_TRACK, None, None,
    )
    assert ProgressReport.objects.filter(task=task, period=later).count() == 2
    assert "群众反映问题反弹" in task.history.first().history_change_reason


def test_a_returned_claim_reopens_the_task_for_work_and_needs_a_comment(cycle):
    plan, task, _, period, people = cycle
    claim = services.completion_claim(user=people["leader"], task=task, summary="已完成")
    with pytest.raises(ValidationError, match="审核意见"):
        services.claim_return(user=people["office"], claim=claim, comment="  ")
    with pytest.raises(PermissionDenied, match="督办人员"):
        services.claim_return(user=people["leader"], claim=claim, comment="x")
    services.claim_return(user=people["office"], claim=claim, comment="缺少验收材料")
    task.refresh_from_db()
    claim.refresh_from_db()
    assert (task.closure, claim.state, claim.decision_comment) == (Closure.OPEN, ClaimState.RETURNED, "缺少验收材料")
    assert services.completion_claim(user=people["leader"], task=task, summary="补充后再报").state == ClaimState.SUBMITTED


@pytest.mark.parametrize("who", ["official", "partner_leader", "helper_leader"])
def test_only_the_lead_units_leader_claims_completion(cycle, who):
    plan, task, _, _, people = cycle
    with pytest.raises(PermissionDenied):
        services.completion_claim(user=people[who], task=task, summary="已完成")
    task.refresh_from_db()
    assert task.closure == Closure.OPEN


def test_a_closed_tasks_reports_are_locked(cycle):
    plan, task, _, period, people = cycle
    services.period_open(user=people["office"], period=period)
    partner = task.assignments.get(role=Role.RESPONSIBLE, position=1).unit
    kept = ProgressReport.objects.get(task=task, period=period, unit=partner)
    services.report_update(user=people["partner_leader"], report=kept, progress="已做部分工作")
    claim = services.completion_claim(user=people["leader"], task=task, summary="已完成")
    services.claim_accept(user=people["office"], claim=claim)
    services.task_close(user=people["office"], task=task)
    kept.refresh_from_db()
    assert kept.state == ReportState.PENDING  # a report with content stays, locked
    with pytest.raises(PermissionDenied, match="销号"):
        services.report_update(user=people["partner_leader"], report=kept, progress="改")
    with pytest.raises(PermissionDenied, match="销号"):
        services.report_submit(user=people["partner_leader"], report=kept)


def test_a_closed_task_is_locked_for_the_office_too_until_reopened(cycle):
    plan, task, _, _, people = cycle
    claim = services.completion_claim(user=people["leader"], task=task, summary="已完成")
    services.claim_accept(user=people["office"], claim=claim)
    services.task_close(user=people["office"], task=task)
    with pytest.raises(PermissionDenied, match="重新打开"):
        services.task_update(user=people["office"], task=task, title="改名")
    task.refresh_from_db()
    assert task.title == "强化水泥粉磨站治理"
    services.task_reopen(user=people["office"], task=task, reason="需调整任务内容")
    assert services.task_update(user=people["office"], task=task, title="强化水泥粉磨站深度治理").title.endswith("深度治理")
